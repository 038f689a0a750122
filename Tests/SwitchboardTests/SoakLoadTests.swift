import Foundation
import Routing
import Store
import Testing
import TestSupport

extension Soak {
    /// 20,000 calls (short: 2,000) over 64 keep-alive connections to one round-robin pool: the turns
    /// are shared evenly and every decision is in the database, with one daemon and with two
    /// daemons on one database file.
    @Suite struct Load {
        static let requests = SoakScale.pick(short: 2_000, full: 20_000)
        static let connections = 64

        @Test func oneDaemonSharesTheTurnsEvenly() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            ProcessFacts.raiseFileLimit()
            let daemon = try DaemonProcess(workspace: workspace)

            let result = SoakLoad(ports: [daemon.port], requests: Self.requests, connections: Self.connections).run()
            try check(result, workspace: workspace, daemons: [daemon], label: "load.one-daemon")
        }

        @Test func twoDaemonsOnOneDatabaseShareTheTurnsEvenly() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            ProcessFacts.raiseFileLimit()
            let first = try DaemonProcess(workspace: workspace)
            let second = try DaemonProcess(workspace: workspace)
            #expect(first.port != second.port)

            let result = SoakLoad(ports: [first.port, second.port], requests: Self.requests, connections: Self.connections).run()
            try check(result, workspace: workspace, daemons: [first, second], label: "load.two-daemons")
        }

        private func check(_ result: SoakLoad.Result, workspace: Workspace, daemons: [DaemonProcess], label: String) throws {
            let (spread, summary) = evenness(result.firstMembers, members: salesMembers)
            SoakReport.line(label, [
                "requests": Self.requests, "connections": Self.connections, "answered": result.answered,
                "failed": result.failures.count, "rps": Int(result.requestsPerSecond),
                "p50": SoakReport.ms(result.latencies.percentile(0.5)), "p99": SoakReport.ms(result.latencies.percentile(0.99)),
                "max": SoakReport.ms(result.latencies.max), "members": summary,
            ])
            #expect(result.failures.isEmpty, "\(result.failures.count) calls failed, e.g. \(result.failures.prefix(5))")
            #expect(result.answered == Self.requests)
            #expect(Set(result.firstMembers.keys).isSubset(of: Set(salesMembers)))
            #expect(spread <= 1, "first members differ by more than one: \(summary)")

            // No fallback (a decision made without the database) may hide a lost turn.
            for daemon in daemons {
                #expect(daemon.metric("switchboard_routing_fallbacks_total{reason=\"store\"}") == 0)
                #expect(daemon.stop() == .exited(0), "the daemon did not stop cleanly:\n\(daemon.log.text.suffix(2000))")
            }
            let store = try SQLiteStore(path: workspace.databasePath, readOnly: true)
            defer { store.close() }
            #expect(try store.decisionCount() == Self.requests)
            let ids = Set(try store.recentDecisions(channel: .voice, limit: Self.requests * 2).map(\.id))
            #expect(ids.count == Self.requests, "decision ids are not unique")
            #expect(ids == Set(result.answeredIDs), "the answered calls and the recorded decisions differ")
        }
    }
}
