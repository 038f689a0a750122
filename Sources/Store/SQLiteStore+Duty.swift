import FoundationEssentials

extension SQLiteStore {
    package func pauseMember(_ pause: MemberPause) throws {
        try write("pause member") { connection in
            for statement in pause.storeStatements { try connection.execute(statement.sql, statement.arguments, "pause member") }
        }
    }

    @discardableResult
    package func resumeMember(pool: String, member: String) throws -> Bool {
        try write("resume member") { connection in
            var changed = 0
            for statement in MemberPause.resumeStatements(pool: pool, member: member) {
                changed = try connection.execute(statement.sql, statement.arguments, "resume member")
            }
            return changed > 0
        }
    }

    package func memberPauses() throws -> [MemberPause] {
        try read("list member pauses") { connection in
            var pauses: [MemberPause] = []
            try connection.query("SELECT pool, member, paused_by, reason, until, since FROM member_pauses ORDER BY pool, member", [],
                                 "list member pauses") { row in
                pauses.append(MemberPause(pool: row.text(0) ?? "", member: row.text(1) ?? "",
                                          by: MemberPause.Source(rawValue: row.text(2) ?? "") ?? .cli, reason: row.text(3),
                                          until: row.isNull(4) ? nil : row.date(4), since: row.date(5)))
            }
            return pauses
        }
    }

    package func countOffers(pool: String, missed: [String], answered: String?) throws -> [String: Int] {
        try write("count offers") { connection in
            var counts: [String: Int] = [:]
            if let answered {
                let reset = MemberPause.resetMisses(pool: pool, member: answered)
                try connection.execute(reset.sql, reset.arguments, "count offers")
                counts[answered] = 0
            }
            for member in Set(missed).subtracting([answered].compactMap { $0 }).sorted() {
                try connection.execute(
                    """
                    INSERT INTO member_misses (pool, member, misses) VALUES (?1, ?2, 1)
                    ON CONFLICT (pool, member) DO UPDATE SET misses = misses + 1
                    """, [.text(pool), .text(member)], "count offers")
                counts[member] = try connection.scalar("SELECT misses FROM member_misses WHERE pool = ? AND member = ?",
                                                       [.text(pool), .text(member)], "count offers")?.int ?? 0
            }
            return counts
        }
    }
}
