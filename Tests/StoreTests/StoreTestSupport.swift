import Foundation
import TestSupport
import Routing
@testable import Store

/// A database path under the temporary directory, unique per test; `remove()` deletes it with its
/// WAL and shared-memory files.
struct TemporaryDatabase {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("switchboard-store-\(UUID().uuidString).sqlite").path
    }

    func remove() {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
    }
}

/// `body` with a store on a new temporary database, closed and removed afterwards.
func withTemporaryStore<T>(_ body: (SQLiteStore) throws -> T) throws -> T {
    let db = TemporaryDatabase()
    defer { db.remove() }
    let store = try SQLiteStore(path: db.path)
    defer { store.close() }
    return try body(store)
}

/// `body` with a write connection on a new temporary database, closed and removed afterwards.
func withTemporaryConnection<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
    let db = TemporaryDatabase()
    defer { db.remove() }
    let connection = try SQLiteConnection(path: db.path, readOnly: false)
    defer { connection.close() }
    return try body(connection)
}

/// A tiny round-robin decision written for these tests (independent of Routing's strategies):
/// the member after the pool's last one, or the first.
func roundRobin(
    _ members: [String], pool: String = "sales", id: String = UUID().uuidString,
    from: String = "+15550001000", to: String = "+15550000001", channel: Channel = .voice,
    now: Date = Date()
) -> @Sendable ([String: PoolState]) throws -> (String, [DecisionRecord]) {
    { states in
        let last = states[pool]?.lastMember
        let next = last.flatMap { members.firstIndex(of: $0) }.map { members[($0 + 1) % members.count] } ?? members[0]
        return (next, [DecisionRecord(time: now, channel: channel, id: id, from: from, to: to, pool: pool, member: next)])
    }
}

/// The query a round-robin decision makes.
func positionQuery(pool: String = "sales", caller: String = "+15550001000", now: Date = Date()) -> StateQuery {
    StateQuery(pools: [pool: .position], caller: caller, now: now)
}

/// Members of every stored decision, in insertion (rowid) order.
func membersInOrder(_ store: SQLiteStore, pool: String = "sales") throws -> [String] {
    try store.read("test") { connection in
        var members: [String] = []
        try connection.query("SELECT member FROM decisions WHERE pool = ? ORDER BY rowid", [.text(pool)], "test") {
            members.append($0.text(0) ?? "")
        }
        return members
    }
}


struct TestFailure: Error {}
