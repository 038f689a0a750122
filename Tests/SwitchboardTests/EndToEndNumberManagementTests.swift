import Foundation
import Testing
import TestSupport

extension EndToEnd.Configuration {
    // Issue 22: search, buy, show, rename, release, usage and E911 addresses against the fake API.

    /// Owned: 001 (routed, pointing here) and 005 (not routed). For sale: three in 206, one toll-free.
    /// SignalWire's records: 3 calls and 1 text to 001, 2 calls to 005.
    static func managementFake() throws -> FakeSignalWire {
        try FakeSignalWire(
            numbers: [FakeSignalWire.number("pn-001", e164(1), handlers: fullUpdate), FakeSignalWire.number("pn-005", e164(5))],
            available: [
                FakeSignalWire.availableNumber("+12065550101"), FakeSignalWire.availableNumber("+12065550102"),
                FakeSignalWire.availableNumber("+12065550177", sms: false),
                FakeSignalWire.availableNumber("+18885550100", region: "", rateCenter: "", type: "toll-free"),
            ],
            calls: (1...3).map { FakeSignalWire.record("CA\($0)", from: "+12135877632", to: e164(1)) }
                + (4...5).map { FakeSignalWire.record("CA\($0)", from: "+12135877632", to: e164(5)) },
            messages: [FakeSignalWire.record("SM1", from: "+12135877632", to: e164(1))]
        )
    }

    struct Commands {
        let binary: String
        let environment: [String: String]

        func run(_ arguments: String..., stdin: String? = nil) throws -> (status: ExitStatus?, stdout: String, stderr: String) {
            try ChildProcess.run(binary, ["numbers"] + arguments, environment: environment, stdin: stdin)
        }
    }

    /// A fresh fake and workspace (with `routes` written when given) for `body`, removed after it.
    static func withNumbers(routes: String? = nil, _ body: (FakeSignalWire, Workspace, Commands) throws -> Void) throws {
        let fake = try managementFake()
        defer { fake.shutdown() }
        let workspace = try Workspace()
        defer { workspace.remove() }
        if let routes { try workspace.writeRoutes(routes) }
        try body(fake, workspace, try commands(fake, workspace))
    }

    static func commands(_ fake: FakeSignalWire, _ workspace: Workspace, token: String? = nil) throws -> Commands {
        Commands(binary: try SwitchboardBinary.path(), environment: workspace.environment(
            environment(fake, token: token).merging(["SWITCHBOARD_ROUTES": workspace.routesPath, "SWITCHBOARD_DB": workspace.databasePath]) { $1 }))
    }

    @Test func searchListsWhatIsForSaleWithCapabilities() throws {
        try Self.withNumbers() { fake, workspace, numbers in

            let table = try numbers.run("search", "--areacode", "206")
            #expect(table.status == .exited(0), "\(table.stderr)")
            let rows = table.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            #expect(rows.first == ["NUMBER", "REGION", "RATE", "CENTER", "TYPE", "CAPABILITIES"])
            #expect(rows.dropFirst().map(\.first) == ["+12065550101", "+12065550102", "+12065550177"])
            #expect(rows.last == ["+12065550177", "WA", "SEATTLE", "local", "voice"])
            #expect(rows[1] == ["+12065550101", "WA", "SEATTLE", "local", "voice,sms,mms"])
            #expect(fake.requests.last?.target == "/api/relay/rest/phone_numbers/search?areacode=206&number_type=local&max_results=10")

            let json = try numbers.run("search", "--toll-free", "--json")
            #expect(json.status == .exited(0))
            let found = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
            #expect(found.map { $0["number"] as? String } == ["+18885550100"])
            #expect(fake.requests.last?.target.contains("number_type=toll-free") == true)
    
        }
    }

