import FoundationEssentials

/// Who is on duty, and the failed texts `doctor` reads: the same semantics as SQLite's.
extension PostgresStore {
    package func pauseMember(_ pause: MemberPause) throws {
        try write("pause member") { connection in
            try connection.execute(
                """
                INSERT INTO member_pauses (pool, member, paused_by, reason, until, since) VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (pool, member) DO UPDATE SET paused_by = excluded.paused_by, reason = excluded.reason,
                    until = excluded.until, since = excluded.since
                """,
                [.text(pause.pool), .text(pause.member), .text(pause.by.rawValue), SQLValue(pause.reason),
                 pause.until.map { SQLValue($0) } ?? .null, SQLValue(pause.since)], "pause member")
            try connection.execute("DELETE FROM member_misses WHERE pool = $1 AND member = $2",
                                   [.text(pause.pool), .text(pause.member)], "pause member")
        }
    }

    @discardableResult
    package func resumeMember(pool: String, member: String) throws -> Bool {
        try write("resume member") { connection in
            try connection.execute("DELETE FROM member_misses WHERE pool = $1 AND member = $2", [.text(pool), .text(member)], "resume member")
            return try connection.execute("DELETE FROM member_pauses WHERE pool = $1 AND member = $2",
                                          [.text(pool), .text(member)], "resume member") > 0
        }
    }

    package func memberPauses() throws -> [MemberPause] {
        try read("list member pauses") { connection in
            try connection.query("SELECT pool, member, paused_by, reason, until, since FROM member_pauses ORDER BY pool, member", [],
                                 "list member pauses").values.map { row in
                MemberPause(pool: row.text(0) ?? "", member: row.text(1) ?? "", by: MemberPause.Source(rawValue: row.text(2) ?? "") ?? .cli,
                            reason: row.text(3), until: row.date(4), since: row.date(5) ?? .distantPast)
            }
        }
    }

    package func countOffers(pool: String, missed: [String], answered: String?) throws -> [String: Int] {
        try write("count offers") { connection in
            var counts: [String: Int] = [:]
            if let answered {
                try connection.execute("DELETE FROM member_misses WHERE pool = $1 AND member = $2", [.text(pool), .text(answered)], "count offers")
                counts[answered] = 0
            }
            for member in Set(missed).subtracting([answered].compactMap { $0 }).sorted() {
                counts[member] = try connection.query(
                    """
                    INSERT INTO member_misses (pool, member, misses) VALUES ($1, $2, 1)
                    ON CONFLICT (pool, member) DO UPDATE SET misses = member_misses.misses + 1
                    RETURNING misses
                    """, [.text(pool), .text(member)], "count offers").scalar.flatMap { Int($0) } ?? 0
            }
            return counts
        }
    }

    package func messageFailures(since: Date, limit: Int) throws -> [StatusEvent] {
        try read("read message failures") { connection in
            try connection.query(
                """
                SELECT id, status, sequence, time, "from", "to", detail FROM status_events
                WHERE kind = 'message' AND status IN ('failed', 'undelivered') AND time >= $1
                ORDER BY time DESC LIMIT $2
                """, [SQLValue(since), SQLValue(limit)], "read message failures").values.map { row in
                StatusEvent(kind: .message, id: row.text(0) ?? "", status: row.text(1) ?? "", sequence: row.text(2) ?? "",
                            time: row.date(3) ?? .distantPast, from: row.text(4), to: row.text(5), detail: row.text(6))
            }
        }
    }
}
