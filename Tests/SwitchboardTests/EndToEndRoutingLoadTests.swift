import Foundation
import Routing
import Store
import Testing
import TestSupport

extension EndToEnd.Routing {
    // Round-robin under concurrent load, across processes and restarts (issue 3).

    @Test func thousandConcurrentCallsShareOnePoolFairlyAndTheTurnSurvivesARestart() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try workspace.writeRoutes(Fixture.routes())
        let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure"])
        defer { daemon.process.kill() }

        let threads = 32
        let total = 1000
        let firsts = Locked([String: Int]())
        let failures = Locked([String]())
        let group = DispatchGroup()
        for worker in 0..<threads {
            group.enter()
            let port = daemon.port
            Thread {
                defer { group.leave() }
                for i in stride(from: worker, to: total, by: threads) {
                    do {
                        let response = try HTTP.request(port: port, "POST", "/voice", headers: Fixture.jsonHeaders,
                                                        body: Fixture.voiceBody(callID: "load-\(i)", from: "+1213555\(String(format: "%04d", i))"))
                        guard response.status == 200, let member = Answer.firstMember(response.body) else {
                            failures.withLock { $0.append("call \(i): \(response.status) \(response.body)") }
                            continue
                        }
                        firsts.withLock { $0[member, default: 0] += 1 }
                    } catch {
                        failures.withLock { $0.append("call \(i): \(error)") }
                    }
                }
            }.start()
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(failures.current.isEmpty, "\(failures.current.prefix(5))")
        let counts = firsts.current
        #expect(Set(counts.keys) == Set(Fixture.sales))
        #expect(counts.values.reduce(0, +) == total)
        #expect(counts.values.allSatisfy { $0 == 333 || $0 == 334 }, "\(counts)")
        #expect(daemon.stop() == .exited(0))

        // The database holds every decision, and `stats` agrees with the answers given.
        let store = try SQLiteStore(path: workspace.databasePath, readOnly: true)
        #expect(try store.decisionCount() == total)
        let last = try store.poolStates(StateQuery(pools: ["sales": .position], caller: "", now: Date()))["sales"]?.lastMember
        store.close()
        let stats = try ChildProcess.run(try SwitchboardBinary.path(), ["stats", "--db", workspace.databasePath, "--since", "1h"],
                                         environment: workspace.environment())
        #expect(stats.status == .exited(0))
        let rows = stats.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.contains(["calls", "total", "\(total)"]), "\(stats.stdout)")
        for (member, count) in counts {
            #expect(rows.contains(["calls", Fixture.salesNumber, "sales", member, "\(count)"]), "\(stats.stdout)")
        }

        // Restarted on the same database: the next call starts after the last member recorded.
        let lastMember = try #require(last)
        let expected = Fixture.sales[(try #require(Fixture.sales.firstIndex(of: lastMember)) + 1) % Fixture.sales.count]
        let restarted = try DaemonProcess(workspace: workspace, arguments: ["--no-configure"])
        defer { restarted.process.kill() }
        let next = try restarted.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "after-restart"))
        #expect(Answer.firstMember(next.body) == expected)
        #expect(restarted.stop() == .exited(0))
    }

    @Test func twoDaemonsOnOneDatabaseNeverHandOutTheSameTurn() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try workspace.writeRoutes(Fixture.routes())
        let daemons = [try DaemonProcess(workspace: workspace, arguments: ["--no-configure"]),
                       try DaemonProcess(workspace: workspace, arguments: ["--no-configure"])]
        defer { for daemon in daemons { daemon.process.kill() } }

        let total = 600
        let firsts = Locked([String: Int]())
        let failures = Locked(0)
        let group = DispatchGroup()
        for worker in 0..<16 {
            group.enter()
            let port = daemons[worker % 2].port
            Thread {
                defer { group.leave() }
                for i in stride(from: worker, to: total, by: 16) {
                    let response = try? HTTP.request(port: port, "POST", "/voice", headers: Fixture.jsonHeaders,
                                                     body: Fixture.voiceBody(callID: "pair-\(i)"))
                    guard let member = response.flatMap({ Answer.firstMember($0.body) }) else {
                        failures.withLock { $0 += 1 }
                        continue
                    }
                    firsts.withLock { $0[member, default: 0] += 1 }
                }
            }.start()
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(failures.current == 0)
        #expect(firsts.current == Dictionary(uniqueKeysWithValues: Fixture.sales.map { ($0, total / 3) }), "one turn each, whichever process answered")
        for daemon in daemons { #expect(daemon.stop() == .exited(0)) }
        let store = try SQLiteStore(path: workspace.databasePath, readOnly: true)
        defer { store.close() }
        #expect(try store.decisionCount() == total)
    }
}
