import FoundationEssentials
import Routing

extension PostgresStore {
    static func call(_ row: [String?]) -> CallOutcome {
        let rung = row.text(10) ?? ""
        return CallOutcome(
            id: row.text(0) ?? "", time: row.date(1) ?? .distantPast, number: row.text(2) ?? "", caller: row.text(3) ?? "",
            pool: row.text(4) ?? "", outcome: row.text(5).flatMap(CallOutcomeKind.init(rawValue:)), member: row.text(6),
            answered: row.date(7), ended: row.date(8), talkSeconds: row.int(9),
            rung: rung.isEmpty ? [] : rung.split(separator: " ").map(String.init),
            recordingURL: row.text(11), recordingSeconds: row.int(12), due: row.date(13))
    }

    package func callFacts(id: String) throws -> CallFacts {
        let operation = "read a call"
        return try read(operation) { connection in
            try connection.script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", operation)
            var facts = CallFacts(id: id)
            if let row = try connection.query(
                """
                SELECT time, "to", "from", pool, member FROM decisions WHERE channel = 'voice' AND id = $1
                ORDER BY time LIMIT 1
                """, [.text(id)], operation).first {
                facts.decision = .init(time: row.date(0) ?? .distantPast, number: row.text(1) ?? "", caller: row.text(2) ?? "",
                                       pool: row.text(3) ?? "", member: row.text(4) ?? "")
            }
            for row in try connection.query(
                #"SELECT id, status, time, "to" FROM status_events WHERE parent = $1 AND kind = 'call' AND id != parent"#,
                [.text(id)], operation).values {
                facts.legs.append(LegEvent(leg: row.text(0) ?? "", member: row.text(3), state: row.text(1) ?? "",
                                           time: row.date(2) ?? .distantPast))
            }
            for row in try connection.query("SELECT status, time FROM status_events WHERE kind = 'call' AND id = $1",
                                            [.text(id)], operation).values {
                guard StatusProgress.isTerminal(kind: .call, status: row.text(0) ?? ""), let time = row.date(1) else { continue }
                facts.ended = max(facts.ended ?? time, time)
            }
            if let row = try connection.query(
                #"SELECT recording_url, duration, "from", "to", time FROM voicemails WHERE call_id = $1 ORDER BY time, recording_url LIMIT 1"#,
                [.text(id)], operation).first {
                facts.voicemail = Voicemail(callID: id, recordingURL: row.text(0) ?? "", duration: row.int(1),
                                            from: row.text(2), to: row.text(3), time: row.date(4) ?? .distantPast)
            }
            if let row = try connection.query("SELECT \(SQLiteStore.callColumns) FROM calls WHERE id = $1", [.text(id)], operation).first {
                facts.stored = Self.call(row)
            }
            return facts
        }
    }

    @discardableResult
    package func saveCall(_ call: CallOutcome, notifications: [PendingNotification]) throws -> Int {
        let operation = "record a call's outcome"
        let encoder = JSONEncoder()
        let payloads = try notifications.map { String(decoding: try encoder.encode($0.call), as: UTF8.self) }
        return try write(operation) { connection in
            try connection.execute(
                """
                INSERT INTO calls (\(SQLiteStore.callColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                ON CONFLICT (id) DO UPDATE SET time = $2, number = $3, caller = $4, pool = $5, outcome = $6, member = $7,
                    answered = $8, ended = $9, talk = $10, rung = $11, recording_url = $12, recording_seconds = $13, due = $14
                """,
                [.text(call.id), SQLValue(call.time), .text(call.number), .text(call.caller), .text(call.pool),
                 SQLValue(call.outcome?.rawValue), SQLValue(call.member), call.answered.map(SQLValue.init) ?? .null,
                 call.ended.map(SQLValue.init) ?? .null, SQLValue(call.talkSeconds), .text(call.rung.joined(separator: " ")),
                 SQLValue(call.recordingURL), SQLValue(call.recordingSeconds), call.due.map(SQLValue.init) ?? .null],
                operation)
            var added = 0
            for (notification, payload) in zip(notifications, payloads) {
                added += try connection.execute(
                    """
                    INSERT INTO notifications (key, call_id, event, channel, target, payload, created, next_attempt)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT DO NOTHING
                    """,
                    [.text(notification.key), .text(notification.callID), .text(notification.event.rawValue),
                     .text(notification.channel.rawValue), .text(notification.target), .text(payload), SQLValue(notification.created)],
                    operation)
            }
            return added
        }
    }

    package func callsToSettle(now: Date, since: Date) throws -> [String] {
        let operation = "find calls to settle"
        return try read(operation) { connection in
            try connection.query(
                """
                SELECT id FROM calls WHERE due IS NOT NULL AND due <= $1
                UNION SELECT parent FROM status_events
                    WHERE parent IS NOT NULL AND time >= $2 AND NOT EXISTS (SELECT 1 FROM calls WHERE calls.id = status_events.parent)
                UNION SELECT call_id FROM voicemails
                    WHERE time >= $2 AND NOT EXISTS (SELECT 1 FROM calls WHERE calls.id = voicemails.call_id)
                LIMIT 1000
                """, [SQLValue(now), SQLValue(since)], operation).values.compactMap { $0.text(0) }
        }
    }

