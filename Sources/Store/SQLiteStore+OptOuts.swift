import FoundationEssentials

extension SQLiteStore {
    package func setOptOut(poolNumber: String, customer: String, keyword: String?, at time: Date) throws {
        try write("record opt-out") { connection in
            if let keyword {
                try connection.execute(
                    """
                    INSERT INTO opt_outs (pool_number, customer, keyword, time) VALUES (?1, ?2, ?3, ?4)
                    ON CONFLICT (pool_number, customer) DO UPDATE SET keyword = excluded.keyword, time = excluded.time
                    """,
                    [.text(poolNumber), .text(customer), .text(keyword), SQLValue(time)], "record opt-out")
            } else {
                try connection.execute("DELETE FROM opt_outs WHERE pool_number = ? AND customer = ?",
                                       [.text(poolNumber), .text(customer)], "record opt-in")
            }
        }
    }

    package func isOptedOut(poolNumber: String, customer: String) throws -> Bool {
        try read("look up opt-out") { connection in
            try connection.scalar("SELECT 1 FROM opt_outs WHERE pool_number = ? AND customer = ?",
                                  [.text(poolNumber), .text(customer)], "look up opt-out") != nil
        }
    }

    package func optOuts() throws -> [OptOut] {
        try read("list opt-outs") { connection in
            var rows: [OptOut] = []
            try connection.query("SELECT pool_number, customer, keyword, time FROM opt_outs ORDER BY time DESC",
                                 [], "list opt-outs") { row in
                rows.append(OptOut(poolNumber: row.text(0) ?? "", customer: row.text(1) ?? "", keyword: row.text(2) ?? "",
                                   time: row.date(3)))
            }
            return rows
        }
    }
}
