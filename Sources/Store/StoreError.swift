import CSQLite

/// A failed store operation: what was being done, SQLite's result code and its message.
///
/// `description` reads like "cannot open database at /x: unable to open database file (14)".
package struct StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What failed, with the database path where it helps ("cannot open database at /x").
    package var operation: String
    /// The SQLite (extended) result code, e.g. 14 for `SQLITE_CANTOPEN`, 8 for `SQLITE_READONLY`.
    package var code: Int32
    /// `sqlite3_errmsg` at the time of the failure, or a message of the store's own.
    package var message: String

    package init(operation: String, code: Int32, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    package var description: String { "\(operation): \(message) (\(code))" }

    /// The primary result code (`code & 0xff`), e.g. `SQLITE_BUSY` for `SQLITE_BUSY_SNAPSHOT`.
    package var primaryCode: Int32 { code & 0xff }

    /// Whether the storage failed (full, read-only, I/O error, locked too long, unopenable or not a
    /// database), rather than the request: such failures make the store degraded.
    package var isStorageFault: Bool {
        [SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL,
         SQLITE_CANTOPEN, SQLITE_NOTADB].contains(primaryCode)
    }

    /// Whether a new connection may cure it: a file that was read-only (SQLite keeps a connection
    /// read-only once it opened so), an I/O error, or a file that could not be opened.
    var callsForReopen: Bool {
        [SQLITE_READONLY, SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_NOTADB].contains(primaryCode)
    }

    /// Every write while the database could not be opened.
    static func notOpen(_ operation: String, path: String, reason: String) -> StoreError {
        StoreError(operation: "cannot \(operation) on \(path)", code: SQLITE_CANTOPEN, message: "the database is not open (\(reason))")
    }

    /// Every call after `close()`.
    static func closed(_ operation: String, path: String) -> StoreError {
        StoreError(operation: "cannot \(operation) on \(path)", code: SQLITE_MISUSE, message: "the store is closed")
    }

    /// The error SQLite reports for `db` right now.
    static func sqlite(_ operation: String, db: OpaquePointer?, code: Int32) -> StoreError {
        let message = db.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
        return StoreError(operation: operation, code: code, message: message)
    }
}
