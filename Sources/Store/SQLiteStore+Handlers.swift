import FoundationEssentials

extension SQLiteStore {
    package func keepHandlers(_ handlers: SavedHandlers) throws {
        try write("keep handler fields") { connection in
            var kept = handlers
            try connection.query("SELECT fields, saved FROM number_handlers WHERE number = ?", [.text(handlers.number)], "keep handler fields") { row in
                if let old = SavedHandlers.decodeFields(row.text(0)) {
                    kept = SavedHandlers(number: handlers.number, numberID: handlers.numberID, fields: old, saved: row.date(1)).adding(handlers)
                }
            }
            try connection.execute(
                """
                INSERT INTO number_handlers (number, number_id, fields, saved) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (number) DO UPDATE SET number_id = excluded.number_id, fields = excluded.fields
                """,
                [.text(kept.number), .text(kept.numberID), .text(try SavedHandlers.encodeFields(kept.fields)), SQLValue(handlers.saved)], "keep handler fields")
        }
    }

    package func keptHandlers() throws -> [SavedHandlers] {
        try read("list kept handler fields") { connection in
            var rows: [SavedHandlers] = []
            try connection.query("SELECT number, number_id, fields, saved FROM number_handlers ORDER BY number", [], "list kept handler fields") { row in
                rows.append(SavedHandlers(number: row.text(0) ?? "", numberID: row.text(1) ?? "", fields: SavedHandlers.decodeFields(row.text(2)) ?? [:],
                                          saved: row.date(3)))
            }
            return rows
        }
    }

    package func forgetHandlers(number: String) throws {
        try write("forget handler fields") { connection in
            try connection.execute("DELETE FROM number_handlers WHERE number = ?", [.text(number)], "forget handler fields")
        }
    }
}
