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

    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        switch self {
        case .text(var text):
            // SQLite copies the bytes (SQLITE_TRANSIENT): lend it the string's own UTF-8.
            return text.withUTF8 { buffer in
                guard let base = buffer.baseAddress, !buffer.isEmpty else { return sb_sqlite3_bind_text(statement, index, "", 0) }
                return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    sb_sqlite3_bind_text(statement, index, $0, Int32(buffer.count))
                }
            }
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

    func text(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(statement, column) else { return nil }
        return String(cString: pointer)
    }

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(statement, column)) }

    func date(_ column: Int32) -> Date {
        Date(timeIntervalSince1970: sqlite3_column_double(statement, column))
    }
}
