import CSQLite
import FoundationEssentials

/// A value bound to a statement parameter. Times are stored as Unix epoch seconds (REAL).
enum SQLValue {
    case text(String)
    case real(Double)
    case integer(Int64)
    case null

    init(_ text: String?) { self = text.map { .text($0) } ?? .null }
    init(_ date: Date) { self = .real(date.timeIntervalSince1970) }
    init(_ number: Int?) { self = number.map { .integer(Int64($0)) } ?? .null }

    /// Binds the value to parameter `index`. A text is copied to `texts + used` (room for every text of
    /// the statement's arguments, alive until the statement is reset) and bound from there without
    /// SQLite copying it again; `used` moves past it.
    func bind(to statement: OpaquePointer, at index: Int32, texts: UnsafeMutableRawPointer, used: inout Int) -> Int32 {
        switch self {
        case .text(var text):
            let start = texts + used
            let count = text.withUTF8 { utf8 -> Int in
                if let base = utf8.baseAddress, !utf8.isEmpty { start.copyMemory(from: base, byteCount: utf8.count) }
                return utf8.count
            }
            used += count
            // Never a null pointer, which SQLite would take for NULL: an empty text is an empty text.
            return sb_sqlite3_bind_text_static(statement, index, start.assumingMemoryBound(to: CChar.self), Int32(count))
        case .real(let value): return sqlite3_bind_double(statement, index, value)
        case .integer(let value): return sqlite3_bind_int64(statement, index, value)
        case .null: return sqlite3_bind_null(statement, index)
        }
    }
}

/// The current row of a stepping statement; valid only inside the `query` callback.
struct SQLRow {
    let statement: OpaquePointer

    /// A column's value, copied out of SQLite.
    enum Value: Equatable {
        case text(String)
        case real(Double)
        case integer(Int64)
        case null

        var int: Int? {
            switch self {
            case .integer(let value): Int(value)
            case .real(let value): Int(value)
            case .text(let text): Int(text)
            case .null: nil
            }
        }

        var text: String? {
            switch self {
            case .text(let text): text
            case .integer(let value): String(value)
            case .real(let value): String(value)
            case .null: nil
            }
        }
    }

    func value(_ column: Int32) -> Value {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: .integer(sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT: .real(sqlite3_column_double(statement, column))
        case SQLITE_NULL: .null
        default: text(column).map(Value.text) ?? .null
        }
    }

    /// The column's text, all of its bytes (a NUL inside is kept).
    func text(_ column: Int32) -> String? {
        // sqlite3_column_text first, then the length of what it returned (SQLite's rule for the pair).
        guard let pointer = sqlite3_column_text(statement, column) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(statement, column)) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

    func date(_ column: Int32) -> Date {
        Date(timeIntervalSince1970: sqlite3_column_double(statement, column))
    }
}
