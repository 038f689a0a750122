import Foundation
import Routing
import Store
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension Soak {
    /// `kill -9` under load, then a restart on the same database.
    @Suite struct Crash {
        @Test func killNineUnderLoadLosesNoAnsweredDecision() throws {
            let connections = SoakScale.pick(short: 16, full: 64)
            let killAfter = SoakScale.pick(short: 600, full: 8_000)
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            ProcessFacts.raiseFileLimit()
            let daemon = try DaemonProcess(workspace: workspace)
            let port = daemon.port

            // Each connection calls until its connection dies (the kill); answered ids are kept.
            let answered = Locked<[String]>([])
            let stop = Locked(false)
            let load = Thread {
                runThreads(connections, timeout: 90) { worker in
                    let connection = VoiceConnection(port: port)
                    var n = 0
                    while n < 100_000, !stop.current {
                        let id = "crash-\(worker)-\(n)"
                        guard let reply = connection.call(id, timeout: 5) else { return }
                        if reply.status == 200, reply.firstMember != nil { answered.withLock { $0.append(id) } }
                        n += 1
                    }
                }
                stop.withLock { $0 = true }
            }
            load.start()
            let deadline = SoakClock.now() + 60
            while answered.current.count < killAfter, SoakClock.now() < deadline, !stop.current { usleep(2_000) }
            let answeredAtKill = answered.current.count
            daemon.signal(SIGKILL)
            let status = daemon.process.waitForExit(timeout: 10)
            #expect(status == .signaled(SIGKILL))
            let joinDeadline = SoakClock.now() + 30
            while !stop.current, SoakClock.now() < joinDeadline { usleep(10_000) }
            stop.withLock { $0 = true }
            let ids = answered.current
            #expect(answeredAtKill >= killAfter, "only \(answeredAtKill) calls answered before the kill")

            // The database as the kill left it (its WAL not yet checkpointed).
            let store = try SQLiteStore(path: workspace.databasePath, readOnly: true)
            let integrity = try store.integrityCheck()
            let count = try store.decisionCount()
            let recorded = Set(try store.recentDecisions(channel: .voice, limit: 1_000_000).map(\.id))
            let position = try store.poolStates(StateQuery(pools: ["sales": .position], caller: "+12135877632", now: Date()))["sales"]?.lastMember
            store.close()
            let missing = Set(ids).subtracting(recorded)
            SoakReport.line("crash.kill-9", [
                "connections": connections, "answered": ids.count, "recorded": count,
                "in-flight-recorded": count - ids.count, "missing": missing.count, "integrity": integrity,
            ])
            #expect(integrity == "ok")
            #expect(missing.isEmpty, "\(missing.count) calls answered 200 are not in the database, e.g. \(missing.prefix(5))")
            #expect(recorded.count == count, "decision ids are not unique")
            // Every decision of a fresh database moved the round-robin one step: the position is the
            // member of the last decision committed.
            #expect(count > 0)
            #expect(position == salesMembers[(count - 1) % salesMembers.count])

            // Restart on the same file: sound, and round-robin goes on after the last decision.
            let restarted = try DaemonProcess(workspace: workspace)
            let next = VoiceConnection(port: restarted.port).call("crash-after-restart")
            #expect(next?.status == 200)
            #expect(next?.firstMember == salesMembers[count % salesMembers.count])
            #expect(restarted.stop() == .exited(0))
            let reopened = try SQLiteStore(path: workspace.databasePath, readOnly: true)
            defer { reopened.close() }
            #expect(try reopened.integrityCheck() == "ok")
            #expect(try reopened.decisionCount() == count + 1)
        }
    }
}