    @Test func buyAsksThenPostsExactlyTheDocumentedRequest() throws {
        try Self.withNumbers() { fake, workspace, numbers in

            let declined = try numbers.run("buy", "+12065550101", stdin: "no\n")
            #expect(declined.status == .exited(1))
            #expect(declined.stdout.contains("monthly charge") && declined.stdout.contains("Nothing bought."), "\(declined.stdout)")
            #expect(!fake.requests.contains { $0.method == "POST" }, "nothing is bought without a yes")

            let bought = try numbers.run("buy", "+12065550101", "--name", "Front desk", "--pool", "sales", stdin: "yes\n")
            #expect(bought.status == .exited(0), "\(bought.stderr)")
            let posts = fake.requests.filter { $0.method == "POST" }
            #expect(posts.map(\.target) == ["/api/relay/rest/phone_numbers"])
            #expect(posts.first?.body == #"{"number":"+12065550101"}"#)
            #expect(fake.requests.last?.method == "PUT" && fake.requests.last?.body == #"{"name":"Front desk"}"#)
            #expect(bought.stdout.contains("Bought +12065550101"))
            #expect(bought.stdout.contains(#""+12065550101": { "voice": "sales", "sms": "sales" },"#), "\(bought.stdout)")
            #expect(fake.ownedNumbers.contains { $0["number"] as? String == "+12065550101" && $0["name"] as? String == "Front desk" })

            let tooMany = try numbers.run("buy", "--areacode", "206", "--count", "3", "--yes")
            #expect(tooMany.status == .exited(1))
            #expect(tooMany.stderr.contains("only 2 numbers for sale in area code 206; nothing bought"), "\(tooMany.stderr)")
            let two = try numbers.run("buy", "--areacode", "206", "--count", "2", "--yes")
            #expect(two.status == .exited(0), "\(two.stderr)")
            #expect(fake.requests.filter { $0.method == "POST" }.map(\.body).suffix(2) == [#"{"number":"+12065550102"}"#, #"{"number":"+12065550177"}"#])

            let gone = try numbers.run("buy", "+12065550101", "--yes")
            #expect(gone.status == .exited(1))
            #expect(gone.stderr == "switchboard: SignalWire rejected the request (422): Number +12065550101 is not available for purchase (422)\n")
            Self.expectNoSecret(declined.stdout + bought.stdout + two.stdout + gone.stderr, fake)
    
        }
    }

    @Test func showRenameAndEmergencyAddresses() throws {
        try Self.withNumbers() { fake, workspace, numbers in

            let shown = try numbers.run("show", Self.e164(1))
            #expect(shown.status == .exited(0), "\(shown.stderr)")
            for line in ["number: \(Self.e164(1))", "id: pn-001", "name (caller ID): Line \(Self.e164(1))", "capabilities: voice,sms,mms",
                         "voice: relay_script https://sb.example.com/voice", "points here: yes", "E911 address: none"] {
                #expect(shown.stdout.split(separator: "\n").contains { $0.hasPrefix(line.split(separator: ":")[0] + ":") && $0.contains(line.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces)) }, "\(line) in \(shown.stdout)")
            }
            #expect(try numbers.run("show", "+15550009999").stderr == "switchboard: the project does not own +15550009999\n")

            let renamed = try numbers.run("rename", Self.e164(5), "Sales line")
            #expect(renamed.status == .exited(0))
            #expect(renamed.stdout.contains("several days"))
            #expect(fake.requests.last.map { ($0.method, $0.target, $0.body) } ?? ("", "", "") == ("PUT", "/api/relay/rest/phone_numbers/pn-005", #"{"name":"Sales line"}"#))

            let incomplete = try numbers.run("address", "create", "--label", "Office", "--first-name", "Dana", "--last-name", "Whitfield",
                                             "--street-number", "1200", "--street-name", "Harbor Way", "--city", "Portland", "--state", "OR",
                                             "--postal-code", "", "--country", "US")
            #expect(incomplete.status == .exited(1))
            #expect(incomplete.stderr.contains("postal_code can't be blank"), "\(incomplete.stderr)")
            let created = try numbers.run("address", "create", "--label", "Office", "--first-name", "Dana", "--last-name", "Whitfield",
                                          "--street-number", "1200", "--street-name", "Harbor Way", "--city", "Portland", "--state", "OR",
                                          "--postal-code", "97209")
            #expect(created.status == .exited(0), "\(created.stderr)")
            #expect(created.stdout == "Created address addr-1: Office: 1200 Harbor Way, Portland, OR 97209, US\n")
            let posted = try #require(fake.requests.last { $0.target == "/api/relay/rest/addresses" && $0.method == "POST" })
            let fields = try #require(try JSONSerialization.jsonObject(with: Data(posted.body.utf8)) as? [String: Any])
            #expect(Set(fields.keys) == ["label", "first_name", "last_name", "street_number", "street_name", "city", "state", "postal_code", "country", "emergency_enabled"])
            #expect(fields["emergency_enabled"] as? Bool == true)
            #expect(try numbers.run("address", "list").stdout.contains("addr-1  Office: 1200 Harbor Way"))

            let attached = try numbers.run("address", "attach", Self.e164(1), "addr-1")
            #expect(attached.status == .exited(0), "\(attached.stderr)")
            #expect(fake.requests.last.map { ($0.target, $0.body) } ?? ("", "") == ("/api/relay/rest/phone_numbers/pn-001/e911_address", #"{"e911_address_id":"addr-1"}"#))
            #expect(try numbers.run("show", Self.e164(1)).stdout.contains("E911 address:      Office: 1200 Harbor Way, Portland, OR 97209, US (addr-1)"))
    
        }
    }

