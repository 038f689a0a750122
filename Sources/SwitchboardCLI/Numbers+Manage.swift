import ArgumentParser
import FoundationEssentials
import Glibc
import Platform
import Logging
import Routing
import SignalWire
import Store
import Switchboard

/// What the number commands share: the API client from the environment, plain errors, JSON output
/// and confirmations.
struct NumbersAPI: ParsableArguments {
    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func client() throws -> SignalWireClient {
        let config = try ServeConfig.resolve(ServeConfig.Flags(), environment: ProcessInfo.processInfo.environment)
        guard let credentials = AutoConfigurator.credentials(config) else {
            throw CommandFailure("set SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and SIGNALWIRE_SPACE_URL (Dashboard: API)")
        }
        var logger = Logger(label: "switchboard")
        logger.logLevel = .warning
        return SignalWireClient(credentials: credentials, logger: logger)
    }

    /// Runs an API call; a failure is one line on stderr and exit code 1.
    func call<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SignalWireError {
            writeStandardError("switchboard: \(error)\n")
            throw ExitCode(1)
        }
    }

    /// The project's number `number`, or a one-line error and exit code 1.
    func owned(_ number: String, _ client: SignalWireClient) throws -> PhoneNumber {
        guard let owned = try call({ try client.ownedNumber(number) }) else {
            writeStandardError("switchboard: the project does not own \(number)\n")
            throw ExitCode(1)
        }
        return owned
    }

    func print(json value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Asks `question` on stdout and reads one line of stdin: true when it is `expected`.
    static func confirm(_ question: String, expecting expected: String) -> Bool {
        Swift.print(question, terminator: "")
        fflush(nil)  // every stream: `stdout` itself is a global the compiler cannot vouch for
        return readLine()?.trimmingWhitespace() == expected
    }
}

extension Numbers {
    struct Search: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Numbers for sale (US and Canada), with their capabilities.")
        @OptionGroup var api: NumbersAPI

        @Option(name: .customLong("areacode"), help: "Area code, e.g. 206.")
        var areaCode: String?
        @Option(help: "State or province, e.g. WA.")
        var region: String?
        @Option(help: "City (with --region).")
        var city: String?
        @Option(help: "Digits the number contains.")
        var contains: String?
        @Option(name: .customLong("starts-with"), help: "Digits the number starts with (after the country code).")
        var startsWith: String?
        @Option(name: .customLong("ends-with"), help: "Digits the number ends with.")
        var endsWith: String?
        @Flag(name: .customLong("toll-free"), help: "Toll-free numbers instead of local ones.")
        var tollFree = false
        @Option(help: "At most this many (1-100).")
        var limit = 10

        func validate() throws {
            guard (1...100).contains(limit) else { throw ValidationError("--limit must be 1...100") }
        }

        var search: NumberSearch {
            var search = NumberSearch()
            (search.areaCode, search.region, search.city) = (areaCode, region, city)
            (search.contains, search.startsWith, search.endsWith) = (contains, startsWith, endsWith)
            search.numberType = tollFree ? "toll-free" : "local"
            search.maxResults = limit
            return search
        }

