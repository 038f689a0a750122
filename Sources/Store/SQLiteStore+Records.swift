import FoundationEssentials
import Routing

extension SQLiteStore {
    /// Stores a voicemail; a repeated callback for the same call and recording is ignored.
    package func recordVoicemail(_ voicemail: Voicemail) throws {
        try write("record voicemail") { try Self.insertVoicemail(voicemail, $0) }
    }

    /// `recordVoicemail` without blocking, in the next group-commit batch.
    package func recordVoicemail(_ voicemail: Voicemail, completion: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        enqueue("record voicemail", completion: completion) { try Self.insertVoicemail(voicemail, $0) }
    }

    static func insertVoicemail(_ voicemail: Voicemail, _ connection: SQLiteConnection) throws {
        try connection.execute(
            """
            INSERT OR IGNORE INTO voicemails (call_id, recording_url, duration, "from", "to", time)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
            [.text(voicemail.callID), .text(voicemail.recordingURL), SQLValue(voicemail.duration),
             SQLValue(voicemail.from), SQLValue(voicemail.to), SQLValue(voicemail.time)],
            "record voicemail")
    }

    /// Remembers the customer for (poolNumber, member); an older record never replaces a newer one.
    package func recordConversation(poolNumber: String, member: String, customer: String, at time: Date) throws {
        try write("record conversation") { connection in
            try connection.upsertConversation(poolNumber: poolNumber, member: member, customer: customer, time: time, "record conversation")
        }
    }

    package func openConversations(poolNumber: String, member: String, since: Date, callPools: [String]) throws -> [String] {
        let operation = "look up conversations"
        return try read(operation) { connection in
            var pairs: [(customer: String, time: Double)] = []
            func add(_ row: SQLRow) {
                guard let customer = row.text(0) else { return }
                pairs.append((customer, row.date(1).timeIntervalSince1970))
            }
            try connection.query(
                "SELECT customer, time FROM threads WHERE pool_number = ? AND member = ? AND time >= ? ORDER BY time DESC LIMIT 50",
                [.text(poolNumber), .text(member), SQLValue(since)], operation, row: add)
            // Calls, newest first through the (pool, member, time) index, the other numbers' skipped.
            for pool in Set(callPools) {
                try connection.query(
                    """
                    SELECT "from", time FROM decisions WHERE pool = ? AND member = ? AND time >= ? AND "to" = ? AND channel = 'voice'
                    ORDER BY time DESC LIMIT 50
                    """,
                    [.text(pool), .text(member), SQLValue(since), .text(poolNumber)], operation, row: add)
            }
            return newestCustomers(pairs)
        }
    }

    /// Deletes decisions, status events (and current statuses not updated since), voicemails,
    /// conversations, call outcomes and notifications older than `cutoff`, in one transaction. Round-robin positions are kept.
    @discardableResult
    package func prune(olderThan cutoff: Date) throws -> Int {
        try write("prune") { connection in
            var deleted = 0
            for table in ["decisions", "status_events", "voicemails", "threads", "sticky", "calls"] {
                deleted += try connection.execute("DELETE FROM \(table) WHERE time < ?", [SQLValue(cutoff)], "prune")
            }
            deleted += try connection.execute("DELETE FROM notifications WHERE created < ?", [SQLValue(cutoff)], "prune")
            deleted += try connection.execute(
                "DELETE FROM status_current WHERE updated < ?", [SQLValue(cutoff)], "prune")
            return deleted
        }
    }

    /// Decisions since `since`, counted per channel, dialed number, pool and member, in that order.
    package func stats(since: Date) throws -> [StatsRow] {
        try read("read stats") { connection in
            var rows: [StatsRow] = []
            try connection.query(
                """
                SELECT channel, "to", pool, member, count(*) FROM decisions WHERE time >= ?
                GROUP BY channel, "to", pool, member ORDER BY channel, "to", pool, member
                """,
                [SQLValue(since)], "read stats") { row in
                guard let channel = row.text(0).flatMap(Channel.init(rawValue:)) else { return }
                rows.append(StatsRow(channel: channel, number: row.text(1) ?? "", pool: row.text(2) ?? "",
                                     member: row.text(3) ?? "", count: row.int(4)))
            }
            return rows
        }
    }

    /// The newest `limit` decisions of `channel`, newest first.
    package func recentDecisions(channel: Channel, limit: Int) throws -> [DecisionRecord] {
        try read("read recent decisions") { connection in
            var records: [DecisionRecord] = []
            try connection.query(
                """
                SELECT time, id, "from", "to", pool, member FROM decisions WHERE channel = ?
                ORDER BY time DESC, rowid DESC LIMIT ?
                """,
                [.text(channel.rawValue), SQLValue(max(0, limit))], "read recent decisions") { row in
                records.append(DecisionRecord(
                    time: row.date(0), channel: channel, id: row.text(1) ?? "", from: row.text(2) ?? "",
                    to: row.text(3) ?? "", pool: row.text(4) ?? "", member: row.text(5) ?? ""))
            }
            return records
        }
    }
}
