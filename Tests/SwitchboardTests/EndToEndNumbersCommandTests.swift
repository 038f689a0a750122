import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd.Configuration {
    // Turning auto-configuration off, and the `numbers` commands (issue 4).

    @Test func noConfigureMakesNoAPICall() throws {
        let fake = try Self.makeFake()
        defer { fake.shutdown() }
        let workspace = try Workspace()
        defer { workspace.remove() }
        try workspace.writeRoutes(Self.routes())
        for (arguments, extra) in [(["--no-configure"], [:]), ([], ["SWITCHBOARD_NO_CONFIGURE": "1"])] {
            let daemon = try DaemonProcess(workspace: workspace, arguments: arguments,
                                           environment: Self.environment(fake).merging(extra) { $1 })
            defer { daemon.process.kill() }
            #expect(daemon.log.waitForLine(containing: "Auto-configuration off"))
            #expect(try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "quiet")).status == 200)
            usleep(300_000)
            #expect(daemon.stop() == .exited(0))
        }
        #expect(fake.requests.isEmpty, "\(fake.requests.map(\.target))")
    }

    @Test func numbersCommandsListPlanAndApply() throws {
        let fake = try Self.makeFake()
        defer { fake.shutdown() }
        let workspace = try Workspace()
        defer { workspace.remove() }
        let binary = try SwitchboardBinary.path()
        let environment = try Self.commandEnvironment(fake, workspace)

        let dryRun = try ChildProcess.run(binary, ["numbers", "configure", "--dry-run"], environment: environment)
        #expect(dryRun.status == .exited(0), "\(dryRun.stderr)")
        #expect(dryRun.stdout.contains("4 to update, 1 already pointing here, 3 not owned"), "\(dryRun.stdout)")
        #expect(dryRun.stdout.split(separator: "\n").contains { $0.contains(Self.e164(3)) && $0.contains("update") && $0.contains("https://old.example.net/sms -> https://sb.example.com/sms") })
        #expect(fake.requests.count == 3)
        #expect(fake.requests.allSatisfy { $0.method == "GET" }, "a dry run changes nothing")

        let list = try ChildProcess.run(binary, ["numbers", "list"], environment: environment)
        #expect(list.status == .exited(0), "\(list.stderr)")
        let rows = list.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.first?.first == "NUMBER")
        #expect(rows.count == 121, "a header and all 120 numbers")
        let row1 = try #require(rows.first { $0.first == Self.e164(1) })
        #expect(row1.suffix(2) == ["yes", "yes"], "here and routed: \(row1)")
        let row2 = try #require(rows.first { $0.first == Self.e164(2) })
        #expect(row2.suffix(2) == ["no", "yes"], "\(row2)")
        #expect(rows.first { $0.first == Self.e164(3) }?.suffix(2) == ["voice", "yes"])
        #expect(rows.first { $0.first == Self.e164(50) }?.suffix(2) == ["no", "no"])

        let apply = try ChildProcess.run(binary, ["numbers", "configure"], environment: environment)
        #expect(apply.status == .exited(0), "\(apply.stderr)")
        #expect(apply.stdout.contains("4 updated, 0 failed"), "\(apply.stdout)")
        #expect(Self.puts(fake) == Self.expectedPuts)

        let again = try ChildProcess.run(binary, ["numbers", "configure", "--dry-run"], environment: environment)
        #expect(again.stdout.contains("0 to update, 5 already pointing here"), "\(again.stdout)")
        for output in [dryRun, list, apply, again] { Self.expectNoSecret(output.stdout + output.stderr, fake) }
    }

    /// routes.json written, and the environment a `numbers` command reads it, the fake API and the
    /// database from.
    static func commandEnvironment(_ fake: FakeSignalWire, _ workspace: Workspace) throws -> [String: String] {
        try workspace.writeRoutes(Self.routes())
        return workspace.environment(Self.environment(fake).merging([
            "SWITCHBOARD_ROUTES": workspace.routesPath, "SWITCHBOARD_DB": workspace.databasePath,
        ]) { $1 })
    }

    /// The fake's numbers with empty fields left out: the API answers null for a field never set,
    /// and a restore sets fields back to null.
    static func snapshot(_ fake: FakeSignalWire) -> [String: [String: String]] {
        var numbers: [String: [String: String]] = [:]
        for number in fake.ownedNumbers {
            numbers[number["id"] as? String ?? ""] = number.compactMapValues { value in
                switch value {
                case let text as String: text
                case let list as [String]: list.joined(separator: ",")
                default: nil
                }
            }
        }
        return numbers
    }

    @Test func configureThenRestoreLeavesTheNumbersAsTheyWere() throws {
        let fake = try Self.makeFake()
        defer { fake.shutdown() }
        let workspace = try Workspace()
        defer { workspace.remove() }
        let binary = try SwitchboardBinary.path()
        let environment = try Self.commandEnvironment(fake, workspace)
        let before = Self.snapshot(fake)

        let apply = try ChildProcess.run(binary, ["numbers", "configure"], environment: environment)
        #expect(apply.status == .exited(0), "\(apply.stderr)")
        #expect(Self.puts(fake) == Self.expectedPuts)
        #expect(Self.snapshot(fake) != before)
        // What was replaced is logged too, beside the store.
        #expect(apply.stderr.contains("previous ones are kept") && apply.stderr.contains("message_request_url=https://old.example.net/sms"), "\(apply.stderr)")

        let one = try ChildProcess.run(binary, ["numbers", "restore", Self.e164(3)], environment: environment)
        #expect(one.status == .exited(0), "\(one.stderr)")
        #expect(one.stdout == "Restored \(Self.e164(3)): message_request_url=https://old.example.net/sms\n")
        let rest = try ChildProcess.run(binary, ["numbers", "restore"], environment: environment)
        #expect(rest.status == .exited(0), "\(rest.stderr)")
        #expect(rest.stdout.split(separator: "\n").count == 3, "\(rest.stdout)")
        #expect(Self.snapshot(fake) == before, "every number as it was")
        let restoreBody = try #require(fake.requests.last { $0.method == "PUT" && $0.target.hasSuffix("/pn-002") }?.body)
        #expect(restoreBody == #"{"call_handler":null,"call_relay_script_url":null,"message_handler":null,"message_request_method":null,"message_request_url":null}"#)

        let nothing = try ChildProcess.run(binary, ["numbers", "restore"], environment: environment)
        #expect(nothing.stdout.hasPrefix("Nothing to restore"), "\(nothing.stdout)")
        // Configuring again keeps the handlers found then: a second restore goes back to those.
        #expect(try ChildProcess.run(binary, ["numbers", "configure"], environment: environment).status == .exited(0))
        #expect(try ChildProcess.run(binary, ["numbers", "configure"], environment: environment).stdout.contains("0 updated"))
        #expect(try ChildProcess.run(binary, ["numbers", "restore"], environment: environment).status == .exited(0))
        #expect(Self.snapshot(fake) == before)
        for output in [apply, one, rest] { Self.expectNoSecret(output.stdout + output.stderr, fake) }
    }
}