    package func calls(since: Date, outcome: CallOutcomeKind?, pool: String?, limit: Int) throws -> [CallOutcome] {
        try read("read calls") { connection in
            try connection.query(
                """
                SELECT \(SQLiteStore.callColumns) FROM calls
                WHERE time >= $1 AND ($2::text IS NULL OR outcome = $2::text) AND ($3::text IS NULL OR pool = $3::text)
                ORDER BY time DESC, id LIMIT $4
                """, [SQLValue(since), SQLValue(outcome?.rawValue), SQLValue(pool), SQLValue(max(0, limit))], "read calls")
                .values.map(Self.call)
        }
    }

    package func voicemails(since: Date, pool: String?, limit: Int) throws -> [VoicemailEntry] {
        try read("read voicemails") { connection in
            // Caller, number and pool from the call's outcome, else from its decision.
            try connection.query(
                """
                SELECT * FROM (
                    SELECT DISTINCT ON (v.call_id, v.recording_url)
                        v.call_id, v.time, coalesce(c.caller, d."from", v."from", '') AS caller,
                        coalesce(c.number, d."to", v."to", '') AS number, coalesce(c.pool, d.pool, '') AS pool,
                        v.recording_url, v.duration
                    FROM voicemails v
                    LEFT JOIN calls c ON c.id = v.call_id
                    LEFT JOIN LATERAL (SELECT "from", "to", pool FROM decisions
                                       WHERE channel = 'voice' AND id = v.call_id ORDER BY time LIMIT 1) d ON true
                    WHERE v.time >= $1 AND ($2::text IS NULL OR coalesce(c.pool, d.pool) = $2::text)
                    ORDER BY v.call_id, v.recording_url
                ) entries ORDER BY time DESC LIMIT $3
                """, [SQLValue(since), SQLValue(pool), SQLValue(max(0, limit))], "read voicemails").values.map { row in
                VoicemailEntry(callID: row.text(0) ?? "", time: row.date(1) ?? .distantPast, caller: row.text(2) ?? "",
                               number: row.text(3) ?? "", pool: row.text(4) ?? "", recordingURL: row.text(5) ?? "", seconds: row.int(6))
            }
        }
    }

    /// Leased with `FOR UPDATE SKIP LOCKED`: two instances claiming at once never get the same one.
    package func claimNotifications(now: Date, lease: Double, limit: Int) throws -> [PendingNotification] {
        let operation = "claim notifications"
        let decoder = JSONDecoder()
        return try write(operation) { connection in
            let rows = try connection.query(
                """
                WITH due AS (
                    SELECT key, next_attempt AS was FROM notifications
                    WHERE sent IS NULL AND failed IS NULL AND next_attempt <= $1
                    ORDER BY next_attempt LIMIT $2 FOR UPDATE SKIP LOCKED
                )
                UPDATE notifications n SET next_attempt = $3, attempts = n.attempts + 1 FROM due WHERE n.key = due.key
                RETURNING n.key, n.call_id, n.event, n.channel, n.target, n.payload, n.created, n.attempts, due.was
                """, [SQLValue(now), SQLValue(max(0, limit)), SQLValue(now.addingTimeInterval(lease))], operation)
            return rows.values.sorted { ($0.double(8) ?? 0, $0.text(0) ?? "") < ($1.double(8) ?? 0, $1.text(0) ?? "") }.compactMap { row in
                guard let event = row.text(2).flatMap(NotificationEvent.init(rawValue:)),
                      let channel = row.text(3).flatMap(PendingNotification.Channel.init(rawValue:)),
                      let call = try? decoder.decode(CallOutcome.self, from: Data((row.text(5) ?? "").utf8)) else { return nil }
                return PendingNotification(callID: row.text(1) ?? "", event: event, channel: channel, target: row.text(4) ?? "",
                                           call: call, created: row.date(6) ?? .distantPast, attempts: row.int(7) ?? 1)
            }
        }
    }

    package func finishNotification(key: String, _ result: NotificationResult) throws {
        let operation = "record a notification"
        let update = result.update(key: key)
        try write(operation) { try $0.execute(update.sql, update.arguments, operation) }
    }

    package func notificationCounts() throws -> [NotificationCounts] {
        try read("count notifications") { connection in
            try connection.query(
                """
                SELECT channel, count(*) FILTER (WHERE sent IS NOT NULL), count(*) FILTER (WHERE sent IS NULL AND failed IS NULL),
                    count(*) FILTER (WHERE failed IS NOT NULL)
                FROM notifications GROUP BY channel ORDER BY channel
                """, [], "count notifications").values.map { row in
                NotificationCounts(channel: row.text(0) ?? "", sent: row.int(1) ?? 0, pending: row.int(2) ?? 0, failed: row.int(3) ?? 0)
            }
        }
    }
}
