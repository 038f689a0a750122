import FoundationEssentials

extension SQLiteStore {
    /// Stores `event` once per (kind, id, status, sequence); then moves the current status of
    /// (kind, id) to it only if `StatusProgress` says it is a step forward.
    @discardableResult
    package func recordStatus(_ event: StatusEvent) throws -> StatusOutcome {
        try write("record status") { try Self.insertStatus(event, $0) }
    }

    /// `recordStatus` without blocking: the event joins the next group-commit batch, and `completion`
    /// runs on the writer queue once that batch has committed (or failed).
    package func recordStatus(_ event: StatusEvent, completion: @escaping @Sendable (Result<StatusOutcome, any Error>) -> Void) {
        enqueue("record status", completion: completion) { try Self.insertStatus(event, $0) }
    }

    static func insertStatus(_ event: StatusEvent, _ connection: SQLiteConnection) throws -> StatusOutcome {
        let operation = "record status"
        let inserted = try connection.execute(
            """
            INSERT OR IGNORE INTO status_events (kind, id, status, sequence, time, "from", "to", detail, parent)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(event.kind.rawValue), .text(event.id), .text(event.status), .text(event.sequence),
             SQLValue(event.time), SQLValue(event.from), SQLValue(event.to), SQLValue(event.detail), SQLValue(event.parent)],
            operation)
        guard inserted > 0 else { return .duplicate }

        let rank = StatusProgress.rank(kind: event.kind, status: event.status)
        let current = try connection.scalar(
            "SELECT rank FROM status_current WHERE id = ? AND kind = ?",
            [.text(event.id), .text(event.kind.rawValue)], operation)?.int
        guard let rank, StatusProgress.advances(from: current, to: rank) else { return .storedOnly }
        try connection.execute(
            """
            INSERT INTO status_current (id, kind, status, rank, updated) VALUES (?1, ?2, ?3, ?4, ?5)
            ON CONFLICT (id, kind) DO UPDATE
            SET status = excluded.status, rank = excluded.rank, updated = excluded.updated
            """,
            [.text(event.id), .text(event.kind.rawValue), .text(event.status), SQLValue(rank),
             SQLValue(event.time)], operation)
        return .advanced
    }

    /// The current status of the call or message `id` (the most recently updated, should a call
    /// and a message share an id), or nil when no known status was recorded for it.
    package func currentStatus(id: String) throws -> String? {
        try read("read current status") { connection in
            try connection.scalar(
                "SELECT status FROM status_current WHERE id = ? ORDER BY updated DESC LIMIT 1",
                [.text(id)], "read current status")?.text
        }
    }
}

extension SQLiteStore {
    package func messageFailures(since: Date, limit: Int) throws -> [StatusEvent] {
        try read("read message failures") { connection in
            var events: [StatusEvent] = []
            try connection.query(
                """
                SELECT id, status, sequence, time, "from", "to", detail FROM status_events
                WHERE kind = 'message' AND status IN ('failed', 'undelivered') AND time >= ?
                ORDER BY time DESC LIMIT ?
                """,
                [SQLValue(since), SQLValue(limit)], "read message failures") { row in
                events.append(StatusEvent(kind: .message, id: row.text(0) ?? "", status: row.text(1) ?? "", sequence: row.text(2) ?? "",
                                          time: row.date(3), from: row.text(4), to: row.text(5), detail: row.text(6)))
            }
            return events
        }
    }
}
