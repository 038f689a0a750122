import Foundation
import Routing
import Testing
import TestSupport
@testable import Store
#if canImport(Glibc)
import Glibc
#endif

/// Several `switchboard serve` processes on one PostgreSQL (the test cluster `make test` starts:
/// `SWITCHBOARD_TEST_POSTGRES`, and `SWITCHBOARD_TEST_POSTGRES_DIR` to stop and start it).
/// Serialized: they load the machine, and one of them stops the server that the others use.
@Suite(.serialized, .enabled(if: PostgresCluster.url != nil, "SWITCHBOARD_TEST_POSTGRES is not set (make test starts a PostgreSQL cluster): skipped"))
struct EndToEndPostgresTests {
    /// One call as the load saw it: which instance, and the member it was offered first (nil: no answer).
    struct Call: Sendable {
        var id: String
        var status: Int?
        var member: String?
    }

    /// The calls, spread over `daemons` by `connections` keep-alive connections, until `total` calls
    /// or `seconds` have passed (whichever first), or `stop` says so. A connection that fails (its
    /// instance killed) moves on to the next instance, as a load balancer would, with a new call id.
    static func load(_ daemons: [DaemonProcess], connections: Int, total: Int, seconds: Double,
                     stop: Locked<Bool> = Locked(false), prefix: String = "pg") -> [Call] {
        let calls = Locked<[Call]>([])
        let next = Locked(0)
        let deadline = SoakClock.now() + seconds
        _ = runThreads(connections, timeout: seconds + 30) { worker in
            var instance = worker % daemons.count
            var connection = VoiceConnection(port: daemons[instance].port)
            while SoakClock.now() < deadline, !stop.current {
                let n: Int = next.withLock { n in
                    defer { n += 1 }
                    return n
                }
                guard n < total else { return }
                let id = "\(prefix)-\(n)"
                if let reply = connection.call(id, timeout: 10) {
                    calls.withLock { $0.append(Call(id: id, status: reply.status, member: reply.firstMember)) }
                } else {
                    calls.withLock { $0.append(Call(id: id, status: nil, member: nil)) }
                    instance = (instance + 1) % daemons.count
                    connection = VoiceConnection(port: daemons[instance].port)
                }
            }
        }
        return calls.current
    }

    /// What the database holds: every voice decision of `sales` in commit order (the sequence).
    static func decisions(_ url: String) throws -> [(id: String, member: String)] {
        let connection = try PostgresConnection(url: url, redacted: PostgresURL.redacted(url), environment: [:])
        defer { connection.close() }
        return try connection.query("SELECT id, member FROM decisions WHERE pool = 'sales' ORDER BY seq", [], "test").values
            .map { ($0.text(0) ?? "", $0.text(1) ?? "") }
    }

    /// Checks what the issue asks of every run: each 200 that was not a fallback is in the database
    /// with the member it was answered with; the decisions make one unbroken rotation (no turn given
    /// twice, counts within one); `fallbacks`: how many 200s were answered from the routes alone.
    static func expectCommittedAnswersStored(_ calls: [Call], in url: String, fallbacks: Double, _ name: String) throws -> [String: Int] {
        let stored = try decisions(url)
        var byID: [String: [String]] = [:]
        for decision in stored { byID[decision.id, default: []].append(decision.member) }
        #expect(byID.values.allSatisfy { $0.count == 1 }, "\(name): a call with two decisions")
        var missing = 0
        var mismatched = 0
        for call in calls where call.status == 200 {
            if let members = byID[call.id] {
                if members.first != call.member { mismatched += 1 }
            } else {
                // Not committed: it must have been answered from the routes alone (the first member).
                missing += 1
                #expect(call.member == salesMembers[0], "\(name): \(call.id) answered \(call.member ?? "nothing"), not committed")
            }
        }
        #expect(mismatched == 0, "\(name): \(mismatched) answers differ from their stored decision")
        #expect(Double(missing) <= fallbacks, "\(name): \(missing) answers not stored, \(Int(fallbacks)) fallbacks counted")
        // One rotation, in commit order, across every instance.
        let members = stored.map(\.member)
        let start = members.first.flatMap { salesMembers.firstIndex(of: $0) } ?? 0
        let broken = members.enumerated().first { $0.element != salesMembers[(start + $0.offset) % 3] }
        #expect(broken == nil, "\(name): rotation broken at decision \(broken?.offset ?? -1) of \(members.count)")
        let counts = Dictionary(members.map { ($0, 1) }, uniquingKeysWith: +)
        let spread = evenness(counts, members: salesMembers)
        #expect(spread.spread <= 1, "\(name): member counts \(spread.summary)")
        return counts
    }