    @Test func releaseRefusesARoutedNumberAndDeletesOnlyAfterConfirmation() throws {
        try Self.withNumbers(routes: Self.routes()) { fake, workspace, numbers in

            let routed = try numbers.run("release", Self.e164(1), "--yes")
            #expect(routed.status == .exited(1))
            #expect(routed.stderr.contains("routes \(Self.e164(1)); remove it there"), "\(routed.stderr)")
            let wrong = try numbers.run("release", Self.e164(5), stdin: "+15557000006\n")
            #expect(wrong.status == .exited(1))
            #expect(wrong.stdout.contains("cannot be recovered") && wrong.stdout.contains("Not released."), "\(wrong.stdout)")
            #expect(!fake.requests.contains { $0.method == "DELETE" })

            let released = try numbers.run("release", Self.e164(5), stdin: Self.e164(5) + "\n")
            #expect(released.status == .exited(0), "\(released.stderr)")
            #expect(fake.requests.filter { $0.method == "DELETE" }.map(\.target) == ["/api/relay/rest/phone_numbers/pn-005"])
            #expect(!fake.ownedNumbers.contains { $0["id"] as? String == "pn-005" })
    
        }
    }

    @Test func usageSetsSignalWiresRecordsBesideWhatTheDaemonSaw() throws {
        try Self.withNumbers(routes: Self.routes()) { fake, workspace, numbers in

            let noDatabase = try numbers.run("usage")
            #expect(noDatabase.status == .exited(0), "\(noDatabase.stderr)")
            #expect(noDatabase.stdout.contains("No database to compare with"))

            let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure"])
            for call in 1...2 {
                #expect(try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "u\(call)", to: Self.e164(1))).status == 200)
            }
            #expect(daemon.stop() == .exited(0))

            let usage = try numbers.run("usage", "--since", "7d")
            #expect(usage.status == .exited(0), "\(usage.stderr)")
            let rows = usage.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            #expect(rows.contains([Self.e164(1), "3", "2", "1", "0"]), "\(usage.stdout)")
            #expect(rows.contains([Self.e164(5), "2", "0", "0", "0"]), "\(usage.stdout)")
            #expect(usage.stdout.contains("Fewer here than SignalWire counted for \(Self.e164(1)), \(Self.e164(5))"))
            let lists = fake.requests.filter { $0.target.contains("/api/laml/") }.map(\.target)
            #expect(lists.count == 4 && lists.allSatisfy { $0.contains("PageSize=1000") && ($0.contains("StartTime%3E=") || $0.contains("DateSent%3E=")) }, "\(lists)")
    
        }
    }

    @Test func apiErrorsAreOneLineAndNonZero() throws {
        let fake = try Self.managementFake()
        defer { fake.shutdown() }
        let workspace = try Workspace()
        defer { workspace.remove() }
        let refused = try Self.commands(fake, workspace, token: "PTwrong-token-0000").run("search", "--areacode", "206")
        #expect(refused.status == .exited(1))
        #expect(refused.stderr == "switchboard: SignalWire refused the API token (401): check SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and the token's Numbers scope\n")
        #expect(refused.stdout.isEmpty)
        let unconfigured = try ChildProcess.run(try SwitchboardBinary.path(), ["numbers", "search"], environment: workspace.environment())
        // A runtime failure: one line, exit 1, not the usage text of a mistyped command line.
        #expect(unconfigured.status == .exited(1))
        #expect(unconfigured.stderr == "Error: set SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and SIGNALWIRE_SPACE_URL (Dashboard: API)\n")
    }
}
