import FoundationEssentials
import Routing

extension SQLiteStore {
    static let callColumns = """
        id, time, number, caller, pool, outcome, member, answered, ended, talk, rung, recording_url, recording_seconds, due
        """

    static func call(_ row: SQLRow) -> CallOutcome {
        func date(_ column: Int32) -> Date? { row.isNull(column) ? nil : row.date(column) }
        func int(_ column: Int32) -> Int? { row.isNull(column) ? nil : row.int(column) }
        let rung = row.text(10) ?? ""
        return CallOutcome(
            id: row.text(0) ?? "", time: row.date(1), number: row.text(2) ?? "", caller: row.text(3) ?? "",
            pool: row.text(4) ?? "", outcome: row.text(5).flatMap(CallOutcomeKind.init(rawValue:)), member: row.text(6),
            answered: date(7), ended: date(8), talkSeconds: int(9),
            rung: rung.isEmpty ? [] : rung.split(separator: " ").map(String.init),
            recordingURL: row.text(11), recordingSeconds: int(12), due: date(13))
    }

    package func callFacts(id: String) throws -> CallFacts {
        let operation = "read a call"
        return try read(operation) { connection in
            var facts = CallFacts(id: id)
            try connection.query(
                """
                SELECT time, "to", "from", pool, member FROM decisions WHERE channel = 'voice' AND id = ?
                ORDER BY time LIMIT 1
                """, [.text(id)], operation) { row in
                facts.decision = .init(time: row.date(0), number: row.text(1) ?? "", caller: row.text(2) ?? "",
                                       pool: row.text(3) ?? "", member: row.text(4) ?? "")
            }
            try connection.query(
                #"SELECT id, status, time, "to" FROM status_events WHERE parent = ? AND kind = 'call' AND id != parent"#,
                [.text(id)], operation) { row in
                facts.legs.append(LegEvent(leg: row.text(0) ?? "", member: row.text(3), state: row.text(1) ?? "", time: row.date(2)))
            }
            try connection.query(
                "SELECT status, time FROM status_events WHERE kind = 'call' AND id = ?", [.text(id)], operation) { row in
                guard StatusProgress.isTerminal(kind: .call, status: row.text(0) ?? "") else { return }
                facts.ended = max(facts.ended ?? row.date(1), row.date(1))
            }
            try connection.query(
                #"SELECT recording_url, duration, "from", "to", time FROM voicemails WHERE call_id = ? ORDER BY time, recording_url LIMIT 1"#,
                [.text(id)], operation) { row in
                facts.voicemail = Voicemail(callID: id, recordingURL: row.text(0) ?? "", duration: row.isNull(1) ? nil : row.int(1),
                                            from: row.text(2), to: row.text(3), time: row.date(4))
            }
            try connection.query(
                "SELECT \(Self.callColumns) FROM calls WHERE id = ?", [.text(id)], operation) { row in
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
                INSERT INTO calls (\(Self.callColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                ON CONFLICT (id) DO UPDATE SET time = ?2, number = ?3, caller = ?4, pool = ?5, outcome = ?6, member = ?7,
                    answered = ?8, ended = ?9, talk = ?10, rung = ?11, recording_url = ?12, recording_seconds = ?13, due = ?14
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
                    INSERT OR IGNORE INTO notifications (key, call_id, event, channel, target, payload, created, next_attempt)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
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
            guard try connection.hasTable("calls") else { return [] }
            var ids: [String] = []
            try connection.query(
                """
                SELECT id FROM calls WHERE due IS NOT NULL AND due <= ?1
                UNION SELECT parent FROM status_events
                    WHERE parent IS NOT NULL AND time >= ?2 AND NOT EXISTS (SELECT 1 FROM calls WHERE calls.id = status_events.parent)
                UNION SELECT call_id FROM voicemails
                    WHERE time >= ?2 AND NOT EXISTS (SELECT 1 FROM calls WHERE calls.id = voicemails.call_id)
                LIMIT 1000
                """, [SQLValue(now), SQLValue(since)], operation) { row in
                if let id = row.text(0) { ids.append(id) }
            }
            return ids
        }
    }

    package func calls(since: Date, outcome: CallOutcomeKind?, pool: String?, limit: Int) throws -> [CallOutcome] {
        let operation = "read calls"
        return try read(operation) { connection in
            // A database from before call outcomes, read by a command without migrating it: no calls yet.
            guard try connection.hasTable("calls") else { return [] }
            var calls: [CallOutcome] = []
            try connection.query(
                """
                SELECT \(Self.callColumns) FROM calls WHERE time >= ?1 AND (?2 IS NULL OR outcome = ?2) AND (?3 IS NULL OR pool = ?3)
                ORDER BY time DESC, id LIMIT ?4
                """, [SQLValue(since), SQLValue(outcome?.rawValue), SQLValue(pool), SQLValue(max(0, limit))], operation) { row in
                calls.append(Self.call(row))
            }
            return calls
        }
    }

    package func voicemails(since: Date, pool: String?, limit: Int) throws -> [VoicemailEntry] {
        let operation = "read voicemails"
        return try read(operation) { connection in
            let hasCalls = try connection.hasTable("calls")
            // Caller, number and pool from the call's outcome, else from its decision.
            let joined = hasCalls ? "LEFT JOIN calls c ON c.id = v.call_id" : "LEFT JOIN (SELECT NULL AS id, NULL AS caller, NULL AS number, NULL AS pool) c ON 0"
            var entries: [VoicemailEntry] = []
            try connection.query(
                """
                SELECT v.call_id, v.time, coalesce(c.caller, d."from", v."from", ''), coalesce(c.number, d."to", v."to", ''),
                    coalesce(c.pool, d.pool, ''), v.recording_url, v.duration
                FROM voicemails v \(joined)
                LEFT JOIN decisions d ON d.channel = 'voice' AND d.id = v.call_id
                WHERE v.time >= ?1 AND (?2 IS NULL OR coalesce(c.pool, d.pool) = ?2)
                GROUP BY v.call_id, v.recording_url
                ORDER BY v.time DESC LIMIT ?3
                """, [SQLValue(since), SQLValue(pool), SQLValue(max(0, limit))], operation) { row in
                entries.append(VoicemailEntry(
                    callID: row.text(0) ?? "", time: row.date(1), caller: row.text(2) ?? "", number: row.text(3) ?? "",
                    pool: row.text(4) ?? "", recordingURL: row.text(5) ?? "", seconds: row.isNull(6) ? nil : row.int(6)))
            }
            return entries
        }
    }

    package func claimNotifications(now: Date, lease: Double, limit: Int) throws -> [PendingNotification] {
        let operation = "claim notifications"
        let decoder = JSONDecoder()
        return try write(operation) { connection in
            var claimed: [PendingNotification] = []
            try connection.query(
                """
                SELECT key, call_id, event, channel, target, payload, created, attempts FROM notifications
                WHERE sent IS NULL AND failed IS NULL AND next_attempt <= ? ORDER BY next_attempt LIMIT ?
                """, [SQLValue(now), SQLValue(max(0, limit))], operation) { row in
                guard let event = row.text(2).flatMap(NotificationEvent.init(rawValue:)),
                      let channel = row.text(3).flatMap(PendingNotification.Channel.init(rawValue:)),
                      let call = try? decoder.decode(CallOutcome.self, from: Data((row.text(5) ?? "").utf8)) else { return }
                claimed.append(PendingNotification(callID: row.text(1) ?? "", event: event, channel: channel, target: row.text(4) ?? "",
                                                   call: call, created: row.date(6), attempts: row.int(7) + 1))
            }
            for notification in claimed {
                try connection.execute(
                    "UPDATE notifications SET next_attempt = ?, attempts = attempts + 1 WHERE key = ?",
                    [SQLValue(now.addingTimeInterval(lease)), .text(notification.key)], operation)
            }
            return claimed
        }
    }

    package func finishNotification(key: String, _ result: NotificationResult) throws {
        let operation = "record a notification"
        let update = result.update(key: key)
        try write(operation) { try $0.execute(update.sql, update.arguments, operation) }
    }

    package func notificationCounts() throws -> [NotificationCounts] {
        let operation = "count notifications"
        return try read(operation) { connection in
            guard try connection.hasTable("notifications") else { return [] }
            var counts: [NotificationCounts] = []
            try connection.query(
                """
                SELECT channel, sum(sent IS NOT NULL), sum(sent IS NULL AND failed IS NULL), sum(failed IS NOT NULL)
                FROM notifications GROUP BY channel ORDER BY channel
                """, [], operation) { row in
                counts.append(NotificationCounts(channel: row.text(0) ?? "", sent: row.int(1), pending: row.int(2), failed: row.int(3)))
            }
            return counts
        }
    }
}

extension SQLiteConnection {
    func hasTable(_ name: String) throws -> Bool {
        try scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [.text(name)], "read the schema") != nil
    }
}
