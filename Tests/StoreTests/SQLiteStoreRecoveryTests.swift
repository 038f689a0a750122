import Foundation
import Routing
import Testing
@testable import Store
#if canImport(Glibc)
import Glibc
#endif

/// Recovery against real files: deleted, replaced, unopenable, write-protected.
@Suite(.serialized) struct SQLiteStoreRecoveryTests {
    static let members = ["+15551111111", "+15551111112", "+15551111113"]
    /// Retries at once and no settling time: the tests move as fast as `maintain()` is called.
    static let quick = WriteHealth.Policy(settleSeconds: 0, firstRetrySeconds: 0, maxRetrySeconds: 0)

    func open(_ path: String, events: HealthEvents, retryingOpen: Bool = true) throws -> SQLiteStore {
        try SQLiteStore(path: path, durability: .normal, readOnly: false, retryingOpen: retryingOpen, groupCommit: true,
                        healthPolicy: Self.quick, healthObserver: events.observer)
    }

    /// Calls `maintain()` until `done` (bounded by count).
    func maintain(_ store: SQLiteStore, until done: () -> Bool) -> Bool {
        for _ in 0..<50 {
            store.maintain()
            if done() { return true }
            usleep(10_000)
        }
        return done()
    }

    func route(_ store: SQLiteStore) throws -> String {
        try store.route(positionQuery(), roundRobin(Self.members))
    }

    @Test func aHealthyStoreWithItsFileInPlaceDoesNothing() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let events = HealthEvents()
        let store = try open(db.path, events: events)
        defer { store.close() }
        _ = try route(store)
        for _ in 0..<20 { store.maintain() }
        #expect(events.all.isEmpty)
        #expect(store.health == .healthy)
        #expect(try store.decisionCount() == 1)
    }

    @Test func aDeletedFileIsCopiedIntoANewOneAndLaterDecisionsAreKept() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let events = HealthEvents()
        let store = try open(db.path, events: events)
        let before = try (0..<4).map { _ in try route(store) }
        #expect(unlink(db.path) == 0)
        store.maintain()
        #expect(events.reopenings == ["the database file was deleted; its 4 decisions were copied into a new file"])
        #expect(FileManager.default.fileExists(atPath: db.path))
        let after = try (0..<2).map { _ in try route(store) }
        store.close()
        // Round-robin went on from the copied position, and every decision is in the file at the path.
        #expect(before + after == [Self.members[0], Self.members[1], Self.members[2], Self.members[0], Self.members[1], Self.members[2]])
        let reopened = try SQLiteStore(path: db.path, readOnly: true)
        defer { reopened.close() }
        #expect(try reopened.decisionCount() == 6)
        #expect(try reopened.integrityCheck() == "ok")
        #expect(!FileManager.default.fileExists(atPath: db.path + ".salvage"))
    }

    @Test func aDeletedFileWithItsWALDeletedTooIsCopied() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let events = HealthEvents()
        let store = try open(db.path, events: events)
        for _ in 0..<3 { _ = try route(store) }
        for suffix in ["", "-wal", "-shm"] { unlink(db.path + suffix) }
        store.maintain()
        #expect(events.reopenings.count == 1)
        _ = try route(store)
        store.close()
        let reopened = try SQLiteStore(path: db.path, readOnly: true)
        defer { reopened.close() }
        #expect(try reopened.decisionCount() == 4)
    }

    @Test func aReplacedFileIsOpenedAsItIs() throws {
        let db = TemporaryDatabase()
        let other = TemporaryDatabase()
        defer { db.remove(); other.remove() }
        do {
            let seeded = try SQLiteStore(path: other.path)
            for _ in 0..<5 { _ = try seeded.route(positionQuery(pool: "support"), roundRobin(Self.members, pool: "support")) }
            seeded.close()
        }
        let events = HealthEvents()
        let store = try open(db.path, events: events)
        defer { store.close() }
        _ = try route(store)
        store.maintain()
        #expect(rename(other.path, db.path) == 0)
        store.maintain()
        #expect(events.reopenings == ["the database file was replaced"])
        _ = try route(store)
        // The replacing file's five decisions and the new one; the one before the swap stayed in the old file.
        let count = try store.decisionCount()
        let support = try membersInOrder(store, pool: "support").count
        #expect(count == 6)
        #expect(support == 5)
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func aStoreThatCannotBeOpenedStartsDegradedAndOpensOnceItCan() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-late-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/switchboard.sqlite"
        let events = HealthEvents()
        let store = try open(path, events: events)
        defer { store.close() }
        #expect(store.health.state == .degraded)
        #expect(events.degradations == 1)
        #expect(throws: StoreError.self) { try route(store) }
        #expect(store.health.failures == 1)
        store.maintain()
        #expect(store.health.state == .degraded, "nothing changed yet")

        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        #expect(maintain(store) { store.health.isHealthy })
        #expect(events.recoveries == 1)
        #expect(try route(store) == Self.members[0])
        #expect(try store.decisionCount() == 1)
    }

    @Test func withoutRetryingOpenAnUnopenableStoreStillThrows() {
        let events = HealthEvents()
        #expect(throws: StoreError.self) {
            try open("/no/such/directory/\(UUID().uuidString)/x.sqlite", events: events, retryingOpen: false)
        }
    }

    @Test(.enabled(if: ReadOnlyFile.isPossible, "this system cannot write-protect a file against this user"))
    func aWriteProtectedFileDegradesAndHealsWithoutARestart() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let events = HealthEvents()
        let store = try open(db.path, events: events)
        defer { store.close() }
        _ = try route(store)
        store.maintain()
        let files = [db.path, db.path + "-wal"].filter { FileManager.default.fileExists(atPath: $0) }
        let protections = files.compactMap(ReadOnlyFile.init(path:))
        try #require(protections.count == files.count)
        #expect(throws: StoreError.self) { try route(store) }
        #expect(store.health.state == .degraded)
        for _ in 0..<5 { store.maintain() }
        #expect(store.health.state == .degraded)

        for protection in protections { protection.undo() }
        #expect(maintain(store) { store.health.isHealthy })
        #expect(try route(store) == Self.members[1])
        #expect(try store.decisionCount() == 2)
        #expect(events.degradations == 1 && events.recoveries == 1)
    }
}

extension SQLiteStoreRecoveryTests {
    /// `stats` and `route` open read-only: a database one step older (the daemon not yet restarted
    /// after an upgrade) is read as it is, not refused for want of a migration.
    @Test func aReadOnlyStoreReadsADatabaseOneVersionOlder() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        do {
            let connection = try SQLiteConnection(path: db.path, readOnly: false)
            try connection.executeScript("PRAGMA journal_mode = WAL", "test")
            try Schema.migrate(connection, migrations: Array(Schema.migrations.dropLast()))
            try connection.executeScript("""
                INSERT INTO decisions (time, channel, id, "from", "to", pool, member)
                VALUES (1, 'voice', 'old-call', '+1', '+2', 'sales', '+15551111111');
                """, "test")
            connection.close()
        }
        let store = try SQLiteStore(path: db.path, readOnly: true)
        defer { store.close() }
        #expect(try store.decisionCount() == 1)
        #expect(try store.read("test") { try Schema.userVersion($0) } == Schema.migrations.count - 1)
    }
}
