import CLibPQ
import CSQLite
import FoundationEssentials
import Platform
#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection with a cache of prepared statements, one per SQL string.
///
/// Not thread-safe on its own: `PostgresStore` lets exactly one thread use a connection at a time
/// (its write side under a mutex, readers checked out of `PostgresReaders`). Parameters are sent as
/// text and typed by the server; times are epoch seconds (`double precision`), as in SQLite.
final class PostgresConnection {
    /// The URL with its password masked: the only form of it that errors and logs show.
    let redacted: String
    private(set) var connection: OpaquePointer?
    private var statements: [String: String] = [:]
    /// The batch running on this (write) connection, nil outside one (see `PostgresBatch`).
    var batch: PostgresBatch?

    /// Connects to `url` (a `postgresql://` URL or a libpq connection string; libpq's environment
    /// fills in what it leaves out). `connect_timeout` is 5 s unless the URL or `PGCONNECT_TIMEOUT` sets one.
    init(url: String, redacted: String, environment: [String: String]) throws {
        self.redacted = redacted
        // Over TCP, a server or network gone silent is noticed in about 25 s rather than hours
        // (ignored on a unix socket).
        var keywords = ["application_name", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout"]
        var values = ["switchboard", "10", "5", "3", "25000"]
        if environment["PGCONNECT_TIMEOUT"] == nil {
            keywords.append("connect_timeout")
            values.append("5")
        }
        // Later entries win: the URL's own settings override the defaults above.
        keywords.append("dbname")
        values.append(url)
        let handle = Self.withCStrings(keywords) { keywordPointers in
            Self.withCStrings(values) { valuePointers in PQconnectdbParams(keywordPointers, valuePointers, 1) }
        }
        guard sb_pq_connection_ok(handle) != 0, let handle else {
            let message = handle.map { Self.message(PQerrorMessage($0)) } ?? "out of memory"
            PQfinish(handle)
            throw StoreError(operation: "cannot connect to \(redacted)", code: SQLITE_CANTOPEN,
                             message: PostgresURL.scrub(message, url: url))
        }
        sb_pq_silence_notices(handle)
        connection = handle
    }

    deinit { close() }

    /// Whether the connection is up (as libpq last saw it).
    var isOK: Bool { sb_pq_connection_ok(connection) != 0 }
    var inTransaction: Bool { connection.map { sb_pq_in_transaction($0) != 0 } ?? false }

    /// Runs `sql` with `arguments` ($1, $2, ...) and returns its rows; a statement is prepared once
    /// per connection.
    @discardableResult
    func query(_ sql: String, _ arguments: [SQLValue] = [], _ operation: String) throws -> PostgresRows {
        guard let connection else { throw StoreError.notOpen(operation, path: redacted, reason: "the connection is closed") }
        if arguments.isEmpty, sql == "COMMIT" { return try rows(PQexec(connection, sql), operation) }
        let name = try prepared(sql, operation, connection)
        let texts = arguments.map(\.postgresText)
        let result = Self.withOptionalCStrings(texts) { pointers in
            PQexecPrepared(connection, name, Int32(texts.count), pointers, nil, nil, 0)
        }
        return try rows(result, operation)
    }

    /// Runs `sql` and returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue] = [], _ operation: String) throws -> Int {
        try query(sql, arguments, operation).changed
    }

    /// One statement of a pipeline: SQL and its arguments.
    typealias Statement = (sql: String, arguments: [SQLValue])

    /// Runs `statements` in one round trip (libpq's pipeline mode): each is sent without waiting for
    /// the one before, and their results read after. The first to fail throws; the server skips the
    /// ones after it. Statements with arguments are prepared (once per connection, beforehand);
    /// those without (BEGIN, COMMIT) are sent as they are.
    @discardableResult
    func pipeline(_ statements: [Statement], _ operation: String) throws -> [PostgresRows] {
        try pipelineResults(statements, operation).map { try $0.get() }
    }