        func run() throws {
            let client = try api.client()
            let found = try api.call { try client.searchNumbers(search) }
            if api.json { return try api.print(json: found) }
            guard !found.isEmpty else { return print("No numbers for sale match.") }
            var rows = [["NUMBER", "REGION", "RATE CENTER", "TYPE", "CAPABILITIES"]]
            for number in found {
                rows.append([number.number, number.region ?? "", number.rateCenter ?? "", number.numberType ?? "",
                             number.capabilities.joined(separator: ",")])
            }
            print(TextTable.render(rows))
        }
    }

    struct Buy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Buy numbers: by number, or the first --count found in an --areacode. Asks first unless --yes.")
        @OptionGroup var api: NumbersAPI

        @Argument(help: "Numbers to buy (E.164).")
        var numbers: [String] = []
        @Option(name: .customLong("areacode"), help: "Buy the first --count numbers for sale in this area code.")
        var areaCode: String?
        @Option(help: "How many to buy with --areacode.")
        var count = 1
        @Option(help: "A friendly name (the caller ID name, where carriers show one).")
        var name: String?
        @Option(help: "Print the routes.json lines that route the new numbers to this pool.")
        var pool: String?
        @Flag(help: "Buy without asking.")
        var yes = false

        func validate() throws {
            guard numbers.isEmpty != (areaCode == nil) else { throw ValidationError("give numbers to buy, or --areacode") }
            guard (1...20).contains(count) else { throw ValidationError("--count must be 1...20") }
        }

        func run() throws {
            let client = try api.client()
            var wanted = numbers
            if let areaCode {
                var search = NumberSearch()
                search.areaCode = areaCode
                search.maxResults = count
                wanted = try api.call { try client.searchNumbers(search) }.map(\.number)
                guard wanted.count == count else {
                    writeStandardError("switchboard: only \(wanted.count) number\(wanted.count == 1 ? "" : "s") for sale in area code \(areaCode); nothing bought\n")
                    throw ExitCode(1)
                }
            }
            if !yes {
                print("To buy: \(wanted.joined(separator: ", ")). Each number adds a monthly charge to the project.")
                guard NumbersAPI.confirm("Type yes to buy: ", expecting: "yes") else {
                    print("Nothing bought.")
                    throw ExitCode(1)
                }
            }
            var bought: [PhoneNumber] = []
            for number in wanted {
                var purchased = try api.call { try client.buyNumber(number) }
                if let name { purchased = try api.call { try client.renameNumber(id: purchased.id, to: name) } }
                bought.append(purchased)
                if !api.json { print("Bought \(purchased.number) (id \(purchased.id))") }
            }
            if api.json { return try api.print(json: bought) }
            if let pool {
                print("\nTo route them to \(pool), add to \"numbers\" in routes.json:")
                for number in bought { print("    \"\(number.number)\": { \"voice\": \"\(pool)\", \"sms\": \"\(pool)\" },") }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Everything about one of the project's numbers.")
        @OptionGroup var api: NumbersAPI
        @Argument(help: "The number (E.164).")
        var number: String

        func run() throws {
            let client = try api.client()
            let owned = try api.owned(number, client)
            let address: EmergencyAddress? = try owned.e911AddressID.flatMap { id in
                try api.call { try client.emergencyAddresses() }.first { $0.id == id }
            }
            if api.json { return try api.print(json: owned) }
            let config = try? ServeConfig.resolve(ServeConfig.Flags(), environment: ProcessInfo.processInfo.environment)
            var rows = [
                ["number", owned.number], ["id", owned.id], ["name (caller ID)", owned.name ?? "-"],
                ["type", owned.numberType ?? "-"], ["capabilities", owned.capabilities.joined(separator: ",")],
                ["voice", "\(owned.callHandler ?? "-") \(owned.callRelayScriptURL ?? owned.callRequestURL ?? "")"],
                ["messaging", "\(owned.messageHandler ?? "-") \(owned.messageRequestURL ?? "") \(owned.messageRequestMethod ?? "")"],
            ]
            if let publicURL = config?.publicURL {
                let here = owned.pointsHere(publicURL: publicURL.raw)
                rows.append(["points here", here.voice && here.sms ? "yes" : here.voice ? "voice only" : here.sms ? "sms only" : "no"])
            }
            if let id = owned.e911AddressID {
                rows.append(["E911 address", address.flatMap { "\($0.summary) (\(id))" } ?? id])
            } else {
                rows.append(["E911 address", "none: attach one with `switchboard numbers address attach`"])
            }
            print(TextTable.render(rows.map { [$0[0] + ":", $0[1]] }))
        }
    }

    struct Rename: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a number's friendly name, which becomes its caller ID name where carriers show one.")
        @OptionGroup var api: NumbersAPI
        @Argument(help: "The number (E.164).")
        var number: String
        @Argument(help: "The new name.")
        var name: String

        func run() throws {
            let client = try api.client()
            let owned = try api.owned(number, client)
            let renamed = try api.call { try client.renameNumber(id: owned.id, to: name) }
            if api.json { return try api.print(json: renamed) }
            print("\(renamed.number) is now named \"\(renamed.name ?? name)\". Carriers can take several days to show a new caller ID name.")
        }
    }

    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a number back. Refuses one routes.json routes; asks for the number again unless --yes.")
        @OptionGroup var api: NumbersAPI
        @Argument(help: "The number (E.164).")
        var number: String
        @Option(help: "routes.json, to refuse a routed number. Env: SWITCHBOARD_ROUTES.")
        var routes: String?
        @Flag(help: "Release without asking.")
        var yes = false

        func run() throws {
            var flags = ServeConfig.Flags()
            flags.routes = routes
            let config = try ServeConfig.resolve(flags, environment: ProcessInfo.processInfo.environment)
            var quiet = Logger(label: "switchboard")
            quiet.logLevel = .critical
            let file: RoutesFile
            do { file = try RoutesFile(path: config.routesPath, logger: quiet) } catch {
                writeStandardError("switchboard: cannot check whether \(number) is routed: \(error); pass --routes\n")
                throw ExitCode(1)
            }
            guard file.currentRoutes.numbers[number] == nil else {
                writeStandardError("switchboard: \(config.routesPath) routes \(number); remove it there (and reload) before releasing it\n")
                throw ExitCode(1)
            }
            let client = try api.client()
            let owned = try api.owned(number, client)
            if !yes {
                print("Releasing \(owned.number) (\(owned.name ?? "no name")) gives it back to the carriers: it cannot be recovered.")
                guard NumbersAPI.confirm("Type the number again to release it: ", expecting: owned.number) else {
                    print("Not released.")
                    throw ExitCode(1)
                }
            }
            try api.call { try client.releaseNumber(id: owned.id) }
            print("Released \(owned.number).")
        }
    }

    struct Usage: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Calls and texts per number from SignalWire's records, beside what this daemon routed.")
        @OptionGroup var api: NumbersAPI
        @Option(help: "How far back: 24h, 7d (SignalWire's records count whole days, UTC).")
        var since = "7d"
        @Option(help: "SQLite database file or postgresql:// URL. Env: SWITCHBOARD_DB.")
        var db: String?

        struct Row: Encodable {
            var number: String
            var callsSignalWire: Int
            var callsHere: Int?
            var textsSignalWire: Int
            var textsHere: Int?
            enum CodingKeys: String, CodingKey {
                case number, callsSignalWire = "calls_signalwire", callsHere = "calls_here"
                case textsSignalWire = "texts_signalwire", textsHere = "texts_here"
            }
        }

        func run() throws {
            let from = try sinceDate(since)
            let client = try api.client()
            let owned = try api.call { try client.listPhoneNumbers() }.map(\.number).sorted()
            let calls = try api.call { try client.callRecords(since: from) }
            let texts = try api.call { try client.messageRecords(since: from) }
            // What the store saw: decisions per dialed number, and calls that rang nobody.
            var seen: [Channel: [String: Int]]?
            var storeNote: String?
            do {
                let store = try openForReading(db: db)
                defer { store.close() }
                var counts: [Channel: [String: Int]] = [:]
                for row in try store.stats(since: from) { counts[row.channel, default: [:]][row.number, default: 0] += row.count }
                for call in try store.calls(since: from, outcome: nil, pool: nil, limit: 1_000_000)
                    where call.outcome == .closed || call.outcome == .unrouted {
                    counts[.voice, default: [:]][call.number, default: 0] += 1
                }
                seen = counts
            } catch {
                storeNote = "No database to compare with (\(error)): only SignalWire's records."
            }
            let rows = owned.map { number in
                Row(number: number, callsSignalWire: calls.filter { $0.to == number }.count, callsHere: seen.map { $0[.voice]?[number] ?? 0 },
                    textsSignalWire: texts.filter { $0.to == number }.count, textsHere: seen.map { $0[.sms]?[number] ?? 0 })
            }
            if api.json { return try api.print(json: rows) }
            var lines = [["NUMBER", "CALLS (SIGNALWIRE)", "CALLS (HERE)", "TEXTS (SIGNALWIRE)", "TEXTS (HERE)"]]
            for row in rows {
                lines.append([row.number, "\(row.callsSignalWire)", row.callsHere.map(String.init) ?? "-",
                              "\(row.textsSignalWire)", row.textsHere.map(String.init) ?? "-"])
            }
            print(TextTable.render(lines))
            if let storeNote { print(storeNote) }
            let missing = rows.filter { row in row.callsHere.map { $0 < row.callsSignalWire } ?? false || row.textsHere.map { $0 < row.textsSignalWire } ?? false }
            if !missing.isEmpty {
                print("\nFewer here than SignalWire counted for \(missing.map(\.number).joined(separator: ", ")): webhooks that never reached this daemon (a number pointing elsewhere, or the daemon unreachable), or calls before --since's window here.")
            }
        }
    }

    struct Address: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Emergency (E911) addresses: list, create, and attach one to a number.",
            subcommands: [ListAddresses.self, CreateAddress.self, AttachAddress.self]
        )

        struct ListAddresses: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "The project's addresses.")
            @OptionGroup var api: NumbersAPI

            func run() throws {
                let client = try api.client()
                let addresses = try api.call { try client.emergencyAddresses() }
                if api.json { return try api.print(json: addresses) }
                guard !addresses.isEmpty else { return print("No addresses yet: add one with `switchboard numbers address create`.") }
                print(TextTable.render([["ID", "ADDRESS"]] + addresses.map { [$0.id, $0.summary] }))
            }
        }

        struct CreateAddress: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "create", abstract: "Add an address for emergency calls.")
            @OptionGroup var api: NumbersAPI
            @Option var label: String
            @Option(name: .customLong("first-name")) var firstName: String
            @Option(name: .customLong("last-name")) var lastName: String
            @Option(name: .customLong("street-number")) var streetNumber: String
            @Option(name: .customLong("street-name")) var streetName: String
            @Option var city: String
            @Option(help: "State, e.g. OR.") var state: String
            @Option(name: .customLong("postal-code")) var postalCode: String
            @Option var country = "US"

            func run() throws {
                let client = try api.client()
                let address = NewEmergencyAddress(label: label, firstName: firstName, lastName: lastName, streetNumber: streetNumber,
                                                  streetName: streetName, city: city, state: state, postalCode: postalCode, country: country)
                let created = try api.call { try client.createEmergencyAddress(address) }
                if api.json { return try api.print(json: created) }
                print("Created address \(created.id): \(created.summary)")
            }
        }

        struct AttachAddress: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "attach", abstract: "Use an address for a number's emergency calls.")
            @OptionGroup var api: NumbersAPI
            @Argument(help: "The number (E.164).") var number: String
            @Argument(help: "The address id (`numbers address list`).") var address: String

            func run() throws {
                let client = try api.client()
                let owned = try api.owned(number, client)
                try api.call { try client.attachEmergencyAddress(numberID: owned.id, addressID: address) }
                print("\(owned.number) now uses address \(address) for emergency calls.")
            }
        }
    }
}
