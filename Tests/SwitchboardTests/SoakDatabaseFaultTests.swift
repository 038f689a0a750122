import Foundation
import Store
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension Soak {
    /// The database becomes unwritable, full, deleted or is unwritable from the start, under the
    /// built daemon: calls are still answered with a usable SWML (the pool from its first enabled
    /// member), the store reports degraded (`/healthz` 503, `switchboard_store_healthy 0`) with one
    /// log line, and once the database is writable again it recovers without a restart (one line),
    /// decisions are recorded again and round-robin goes on.
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
            #expect(daemon.log.waitForLine(containing: "Store degraded", timeout: 5))
            #expect(Self.health(daemon).status == 503)
            #expect(Self.health(daemon).body.hasPrefix("degraded: writes failing for "))
            #expect(daemon.metric("switchboard_store_healthy") == 0)

            protection.undo()
            #expect(daemon.log.waitForLine(containing: "Store recovered", timeout: 15), "no recovery once writable:\n\(daemon.log.text)")
            #expect(Self.health(daemon).status == 200)
            #expect(daemon.metric("switchboard_store_healthy") == 1)
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
            Self.expectOneEpisode(daemon)
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
            #expect(Self.health(daemon).status == 503)
            #expect(daemon.metric("switchboard_store_healthy") == 0)

            // Space again: healthy again without a restart, decisions recorded again, no more fallbacks.
            unlink(filler)
            #expect(daemon.log.waitForLine(containing: "Store recovered", timeout: 15), "no recovery once freed:\n\(daemon.log.text)")
            #expect(Self.health(daemon).status == 200)
            fallbacks = daemon.metric(Self.fallbacks)
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
            Self.expectOneEpisode(daemon)
            let store = try SQLiteStore(path: workspace.databasePath, readOnly: true)
            defer { store.close() }
            #expect(try store.integrityCheck() == "ok")
        }

        /// The database file deleted under the running daemon: noticed, its contents copied into a
        /// new file at the path, and every decision before and after is in that file.
        @Test func databaseDeletedWhileRunning() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let daemon = try DaemonProcess(workspace: workspace)
            let connection = VoiceConnection(port: daemon.port)
            let before = (0..<4).map { connection.call("deleted-before-\($0)")?.firstMember }
            #expect(unlink(workspace.databasePath) == 0)
            #expect(daemon.log.waitForLine(containing: "Database reopened", timeout: 5), "the deletion went unnoticed:\n\(daemon.log.text)")
            #expect(FileManager.default.fileExists(atPath: workspace.databasePath))
            let after = (0..<5).map { connection.call("deleted-after-\($0)")?.firstMember }
            #expect(daemon.stop() == .exited(0))
            let count = try Self.decisions(workspace)
            SoakReport.line("db.deleted", ["decisions-before": before.count, "decisions-after": after.count, "in-file": count])
            #expect(before + after == (0..<9).map { Optional(salesMembers[$0 % salesMembers.count]) })
            #expect(count == 9)
            #expect(daemon.log.count(containing: "Database reopened") == 1)
            #expect(daemon.log.text.contains("its 4 decisions were copied into a new file"))
            #expect(daemon.log.count(containing: "Store degraded") == 0)
        }

        /// `serve` on a database it cannot open for writing (a read-only file in a read-only
        /// directory, no `-shm`): it serves from the routes, reports degraded, and recovers once
        /// the directory and file are writable, without a restart.
        @Test(.enabled(if: WriteProtection.isPossible, "skipped: cannot write-protect files here (needs root and chattr +i)"))
        func startOnAnUnwritableDatabase() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            do {
                let store = try SQLiteStore(path: workspace.databasePath)
                store.close()
            }
            #expect(!FileManager.default.fileExists(atPath: workspace.databasePath + "-shm"))
            let protection = try #require(WriteProtection(paths: [workspace.databasePath, workspace.path]))
            defer { protection.undo(); chmod(workspace.path, 0o755) }
            let daemon = try DaemonProcess(workspace: workspace, waitUntilHealthy: false)
            let deadline = Date().addingTimeInterval(10)
            var health = Self.health(daemon)
            while health.status == 0, Date() < deadline, !daemon.process.hasExited {
                usleep(20_000)
                health = Self.health(daemon)
            }
            #expect(health.status == 503, "\(health.status) \(health.body)\n\(daemon.log.text)")
            #expect(health.body.hasPrefix("degraded: "))
            let connection = VoiceConnection(port: daemon.port)
            let during = (0..<3).map { connection.call("unwritable-\($0)") }
            #expect(during.allSatisfy { $0?.status == 200 && $0?.targets == salesMembers })

            protection.undo()
            chmod(workspace.path, 0o755)
            #expect(daemon.log.waitForLine(containing: "Store recovered", timeout: 15), "no recovery once writable:\n\(daemon.log.text)")
            #expect(Self.health(daemon).status == 200)
            let after = (0..<3).map { connection.call("writable-\($0)")?.firstMember }
            #expect(after == salesMembers.map(Optional.some))
            #expect(daemon.stop() == .exited(0))
            #expect(try Self.decisions(workspace) == 3)
            #expect(daemon.log.count(containing: "Store degraded") == 1)
            #expect(daemon.log.count(containing: "Store recovered") == 1)
        }

        /// A 2 MiB volume: how many decisions fit before the disk is full (about 200 with the 8 MiB
        /// growth step and a 4 MiB WAL), with a warning about the free space at start-up.
        @Test(.enabled(if: Tmpfs.canMount, "skipped: cannot mount a tmpfs here (needs root)"))
        func smallVolume() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try #require(Tmpfs.mount(workspace.path, size: "2m"), "mount failed")
            defer { Tmpfs.unmount(workspace.path) }
            try workspace.writeRoutes(Fixture.routes())
            let daemon = try DaemonProcess(workspace: workspace)
            #expect(daemon.log.waitForLine(containing: "Low free space for the database", timeout: 5))
            let connection = VoiceConnection(port: daemon.port)
            let started = Date()
            var calls = 0
            while calls < 20_000, Date().timeIntervalSince(started) < 90 {
                guard connection.call("small-\(calls)")?.status == 200 else { break }
                calls += 1
                if calls % 200 == 0, daemon.metric(Self.fallbacks) > 0 { break }
            }
            #expect(daemon.stop() == .exited(0))
            let count = try Self.decisions(workspace)
            SoakReport.line("db.small-volume", ["volume": "2 MiB", "calls": calls, "decisions-stored": count,
                                                "seconds": Int(Date().timeIntervalSince(started))])
            #expect(count >= 3000, "only \(count) decisions fit on 2 MiB")
        }

        /// `GET /healthz` (status 0 when it did not answer).
        static func health(_ daemon: DaemonProcess) -> (status: Int, body: String) {
            guard let response = try? HTTP.get(port: daemon.port, "/healthz", timeout: 2) else { return (0, "") }
            return (response.status, response.body)
        }

        /// One line when the store degraded, one when it recovered, and the first failure alone.
        static func expectOneEpisode(_ daemon: DaemonProcess, sourceLocation: SourceLocation = #_sourceLocation) {
            let log = daemon.log
            #expect(log.count(containing: "Store degraded") == 1, "\(log.text)", sourceLocation: sourceLocation)
            #expect(log.count(containing: "Store recovered") == 1, sourceLocation: sourceLocation)
            #expect(log.count(containing: "Store failed") == 1, sourceLocation: sourceLocation)
        }

        static func decisions(_ workspace: Workspace) throws -> Int {
            let store = try SQLiteStore(path: workspace.databasePath, readOnly: true)
            defer { store.close() }
            return try store.decisionCount()
        }
    }
}