    /// Three instances on a new database of the cluster, one routes.json copy each.
    func withThreeInstances(_ body: ([DaemonProcess], PostgresCluster.Database) throws -> Void) throws {
        let database = try PostgresCluster.Database()
        defer { database.remove() }
        ProcessFacts.raiseFileLimit()
        var workspaces: [Workspace] = []
        defer { for workspace in workspaces { workspace.remove() } }
        var daemons: [DaemonProcess] = []
        for _ in 0..<3 {
            let workspace = try Workspace()
            workspaces.append(workspace)
            try workspace.writeRoutes(Fixture.routes())
            daemons.append(try DaemonProcess(workspace: workspace, arguments: ["--db", database.url], database: false))
        }
        try body(daemons, database)
    }

    /// A load on a thread of its own until `finish()`.
    final class Background: @unchecked Sendable {
        private let stop = Locked(false)
        private let result = Locked<[Call]?>(nil)

        init(_ run: @escaping @Sendable (Locked<Bool>) -> [Call]) {
            let thread = Thread { [stop, result] in
                let calls = run(stop)
                result.withLock { $0 = calls }
            }
            thread.start()
        }

        /// Stops the load and returns its calls.
        func finish() -> [Call] {
            stop.withLock { $0 = true }
            while result.current == nil { usleep(10_000) }
            return result.current ?? []
        }
    }

    static func fallbacks(_ daemons: [DaemonProcess]) -> Double {
        daemons.map { $0.metric("switchboard_routing_fallbacks_total{reason=\"store\"}") }.reduce(0, +)
    }

