import Foundation
import Testing
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

/// The stores the contract tests run against: SQLite always, PostgreSQL when the test cluster is up
/// (`make test` starts one and sets `SWITCHBOARD_TEST_POSTGRES`).
enum StoreKind: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    var description: String { rawValue }

    /// SQLite, and PostgreSQL when `SWITCHBOARD_TEST_POSTGRES` names a server.
    static let available: [StoreKind] = {
        guard PostgresTestServer.url != nil else {
            print("StoreTests: SWITCHBOARD_TEST_POSTGRES is not set: the PostgreSQL store's tests are skipped (make test starts a cluster)")
            return [.sqlite]
        }
        return [.sqlite, .postgres]
    }()
}

/// The test cluster: `SWITCHBOARD_TEST_POSTGRES` (a URL), and a schema of its own for each test.
enum PostgresTestServer {
    static let url: String? = ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    static let skipMessage = "SWITCHBOARD_TEST_POSTGRES is not set (make test starts a PostgreSQL cluster): skipped"

    /// Runs `sql` on the cluster's database, outside any test schema.
    static func admin(_ sql: String) throws {
        guard let url else { throw TestFailure() }
        let connection = try PostgresConnection(url: url, redacted: PostgresURL.redacted(url), environment: [:])
        defer { connection.close() }
        try connection.script(sql, "test setup")
    }

    /// The URL of `schema`: every table a store creates through it goes there.
    static func url(schema: String) -> String? {
        url.map { $0 + ($0.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)" }
    }
}

/// A new, empty database of one kind for one test: a SQLite file, or a PostgreSQL schema.
/// `open()` opens a store on it (as often as a test likes: several stores share it); `remove()` deletes it.
struct TestDatabase: Sendable {
    let kind: StoreKind
    /// The file path or URL (`--db`).
    let location: String
    private let schema: String

    init(_ kind: StoreKind) throws {
        self.kind = kind
        schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        switch kind {
        case .sqlite:
            location = TemporaryDatabase().path
        case .postgres:
            guard let url = PostgresTestServer.url(schema: schema) else { throw TestFailure() }
            try PostgresTestServer.admin("CREATE SCHEMA \(schema)")
            location = url
        }
    }

    func open(batchObserver: (@Sendable (StoreBatchTiming) -> Void)? = nil) throws -> any SwitchboardStore {
        switch kind {
        case .sqlite: try SQLiteStore(path: location, batchObserver: batchObserver)
        case .postgres: try PostgresStore(url: location, batchObserver: batchObserver)
        }
    }

    func remove() {
        switch kind {
        case .sqlite:
            for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: location + suffix) }
        case .postgres:
            try? PostgresTestServer.admin("DROP SCHEMA IF EXISTS \(schema) CASCADE")
        }
    }
}

/// `body` with a store on a new database of `kind`, closed and removed afterwards.
func withTemporaryStore<T>(_ kind: StoreKind, _ body: (any SwitchboardStore) throws -> T) throws -> T {
    let db = try TestDatabase(kind)
    defer { db.remove() }
    let store = try db.open()
    defer { store.close() }
    return try body(store)
}

/// The first column of the first row of `sql` (parameters `$1`, `$2`, ... as text) as an integer,
/// whichever store: for the tests' own counts.
func count(_ store: any SwitchboardStore, _ sql: String, _ arguments: [String] = []) throws -> Int {
    let values = arguments.map { SQLValue.text($0) }
    if let store = store as? SQLiteStore {
        let sqliteSQL = sql.replacingOccurrences(of: "$", with: "?")
        return try store.read("test") { try $0.scalar(sqliteSQL, values, "test")?.int ?? -1 }
    }
    let postgres = try #require(store as? PostgresStore)
    return try postgres.read("test") { Int(try $0.query(sql, values, "test").scalar ?? "-1") ?? -1 }
}

/// How many decisions `store` holds.
func decisionCount(_ store: any SwitchboardStore) throws -> Int {
    try count(store, "SELECT count(*) FROM decisions")
}

/// Members of every stored decision of `pool`, in insertion order, whichever store.
func membersInOrder(_ store: any SwitchboardStore, pool: String = "sales") throws -> [String] {
    if let store = store as? SQLiteStore { return try membersInOrder(store, pool: pool) }
    let postgres = try #require(store as? PostgresStore)
    return try postgres.read("test") { connection in
        try connection.query("SELECT member FROM decisions WHERE pool = $1 ORDER BY seq", [.text(pool)], "test").values.map { $0.text(0) ?? "" }
    }
}