    /// `pipeline`, with each statement's own result: those after the first to fail carry its error
    /// (the server skipped them). Throws only when the statements could not be sent.
    func pipelineResults(_ statements: [Statement], _ operation: String) throws -> [Result<PostgresRows, StoreError>] {
        guard let connection else { throw StoreError.notOpen(operation, path: redacted, reason: "the connection is closed") }
        guard !statements.isEmpty else { return [] }
        let names = try statements.map { $0.arguments.isEmpty ? nil : try prepared($0.sql, operation, connection) }
        guard PQenterPipelineMode(connection) == 1 else { throw failure(operation, nil) }
        defer { PQexitPipelineMode(connection) }
        for (name, statement) in zip(names, statements) {
            let texts = statement.arguments.map(\.postgresText)
            let sent = Self.withOptionalCStrings(texts) { pointers in
                if let name { return PQsendQueryPrepared(connection, name, Int32(texts.count), pointers, nil, nil, 0) }
                return PQsendQueryParams(connection, statement.sql, 0, nil, nil, nil, nil, 0)
            }
            guard sent == 1 else { throw failure(operation, nil) }
        }
        guard PQpipelineSync(connection) == 1 else { throw failure(operation, nil) }
        var results: [Result<PostgresRows, StoreError>] = []
        var firstError: StoreError?
        for _ in statements {
            var rows: PostgresRows?
            // A statement's results end with NULL; one broken connection ends them all.
            while let result = PQgetResult(connection) {
                if rows == nil, firstError == nil {
                    do { rows = try self.rows(result, operation) } catch { firstError = error as? StoreError ?? failure(operation, nil) }
                } else {
                    PQclear(result)
                }
            }
            if let firstError {
                results.append(.failure(firstError))
            } else {
                results.append(.success(rows ?? PostgresRows()))
            }
        }
        // The sync point, and nothing after it.
        while let result = PQgetResult(connection) {
            let sync = sb_pq_is_pipeline_sync(result) != 0
            PQclear(result)
            if sync { break }
        }
        return results
    }

    /// Commits, and throws unless the server says it committed (a transaction that failed earlier
    /// answers COMMIT with ROLLBACK).
    func commit(_ operation: String) throws {
        try expectCommitted(try query("COMMIT", [], operation), operation)
    }

    func expectCommitted(_ rows: PostgresRows, _ operation: String) throws {
        guard rows.command == "COMMIT" else {
            throw StoreError(operation: "cannot \(operation) on \(redacted)", code: SQLITE_ERROR,
                             message: "the transaction was rolled back (\(rows.command))")
        }
    }

    /// Runs statements that take no arguments (migrations, BEGIN, COMMIT) in one round trip, unprepared.
    func script(_ sql: String, _ operation: String) throws {
        guard let connection else { throw StoreError.notOpen(operation, path: redacted, reason: "the connection is closed") }
        _ = try rows(PQexec(connection, sql), operation)
    }

    /// Rolls back the open transaction, if any; errors are ignored (the original error matters more).
    func rollbackQuietly() {
        guard let connection, inTransaction else { return }
        PQclear(PQexec(connection, "ROLLBACK"))
    }

    func close() {
        if let connection { PQfinish(connection) }
        connection = nil
        statements.removeAll()
    }

    private func prepared(_ sql: String, _ operation: String, _ connection: OpaquePointer) throws -> String {
        if let name = statements[sql] { return name }
        let name = "sb\(statements.count + 1)"
        _ = try rows(PQprepare(connection, name, sql, 0, nil), operation)
        statements[sql] = name
        return name
    }