    @Test func threeInstancesShareOneRotation() throws {
        try withThreeInstances { daemons, database in
            let started = SoakClock.now()
            let calls = Self.load(daemons, connections: 24, total: 20_000, seconds: 150)
            let seconds = SoakClock.now() - started
            let answered = calls.filter { $0.status == 200 }
            let fallbacks = Self.fallbacks(daemons)
            SoakReport.line("postgres.three-instances", [
                "calls": calls.count, "answered": answered.count, "seconds": String(format: "%.1f", seconds),
                "per-second": Int(Double(calls.count) / seconds), "fallbacks": Int(fallbacks),
            ])
            #expect(calls.count == 20_000, "only \(calls.count) calls in 150 s")
            #expect(answered.count == calls.count, "\(calls.count - answered.count) calls not answered 200")
            #expect(fallbacks == 0)
            let counts = try Self.expectCommittedAnswersStored(calls, in: database.url, fallbacks: fallbacks, "three instances")
            #expect(counts.values.reduce(0, +) == answered.count, "exactly one decision per 200 answer")
            for daemon in daemons { #expect(daemon.stop() == .exited(0)) }
        }
    }

    @Test func postgresStoppedForFiveSecondsUnderLoad() throws {
        // Before any instance starts: a load that could not be stopped would outlive the test.
        _ = try #require(PostgresCluster.directory, "SWITCHBOARD_TEST_POSTGRES_DIR is not set: the cluster cannot be stopped")
        try withThreeInstances { daemons, database in
            let load = Background { stop in Self.load(daemons, connections: 12, total: 1_000_000, seconds: 60, stop: stop) }
            Thread.sleep(forTimeInterval: 2)
            try PostgresCluster.control("halt")
            let halted = SoakClock.now()
            Thread.sleep(forTimeInterval: 1)
            let degraded = daemons.map { (try? $0.request("GET", "/healthz"))?.status }
            Thread.sleep(forTimeInterval: max(0, 5 - (SoakClock.now() - halted)))
            try PostgresCluster.control("resume")
            // Healthy again by themselves, then calls recorded again.
            let healthyBy = SoakClock.now() + 20
            while SoakClock.now() < healthyBy, !daemons.allSatisfy({ (try? $0.request("GET", "/healthz"))?.status == 200 }) { usleep(100_000) }
            let recovered = SoakClock.now() - halted
            let storedWhenHealthy = try Self.decisions(database.url).count
            Thread.sleep(forTimeInterval: 3)
            let calls = load.finish()
            let fallbacks = Self.fallbacks(daemons)
            let answered = calls.filter { $0.status == 200 }
            SoakReport.line("postgres.stopped-5s", [
                "calls": calls.count, "answered": answered.count, "fallbacks": Int(fallbacks),
                "healthy-again-after-halt": String(format: "%.1fs", recovered),
            ])
            #expect(degraded.allSatisfy { $0 == 503 }, "healthz while PostgreSQL was down: \(degraded)")
            #expect(daemons.allSatisfy { (try? $0.request("GET", "/healthz"))?.status == 200 }, "not healthy again 20 s after the restart")
            #expect(calls.allSatisfy { $0.status == 200 }, "\(calls.filter { $0.status != 200 }.count) calls not answered 200 (no 5xx, none dropped)")
            #expect(fallbacks > 0, "no call fell back while PostgreSQL was down")
            _ = try Self.expectCommittedAnswersStored(calls, in: database.url, fallbacks: fallbacks, "stopped 5 s")
            // Rotation continues: calls were recorded again once healthy (and the rotation checked above).
            let stored = try Self.decisions(database.url).count
            #expect(stored > storedWhenHealthy + 100, "\(stored - storedWhenHealthy) decisions in the 3 s after recovery")
            for daemon in daemons { #expect(daemon.stop() == .exited(0)) }
        }
    }

    @Test func killNineOfAnInstanceUnderLoad() throws {
        try withThreeInstances { daemons, database in
            let load = Background { stop in Self.load(daemons, connections: 12, total: 1_000_000, seconds: 60, stop: stop) }
            Thread.sleep(forTimeInterval: 2)
            daemons[1].signal(SIGKILL)
            #expect(daemons[1].process.waitForExit(timeout: 10) == .signaled(SIGKILL))
            Thread.sleep(forTimeInterval: 3)
            let calls = load.finish()
            let survivors = [daemons[0], daemons[2]]
            let fallbacks = Self.fallbacks(survivors)
            let unanswered = calls.filter { $0.status == nil }
            SoakReport.line("postgres.kill-9", [
                "calls": calls.count, "answered": calls.count - unanswered.count, "connections-cut": unanswered.count,
                "fallbacks": Int(fallbacks),
            ])
            // Only connections to the killed instance were cut (at most one call each); every call that
            // got an answer got a 200, committed.
            #expect(unanswered.count <= 12)
            #expect(calls.allSatisfy { $0.status == nil || $0.status == 200 })
            #expect(fallbacks == 0)
            _ = try Self.expectCommittedAnswersStored(calls, in: database.url, fallbacks: fallbacks, "kill -9")
            // The survivors go on: a call through each is still routed and stored.
            for daemon in survivors { #expect(daemon.servesVoice()) }
            for daemon in survivors { #expect(daemon.stop() == .exited(0)) }
        }
    }
}

/// The test cluster, for these tests: a database of their own each, and stopping and starting it.
enum PostgresCluster {
    static let url: String? = ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    static let directory = ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_POSTGRES_DIR"]

    static func admin(_ sql: String) throws {
        guard let url else { throw E2EError("SWITCHBOARD_TEST_POSTGRES is not set") }
        let connection = try PostgresConnection(url: url, redacted: PostgresURL.redacted(url), environment: [:])
        defer { connection.close() }
        try connection.script(sql, "test setup")
    }

    /// A new database, dropped by `remove()`.
    struct Database {
        let name = "e2e_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let url: String

        init() throws {
            try PostgresCluster.admin("CREATE DATABASE \(name)")
            // postgresql:///postgres?host=... -> the same server, this database.
            url = PostgresCluster.url!.replacingOccurrences(of: "/postgres?", with: "/\(name)?")
        }

        func remove() {
            try? PostgresCluster.admin("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
    }

    /// `scripts/pg-test-cluster.sh halt|resume DIR`.
    static func control(_ command: String, filePath: String = #filePath) throws {
        guard let directory else { throw E2EError("SWITCHBOARD_TEST_POSTGRES_DIR is not set: the cluster cannot be stopped") }
        let root = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/pg-test-cluster.sh").path
        let result = try ChildProcess.run("/bin/bash", [script, command, directory],
                                          environment: ["PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"], timeout: 60)
        guard result.status == .exited(0) else {
            throw E2EError("pg-test-cluster.sh \(command) failed (\(result.status.map(\.description) ?? "timeout")): \(result.stderr)")
        }
    }
}
