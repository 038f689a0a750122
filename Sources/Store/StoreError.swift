import CSQLite

/// A failed store operation: what was being done, SQLite's result code and its message.
///
/// `description` reads like "cannot open database at /x: unable to open database file (14)".
public struct StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What failed, with the database path where it helps ("cannot open database at /x").
    public var operation: String
    /// The SQLite (extended) result code, e.g. 14 for `SQLITE_CANTOPEN`, 8 for `SQLITE_READONLY`.
    public var code: Int32
    /// `sqlite3_errmsg` at the time of the failure, or a message of the store's own.
    public var message: String

    public init(operation: String, code: Int32, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    public var description: String { "\(operation): \(message) (\(code))" }

    /// The primary result code (`code & 0xff`), e.g. `SQLITE_BUSY` for `SQLITE_BUSY_SNAPSHOT`.
    public var primaryCode: Int32 { code & 0xff }

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
