import Foundation
import Store
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension Soak {
    /// The database becomes unwritable under a running daemon: calls are still answered with a usable
    /// SWML (the pool from its first enabled member), the failure is logged and counted, and once
    /// the database is writable again decisions are recorded again, round-robin going on.
    @Suite struct DatabaseFaults {
        static let fallbacks = "switchboard_routing_fallbacks_total{reason=\"store\"}"
        static let routeErrors = "switchboard_store_errors_total{operation=\"route\"}"

        @Test(.enabled(if: WriteProtection.isPossible, "skipped: cannot write-protect an open file here (needs root and chattr +i)"))
        func readOnlyDatabaseFile() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let daemon = try DaemonProcess(workspace: workspace)
            let connection = VoiceConnection(port: daemon.port)
            for index in 0..<3 {
                #expect(connection.call("ro-before-\(index)")?.firstMember == salesMembers[index])
            }

            let files = [workspace.databasePath, workspace.databasePath + "-wal"].filter { FileManager.default.fileExists(atPath: $0) }
            let protection = try #require(WriteProtection(paths: files), "could not write-protect \(files)")
            defer { protection.undo() }
            let during = (0..<5).map { connection.call("ro-during-\($0)") }
            let fallbacks = daemon.metric(Self.fallbacks)
            let errors = daemon.metric(Self.routeErrors)
            for reply in during {
                #expect(reply?.status == 200)
                #expect(reply?.targets == salesMembers, "not the pool from its first member: \(reply?.body ?? "no answer")")
            }
            #expect(fallbacks >= 5)
            #expect(errors >= 5)
            #expect(daemon.log.waitForLine(containing: "Store failed", count: 5, timeout: 5))

            protection.undo()
            let after = (0..<3).map { connection.call("ro-after-\($0)")?.firstMember }
            let store = try SQLiteStore(path: workspace.databasePath, readOnly: true)
            let count = try store.decisionCount()
            let integrity = try store.integrityCheck()
            store.close()
            SoakReport.line("db.read-only", [
                "calls-while-read-only": during.count, "fallbacks": Int(fallbacks), "store-errors": Int(errors),
                "decisions": count, "integrity": integrity,
            ])
            // Round-robin goes on from the last recorded decision (the third member).
            #expect(after == salesMembers.map(Optional.some), "after the fault: \(after)")
            #expect(count == 6)
            #expect(integrity == "ok")
            #expect(daemon.metric(Self.fallbacks) == fallbacks, "decisions still fall back once writable")
            #expect(daemon.stop() == .exited(0))
        }

        @Test(.enabled(if: Tmpfs.canMount, "skipped: cannot mount a tmpfs here (needs root)"))
        func fullDisk() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try #require(Tmpfs.mount(workspace.path, size: "2m"), "mount failed")
            defer { Tmpfs.unmount(workspace.path) }
            try workspace.writeRoutes(Fixture.routes())
            let daemon = try DaemonProcess(workspace: workspace)
            let connection = VoiceConnection(port: daemon.port)
            for index in 0..<3 {
                #expect(connection.call("full-before-\(index)")?.firstMember == salesMembers[index])
            }

            let filler = workspace.path + "/filler"
            let filled = Tmpfs.fill(filler)
            // Calls until a few have fallen back (some may still fit in space SQLite already holds).
            var fellBack = 0
            var calls = 0
            var wrong: [String] = []
            var fallbacks = daemon.metric(Self.fallbacks)
            while fellBack < 5, calls < 200 {
                let reply = connection.call("full-during-\(calls)")
                calls += 1
                let now = daemon.metric(Self.fallbacks)
                if reply?.status != 200 || reply?.targets.isEmpty != false {
                    wrong.append("call \(calls): \(reply?.status ?? 0) \(reply?.body.prefix(120) ?? "no answer")")
                } else if now > fallbacks, reply?.targets != salesMembers {
                    wrong.append("call \(calls) fell back but rang \(reply?.targets ?? [])")
                }
                if now > fallbacks { fellBack += 1 }
                fallbacks = now
            }
            let errors = daemon.metric(Self.routeErrors)
            #expect(wrong.isEmpty, "\(wrong.joined(separator: "\n"))")
            #expect(fellBack >= 5, "no fallback within \(calls) calls on a full disk (\(filled) bytes of filler)")
            #expect(errors >= Double(fellBack))
            #expect(daemon.log.waitForLine(containing: "Store failed", count: fellBack, timeout: 5))

            // Space again: decisions are recorded again, and no more fallbacks.
            unlink(filler)
            let before = try Self.decisions(workspace)
            let after = (0..<3).compactMap { connection.call("full-after-\($0)") }
            let recorded = try Self.decisions(workspace) - before
            SoakReport.line("db.disk-full", [
                "filler-bytes": filled, "calls-while-full": calls, "fallbacks": fellBack, "store-errors": Int(errors),
                "recorded-after-freeing": recorded,
            ])
            #expect(after.count == 3 && after.allSatisfy { $0.status == 200 })
            #expect(recorded == 3)
            #expect(daemon.metric(Self.fallbacks) == fallbacks)
            #expect(daemon.stop() == .exited(0))
            let store = try SQLiteStore(path: workspace.databasePath, readOnly: true)
            defer { store.close() }
            #expect(try store.integrityCheck() == "ok")
        }

        static func decisions(_ workspace: Workspace) throws -> Int {
            let store = try SQLiteStore(path: workspace.databasePath, readOnly: true)
            defer { store.close() }
            return try store.decisionCount()
        }
    }
}
