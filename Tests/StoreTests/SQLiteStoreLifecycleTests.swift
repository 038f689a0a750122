import Foundation
import Routing
import Testing
@testable import Store

@Suite struct SQLiteStoreLifecycleTests {
    static let members = ["+15551111111", "+15551111112", "+15551111113"]

    func tables(_ store: SQLiteStore) throws -> Set<String> {
        try store.read("test") { connection in
            var names: Set<String> = []
            try connection.query("SELECT name FROM sqlite_schema WHERE type = 'table'", [], "test") {
                names.insert($0.text(0) ?? "")
            }
            return names
        }
    }

    func userVersion(_ store: SQLiteStore) throws -> Int {
        try store.read("test") { try Schema.userVersion($0) }
    }

    @Test func migratesAnEmptyFileAndReopens() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        do {
            let store = try SQLiteStore(path: db.path)
            #expect(try userVersion(store) == Schema.migrations.count)
            #expect(try tables(store).isSuperset(of: ["decisions", "pool_state", "status_events", "status_current",
                                                      "voicemails", "threads", "opt_outs"]))
            _ = try store.route(positionQuery(), roundRobin(Self.members))
            store.close()
        }
        let store = try SQLiteStore(path: db.path)
        defer { store.close() }
        #expect(try userVersion(store) == Schema.migrations.count)
        #expect(try store.decisionCount() == 1)
        #expect(try store.integrityCheck() == "ok")
        let mode = try store.read("test") { try $0.scalar("PRAGMA journal_mode", [], "test")?.text }
        #expect(mode == "wal")
    }

    @Test func aVersionOneDatabaseMigratesInPlaceKeepingItsRows() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        do {
            let connection = try SQLiteConnection(path: db.path, readOnly: false)
            try Schema.migrate(connection, migrations: Array(Schema.migrations.prefix(1)))
            try connection.executeScript("""
                INSERT INTO decisions (time, channel, id, "from", "to", pool, member)
                VALUES (1, 'voice', 'old-call', '+1', '+2', 'sales', '+15551111111');
                INSERT INTO pool_state (pool, last_member, updated) VALUES ('sales', '+15551111111', 1);
                """, "test")
            connection.close()
        }
        let store = try SQLiteStore(path: db.path)
        defer { store.close() }
        #expect(try userVersion(store) == Schema.migrations.count)
        #expect(try store.decisionCount() == 1)
        let indexes = try store.read("test") {
            try $0.scalar("SELECT group_concat(name) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'decisions'", [], "test")?.text
        }
        #expect(indexes?.contains("decisions_to_member_time") == false)
        #expect(indexes?.contains("decisions_pool_from_time") == false)
        #expect(indexes?.contains("decisions_pool_member_time") == true)
        #expect(try store.read("test") { try $0.scalar("SELECT count(*) FROM sticky", [], "test")?.int } == 0)
        let next = try store.route(positionQuery(), roundRobin(Self.members))
        #expect(next == Self.members[1])
    }

    @Test func eachMigrationStepIsOneTransaction() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let connection = try SQLiteConnection(path: db.path, readOnly: false)
        defer { connection.close() }
        let steps = ["CREATE TABLE a (x)", "CREATE TABLE b (y); INSERT INTO missing VALUES (1)"]
        #expect(throws: StoreError.self) { try Schema.migrate(connection, migrations: steps) }
        #expect(try Schema.userVersion(connection) == 1)
        let tables = try connection.scalar("SELECT group_concat(name) FROM sqlite_schema", [], "test")?.text
        #expect(tables == "a")  // step 2 rolled back whole
        try Schema.migrate(connection, migrations: [steps[0], "CREATE TABLE b (y)", "CREATE TABLE c (z)"])
        #expect(try Schema.userVersion(connection) == 3)
    }

    @Test func refusesADatabaseNewerThanTheCode() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        try SQLiteStore(path: db.path).close()
        do {
            let connection = try SQLiteConnection(path: db.path, readOnly: false)
            try connection.executeScript("PRAGMA user_version = 99", "test")
            connection.close()
        }
        let error = try #require(throws: StoreError.self) { try SQLiteStore(path: db.path) }
        #expect(error.description.contains("schema version 99 is newer"))
        #expect(error.description.hasPrefix("cannot open database at \(db.path)"))
    }

    @Test func openFailureNamesThePathAndTheCode() throws {
        let path = "/nonexistent-\(UUID().uuidString)/switchboard.sqlite"
        let error = try #require(throws: StoreError.self) { try SQLiteStore(path: path) }
        #expect(error.code == 14)
        #expect(error.description == "cannot open database at \(path): unable to open database file (14)")
    }

    @Test func closeIsIdempotentAndLaterCallsThrow() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try SQLiteStore(path: db.path)
        try store.ping()
        store.close()
        store.close()
        let now = Date()
        let calls: [(String, () throws -> Void)] = [
            ("route", { _ = try store.route(positionQuery(), roundRobin(Self.members)) }),
            ("poolStates", { _ = try store.poolStates(positionQuery()) }),
            ("recordStatus", { try store.recordStatus(StatusEvent(kind: .call, id: "c", status: "ringing", time: now)) }),
            ("recordVoicemail", { try store.recordVoicemail(Voicemail(callID: "c", recordingURL: "u", time: now)) }),
            ("recordConversation", { try store.recordConversation(poolNumber: "a", member: "b", customer: "c", at: now) }),
            ("openConversations", { _ = try store.openConversations(poolNumber: "a", member: "b", since: now, callPools: ["p"]) }),
            ("prune", { try store.prune(olderThan: now) }),
            ("stats", { _ = try store.stats(since: now) }),
            ("recentDecisions", { _ = try store.recentDecisions(channel: .voice, limit: 1) }),
            ("currentStatus", { _ = try store.currentStatus(id: "c") }),
            ("ping", { try store.ping() }),
            ("integrityCheck", { _ = try store.integrityCheck() }),
            ("decisionCount", { _ = try store.decisionCount() }),
        ]
        for (name, call) in calls {
            let error = #expect(throws: StoreError.self, "\(name)") { try call() }
            #expect(error?.code == 21, "\(name)")
            #expect(error?.description.contains("the store is closed") == true, "\(name)")
        }
        let full = try SQLiteStore(path: db.path, durability: .full)
        full.close()
        #expect(throws: StoreError.self) { _ = try full.route(positionQuery(), roundRobin(Self.members)) }
    }

    @Test func readOnlyOpenRefusesWritesAndStillReads() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let writer = try SQLiteStore(path: db.path)
        _ = try writer.route(positionQuery(), roundRobin(Self.members))
        let store = try SQLiteStore(path: db.path, readOnly: true)
        defer {
            store.close()
            writer.close()
        }
        try expectReadOnly(store)
    }

    @Test(.enabled(if: ReadOnlyFile.isPossible, "this system cannot write-protect a file against this user"))
    func writeProtectedFileRefusesWritesAndStillReads() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let writer = try SQLiteStore(path: db.path)
        _ = try writer.route(positionQuery(), roundRobin(Self.members))
        writer.close()
        let protection = try #require(ReadOnlyFile(path: db.path))
        defer { protection.undo() }
        let store = try SQLiteStore(path: db.path)
        defer { store.close() }
        try expectReadOnly(store)
    }

    func expectReadOnly(_ store: SQLiteStore) throws {
        let error = try #require(throws: StoreError.self) {
            _ = try store.route(positionQuery(), roundRobin(Self.members))
        }
        #expect(error.primaryCode == 8)  // SQLITE_READONLY
        #expect(error.description.contains("cannot route on \(store.path)"))
        #expect(error.description.contains("readonly"))
        #expect(throws: StoreError.self) {
            try store.recordStatus(StatusEvent(kind: .call, id: "c", status: "ringing", time: Date()))
        }
        try store.ping()
        #expect(try store.decisionCount() == 1)
        #expect(try store.poolStates(positionQuery())["sales"]?.lastMember == Self.members[0])
        #expect(try store.recentDecisions(channel: .voice, limit: 5).count == 1)
    }
}

