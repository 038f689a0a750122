import Testing
@testable import Store

/// Arguments bound from the query's own buffer (`SQLITE_STATIC`) come back exactly as given.
@Suite struct SQLiteConnectionBindingTests {
    @Test func argumentsOfEveryKindComeBackAsGiven() throws {
        try withTemporaryConnection { connection in
            try connection.executeScript("CREATE TABLE t (a, b, c, d, e, f)", "test")
            let rows: [[SQLValue]] = [
                [.text(""), .text("+15551111111"), .null, .integer(-7), .real(1.5), .text("clé ☎️ \u{0}nul")],
                [.text(String(repeating: "long text ", count: 200)), .text(""), .text("x"), .null, .integer(Int64.max), .text("")],
                [.null, .null, .null, .null, .null, .null],
            ]
            let insert = "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)"
            for row in rows { try connection.execute(insert, row, "test") }
            var read: [[SQLRow.Value]] = []
            try connection.query("SELECT a, b, c, d, e, f FROM t ORDER BY rowid", [], "test") { row in
                read.append((0..<6).map { row.value(Int32($0)) })
            }
            let expected: [[SQLRow.Value]] = rows.map { row in
                row.map { value in
                    switch value {
                    case .text(let text): .text(text)
                    case .real(let number): .real(number)
                    case .integer(let number): .integer(number)
                    case .null: .null
                    }
                }
            }
            #expect(read == expected)
            // An empty text is stored as text, not as NULL.
            #expect(try connection.scalar("SELECT count(*) FROM t WHERE a = ''", [], "test")?.int == 1)
            #expect(try connection.scalar("SELECT typeof(b) FROM t WHERE rowid = 2", [], "test")?.text == "text")
        }
    }

    /// A query run from another query's row callback binds from a buffer of its own: neither sees the
    /// other's texts.
    @Test func aQueryInsideAnotherKeepsItsOwnTexts() throws {
        try withTemporaryConnection { connection in
            try connection.executeScript("CREATE TABLE t (k TEXT, v TEXT); INSERT INTO t VALUES ('a', 'one'), ('b', 'two'), ('c', 'three')", "test")
            var pairs: [String] = []
            try connection.query("SELECT k FROM t WHERE k >= ? ORDER BY k", [.text("a")], "test") { row in
                let key = row.text(0)!
                let value = try connection.scalar("SELECT v FROM t WHERE k = ?", [.text(key)], "test")?.text
                pairs.append("\(key)=\(value ?? "nil")")
            }
            #expect(pairs == ["a=one", "b=two", "c=three"])
        }
    }
}