    /// The rows of `result` (cleared here), or the error it carries.
    private func rows(_ result: OpaquePointer?, _ operation: String) throws -> PostgresRows {
        defer { PQclear(result) }
        guard let result, sb_pq_result_ok(result) != 0 else { throw failure(operation, result) }
        var rows = PostgresRows()
        let count = Int(PQntuples(result))
        let columns = Int(PQnfields(result))
        rows.values.reserveCapacity(count)
        for row in 0..<count {
            var values: [String?] = []
            values.reserveCapacity(columns)
            for column in 0..<columns {
                if PQgetisnull(result, Int32(row), Int32(column)) != 0 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                }
            }
            rows.values.append(values)
        }
        rows.changed = Int(String(cString: PQcmdTuples(result))) ?? 0
        rows.command = String(cString: PQcmdStatus(result))
        return rows
    }

    /// A `StoreError` for a failed result: SQLite's codes name the kind of failure, so that
    /// `isStorageFault` and `callsForReopen` mean the same for both stores.
    func failure(_ operation: String, _ result: OpaquePointer?) -> StoreError {
        let state = sb_pq_sqlstate(result).map { String(cString: $0) }
        let primary = sb_pq_primary_message(result).map { String(cString: $0) }
        let message = primary ?? connection.map { Self.message(PQerrorMessage($0)) } ?? "no connection"
        let code: Int32
        switch state {
        case _ where !isOK: code = SQLITE_IOERR
        case let state? where state.hasPrefix("08") || state.hasPrefix("57P"): code = SQLITE_IOERR
        case "53100"?: code = SQLITE_FULL
        case let state? where state.hasPrefix("53"): code = SQLITE_IOERR
        // A deadlock or serialization failure: the batch may run again at once.
        case "40001"?, "40P01"?: code = SQLITE_BUSY
        // A lock waited for longer than lock_timeout (another instance stuck holding it).
        case "55P03"?: code = SQLITE_LOCKED
        // A standby after a failover: a new connection may reach the new primary.
        case "25006"?: code = SQLITE_READONLY
        default: code = SQLITE_ERROR
        }
        let detail = state.map { "\(message) (SQLSTATE \($0))" } ?? message
        return StoreError(operation: "cannot \(operation) on \(redacted)", code: code, message: detail)
    }

    private static func message(_ pointer: UnsafePointer<CChar>?) -> String {
        guard let pointer else { return "unknown error" }
        let text = String(cString: pointer)
        return text.split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespace() }.joined(separator: " ")
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        withOptionalCStrings(strings + [nil]) { body($0) }
    }

    /// `strings` as C strings (nil: a NULL pointer) alive during `body`.
    private static func withOptionalCStrings<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0)! } }
        defer { for copy in copies { free(copy) } }
        let pointers = copies.map { UnsafePointer($0) }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// A result's rows as text (nil: NULL), and the rows a command changed.
struct PostgresRows {
    var values: [[String?]] = []
    var changed = 0
    /// The command tag: "INSERT 0 1", "COMMIT", "ROLLBACK"...
    var command = ""

    var first: [String?]? { values.first }

    /// The first column of the first row.
    var scalar: String? { values.first?.first ?? nil }
}

extension [String?] {
    func text(_ column: Int) -> String? { self[column] }
    func int(_ column: Int) -> Int? { self[column].flatMap { Int($0) } }
    func double(_ column: Int) -> Double? { self[column].flatMap { Double($0) } }
    func date(_ column: Int) -> Date? { double(column).map { Date(timeIntervalSince1970: $0) } }
    func bool(_ column: Int) -> Bool { self[column] == "t" }
}

extension SQLValue {
    /// The value as PostgreSQL's text input (nil: NULL). A double is written in full (Swift's
    /// shortest form that reads back exactly).
    var postgresText: String? {
        switch self {
        case .text(let text): text
        case .real(let value): "\(value)"
        case .integer(let value): "\(value)"
        case .null: nil
        }
    }

    /// `texts` as one `text[]` argument.
    static func textArray(_ texts: [String]) -> SQLValue {
        let escaped = texts.map { text -> String in
            var quoted = "\""
            for character in text {
                if character == "\"" || character == "\\" { quoted.append("\\") }
                quoted.append(character)
            }
            return quoted + "\""
        }
        return .text("{" + escaped.joined(separator: ",") + "}")
    }
}
