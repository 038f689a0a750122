import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Every end-to-end suite runs inside this one, one test at a time: each starts the built
/// `switchboard` binary, and timing checks stay honest on a small machine.
@Suite(.serialized)
struct EndToEnd {}

extension EndToEnd {
    /// Issue 3 against the built binary: routes.json validation at start and on reload, round-robin
    /// under concurrency with its state in SQLite across a restart, `check` and `route`.
    @Suite struct Routing {
        @Test func badRoutesAtStartupExitsOneNamingEachProblem() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            let binary = try SwitchboardBinary.path()
            let arguments = ["serve", "--listen", "127.0.0.1:\(try FreePort.pick())", "--routes", workspace.routesPath, "--db", workspace.databasePath]

            try workspace.writeRoutes(Fixture.routes(sales: ["+15551111111", "+1555"]).replacingOccurrences(of: "\"ring_timeout\"", with: "\"ring_timout\""))
            let invalid = try ChildProcess.run(binary, arguments, environment: workspace.environment())
            #expect(invalid.status == .exited(1))
            #expect(invalid.stderr.contains("pools.sales.members[1]"))
            #expect(invalid.stderr.contains("\"+1555\""))
            #expect(invalid.stderr.contains("pools.sales.ring_timout"), "an unknown key is named with its path")

            try workspace.writeRoutes("{\n  \"numbers\": {\n    \"+15550000001\": \n  }\n}\n")
            let syntax = try ChildProcess.run(binary, arguments, environment: workspace.environment())
            #expect(syntax.status == .exited(1))
            #expect(syntax.stderr.range(of: #":4:3: "#) != nil, "a syntax error names line:column: \(syntax.stderr)")
        }

        @Test func reloadRefusesABrokenFileAndAppliesAGoodOne() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure"])
            defer { daemon.process.kill() }
            let original = try Self.fingerprint(workspace.routesPath)

