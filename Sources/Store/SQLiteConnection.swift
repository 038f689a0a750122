import CSQLite
import FoundationEssentials

/// One SQLite connection with a cache of prepared statements, one per SQL string.
///
/// Not thread-safe on its own (opened with `SQLITE_OPEN_NOMUTEX`): `SQLiteStore` lets exactly one
/// thread use a connection at a time, under its write lock or by checking it out of `ReaderPool`.
final class SQLiteConnection {
    let path: String
    private(set) var db: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    /// The same statements by the address of their SQL text: the SQL is nearly always a literal, whose
    /// bytes never move, so a lookup hashes 8 bytes instead of the whole text. Checked by comparing the
    /// text (free when it is the same literal), since a freed string's address can be reused.
    private var byAddress: [UnsafeRawPointer: (sql: String, statement: OpaquePointer)] = [:]

    /// Round-robin positions moved by the decisions of the group-commit batch running on this (write)
    /// connection, not yet in `pool_state`: nil outside a batch. While the batch holds the write lock
    /// nobody else can move them, so its decisions read them here, and `writePositions()` stores each
    /// pool's last one once, before the batch commits, instead of once per decision.
    var pendingPositions: [String: (member: String, time: Date)]?
    /// On the write connection: the sticky pools whose `sticky` rows are complete in the file it
    /// writes (a reopened file starts unknown). Changed only inside its write transactions.
    let stickyPools = StickyPools()

    /// Opens (creating it when `readOnly` is false) the database at `path`, with a 5 s busy timeout.
    init(path: String, readOnly: Bool, busyTimeoutMilliseconds: Int32 = 5_000) throws {
        _ = Self.libraryConfigured
        self.path = path
        var handle: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let error = StoreError.sqlite("cannot open database at \(path)", db: handle, code: rc)
            sqlite3_close_v2(handle)
            throw error
        }
        db = handle
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
    }

    deinit { close() }

    /// Process-wide settings, made once before the first connection initializes the library: no memory
    /// statistics (nothing reads them, and keeping them took a global mutex on every SQLite malloc
    /// and free). SQLITE_MISUSE (the library already initialized by someone else) leaves the default.
    static let libraryConfigured: Bool = sb_sqlite3_config_memstatus(0) == SQLITE_OK

    /// Whether SQLite opened the main database read-only (flag, or a write-protected file).
    var isReadOnly: Bool { db.map { sqlite3_db_readonly($0, "main") == 1 } ?? true }
    /// Whether a transaction is open.
    var inTransaction: Bool { db.map { sqlite3_get_autocommit($0) == 0 } ?? false }
    /// Rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int { db.map { Int(sqlite3_changes($0)) } ?? 0 }

    /// Runs `sql` (which returns no rows the caller needs) and returns the rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue] = [], _ operation: String) throws -> Int {
        try query(sql, arguments, operation) { _ in }
        return changes
    }

    /// Runs `sql`, calling `row` for every result row.
    ///
    /// Text arguments are copied into one buffer that lives until the statement is reset, and bound
    /// from there without SQLite copying each again (`SQLITE_STATIC`): a decision's seven texts then
    /// cost no allocation (the buffer is on the stack when small).
    func query(_ sql: String, _ arguments: [SQLValue] = [], _ operation: String,
               row: (SQLRow) throws -> Void) throws {
        let statement = try prepared(sql, operation)
        var textBytes = 0
        for case .text(let text) in arguments { textBytes += text.utf8.count }
        try withUnsafeTemporaryAllocation(byteCount: max(textBytes, 1), alignment: 1) { texts in
            defer {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            }
            var used = 0
            for (offset, value) in arguments.enumerated() {
                let rc = value.bind(to: statement, at: Int32(offset + 1), texts: texts.baseAddress!, used: &used)
                guard rc == SQLITE_OK else { throw failure(operation, rc) }
            }
            while true {
                let rc = sqlite3_step(statement)
                if rc == SQLITE_DONE { return }
                guard rc == SQLITE_ROW else { throw failure(operation, rc) }
                try row(SQLRow(statement: statement))
            }
        }
    }

    /// The first column of the first row, if any.
    func scalar(_ sql: String, _ arguments: [SQLValue] = [], _ operation: String) throws -> SQLRow.Value? {
        var result: SQLRow.Value?
        try query(sql, arguments, operation) { row in
            if result == nil { result = row.value(0) }
        }
        return result
    }

    /// Runs one or more statements that take no arguments (migrations, pragmas), uncached.
    func executeScript(_ sql: String, _ operation: String) throws {
        guard let db else { throw StoreError.closed(operation, path: path) }
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &errorMessage)
        defer { sqlite3_free(errorMessage) }
        guard rc == SQLITE_OK else {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            throw StoreError(operation: "cannot \(operation) on \(path)", code: rc, message: message)
        }
    }

    /// Rolls back the open transaction, if any; errors are ignored (the original error matters more).
    func rollbackQuietly() {
        guard let db, inTransaction else { return }
        sqlite3_exec(db, "ROLLBACK", nil, nil, nil)
    }

    /// Finalizes every cached statement and closes. Safe to call more than once.
    func close() {
        for statement in statements.values { sqlite3_finalize(statement) }
        statements.removeAll()
        byAddress.removeAll()
        if let db { sqlite3_close_v2(db) }
        db = nil
    }

    /// A `StoreError` for `operation` with the connection's current message.
    func failure(_ operation: String, _ code: Int32) -> StoreError {
        StoreError.sqlite("cannot \(operation) on \(path)", db: db, code: code)
    }

    private func prepared(_ sql: String, _ operation: String) throws -> OpaquePointer {
        let address = sql.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
        if let address, let cached = byAddress[address], cached.sql == sql { return cached.statement }
        if let statement = statements[sql] {
            remember(address, sql, statement)
            return statement
        }
        guard let db else { throw StoreError.closed(operation, path: path) }
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw failure(operation, rc) }
        statements[sql] = statement
        remember(address, sql, statement)
        return statement
    }

    private func remember(_ address: UnsafeRawPointer?, _ sql: String, _ statement: OpaquePointer) {
        guard let address else { return }
        // Built strings (a prune's table names, say) bring new addresses each time: keep it small.
        if byAddress.count >= 256 { byAddress.removeAll() }
        byAddress[address] = (sql, statement)
    }
}
