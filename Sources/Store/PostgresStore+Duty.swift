import FoundationEssentials

/// Who is on duty, and the failed texts `doctor` reads: the same semantics as SQLite's.
extension PostgresStore {
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
                let reset = MemberPause.resetMisses(pool: pool, member: answered)
                try connection.execute(reset.sql, reset.arguments, "count offers")
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