            // SIGHUP with a broken file of the same size, inode and mtime: the poller cannot see it,
            // only the signal can.
            let broken = Fixture.routes(sales: ["+15551111111", "+1555111111x", "+15551111113"])
            try Self.overwriteInPlace(workspace.routesPath, broken, keeping: original)
            daemon.signal(SIGHUP)
            #expect(daemon.log.waitForLine(containing: "Routes refused"))
            #expect(daemon.log.text.contains("pools.sales.members[1]"))
            let first = try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "reload-1"))
            #expect(first.status == 200)
            #expect(Answer.connectTargets(first.body) == Fixture.sales, "the old routes are still served")

            // SIGHUP with a valid edit, again invisible to the poller.
            let edited = ["+15559999991", "+15559999992", "+15559999993"]
            try Self.overwriteInPlace(workspace.routesPath, Fixture.routes(sales: edited), keeping: original)
            daemon.signal(SIGHUP)
            #expect(daemon.log.waitForLine(containing: "Routes reloaded"))
            let second = try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "reload-2"))
            #expect(Set(Answer.connectTargets(second.body)) == Set(edited))

            // A file replaced on disk, no signal: the poller (every 2 s) applies it.
            try workspace.writeRoutes(Fixture.routes(sales: ["+15554444441"]))
            #expect(daemon.log.waitForLine(containing: "Routes reloaded", count: 2, timeout: 8))
            let third = try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "reload-3"))
            #expect(Answer.connectTargets(third.body) == ["+15554444441"])

            // The counters move just after the log line: poll briefly.
            #expect(daemon.waitForMetric(#"switchboard_reloads_total{result="success"}"#, toBe: 2) == 2)
            #expect(daemon.waitForMetric(#"switchboard_reloads_total{result="failure"}"#, toBe: 1) == 1)
            #expect(daemon.stop() == .exited(0))
        }

        @Test func checkReportsASummaryOrEveryProblem() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            let binary = try SwitchboardBinary.path()
            try workspace.writeRoutes(Fixture.routes())
            let good = try ChildProcess.run(binary, ["check", "--routes", workspace.routesPath], environment: workspace.environment())
            #expect(good.status == .exited(0))
            #expect(good.stdout.contains("2 numbers, 2 pools, 5 members"), "\(good.stdout)")

            let bad = Fixture.routes(sales: ["+15551111111", "+15551111111"])
                .replacingOccurrences(of: "\"voice\": \"support\"", with: "\"voice\": \"suport\"")
            try workspace.writeRoutes(bad)
            let result = try ChildProcess.run(binary, ["check", "--routes", workspace.routesPath], environment: workspace.environment())
            #expect(result.status == .exited(1))
            let problems = result.stderr.split(separator: "\n")
            #expect(problems.contains { $0.contains("pools.sales.members[1]") }, "a duplicate member: \(result.stderr)")
            #expect(problems.contains { $0.contains("numbers.+15550000002.voice") && $0.contains("suport") }, "an unknown pool: \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }

        @Test func routeDryRunPrintsSWMLWithoutAdvancingTheTurn() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure"])
            defer { daemon.process.kill() }
            let first = try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "dry-1"))
            #expect(Answer.firstMember(first.body) == Fixture.sales[0])

            // Two dry runs from another process, on the live database: both show the same next member.
            let binary = try SwitchboardBinary.path()
            let arguments = ["route", "--to", Fixture.salesNumber, "--routes", workspace.routesPath, "--db", workspace.databasePath]
            let one = try ChildProcess.run(binary, arguments, environment: workspace.environment())
            let two = try ChildProcess.run(binary, arguments, environment: workspace.environment())
            #expect(one.status == .exited(0))
            #expect(two.status == .exited(0))
            #expect(Answer.firstMember(one.stdout) == Fixture.sales[1], "\(one.stdout) \(one.stderr)")
            #expect(Answer.firstMember(two.stdout) == Fixture.sales[1])
            // Why, on stderr: the rule, the pool, the result, who is offered first.
            #expect(one.stderr.contains("\(Fixture.salesNumber): its own entry in routes.json\ncalls go to pool sales\n"), "\(one.stderr)")
            #expect(one.stderr.contains("offered first: \(Fixture.sales[1])"), "\(one.stderr)")
            // --public-url sets the callback URLs of the answer.
            let withURL = try ChildProcess.run(binary, arguments + ["--public-url", "https://sb.example.com/x"], environment: workspace.environment())
            #expect(withURL.stdout.contains("https://sb.example.com/x/"), "\(withURL.stdout)")

            let real = try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "dry-2"))
            #expect(Answer.firstMember(real.body) == Fixture.sales[1], "the dry runs did not take the turn")
            #expect(daemon.stop() == .exited(0))
        }

        // MARK: Helpers

        /// The file's (inode, size, mtime) the daemon's poller compares.
        static func fingerprint(_ path: String) throws -> stat {
            var s = stat()
            guard stat(path, &s) == 0 else { throw E2EError("stat \(path): errno \(errno)") }
            return s
        }

        /// Rewrites a file in place with text of the same length and restores its modification time.
        static func overwriteInPlace(_ path: String, _ text: String, keeping original: stat) throws {
            guard text.utf8.count == Int(original.st_size) else { throw E2EError("the replacement must keep the size \(original.st_size)") }
            let fd = open(path, O_WRONLY)
            guard fd >= 0 else { throw E2EError("open \(path): errno \(errno)") }
            let bytes = Array(text.utf8)
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard written == bytes.count else { throw E2EError("short write to \(path)") }
            var times = [original.st_atim, original.st_mtim]
            guard utimensat(AT_FDCWD, path, &times, 0) == 0 else { throw E2EError("utimensat: errno \(errno)") }
            let now = try fingerprint(path)
            guard now.st_ino == original.st_ino, now.st_mtim.tv_nsec == original.st_mtim.tv_nsec else {
                throw E2EError("the rewrite changed the file's fingerprint")
            }
        }
    }
}