/// Checkpoints run beside the writer, never inside a commit.
@Suite struct CheckpointerTests {
    @Test func theWALIsCheckpointedInTheBackground() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try SQLiteStore(path: db.path, durability: .normal, readOnly: false, groupCommit: true, checkpointPages: 8)
        let members = ["+15551111111", "+15551111112", "+15551111113"]
        func fileSize() throws -> Int { (try FileManager.default.attributesOfItem(atPath: db.path)[.size] as? Int) ?? 0 }
        let sizeBefore = try fileSize()
        for i in 0..<300 {
            _ = try store.route(positionQuery(), roundRobin(members, id: "call-\(i)", from: "+1555\(1_000_000 + i)"))
        }
        let deadline = Date().addingTimeInterval(10)
        while store.checkpointer?.checkpoints == 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect((store.checkpointer?.checkpoints ?? 0) > 0)
        // The database file itself now holds pages the checkpoints copied there, and grew in whole
        // chunks (allocated as it grew, not while the checkpoint's pages are flushed).
        #expect(try fileSize() > sizeBefore)
        #expect(try fileSize() % Checkpointer.fileChunkBytes == 0)
        #expect(try store.integrityCheck() == "ok")
        store.close()
        let reopened = try SQLiteStore(path: db.path)
        defer { reopened.close() }
        #expect(try reopened.decisionCount() == 300)
        #expect(try reopened.integrityCheck() == "ok")
    }

    @Test func aReadOnlyStoreHasNoCheckpointer() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        try SQLiteStore(path: db.path).close()
        let store = try SQLiteStore(path: db.path, readOnly: true)
        defer { store.close() }
        #expect(store.checkpointer == nil)
    }
}
