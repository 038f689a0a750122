import FoundationEssentials

extension SQLiteStore {
    package func pauseMember(_ pause: MemberPause) throws {
        try write("pause member") { connection in
            try connection.execute(
                """
                INSERT INTO member_pauses (pool, member, paused_by, reason, until, since) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                ON CONFLICT (pool, member) DO UPDATE SET paused_by = excluded.paused_by, reason = excluded.reason,
                    until = excluded.until, since = excluded.since
                """,
                [.text(pause.pool), .text(pause.member), .text(pause.by.rawValue), SQLValue(pause.reason),
                 pause.until.map { SQLValue($0) } ?? .null, SQLValue(pause.since)], "pause member")
            try connection.execute("DELETE FROM member_misses WHERE pool = ? AND member = ?",
                                   [.text(pause.pool), .text(pause.member)], "pause member")
        }
    }

    @discardableResult
    package func resumeMember(pool: String, member: String) throws -> Bool {
        try write("resume member") { connection in
            try connection.execute("DELETE FROM member_misses WHERE pool = ? AND member = ?", [.text(pool), .text(member)], "resume member")
            return try connection.execute("DELETE FROM member_pauses WHERE pool = ? AND member = ?",
                                          [.text(pool), .text(member)], "resume member") > 0
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
                try connection.execute("DELETE FROM member_misses WHERE pool = ? AND member = ?", [.text(pool), .text(answered)], "count offers")
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
