import FoundationEssentials
import Routing

extension PostgresStore {
    /// Stores `event` once per (kind, id, status, sequence), then moves the current status only
    /// forward, in one statement that another instance's concurrent event cannot interleave with.
    @discardableResult
    package func recordStatus(_ event: StatusEvent) throws -> StatusOutcome {
        try write("record status") { try Self.insertStatus(event, $0) }
    }

    package func recordStatus(_ event: StatusEvent, completion: @escaping @Sendable (Result<StatusOutcome, any Error>) -> Void) {
        enqueue(completion: completion) { try Self.insertStatus(event, $0) }
    }

    static func insertStatus(_ event: StatusEvent, _ connection: PostgresConnection) throws -> StatusOutcome {
        let operation = "record status"
        let inserted = try connection.execute(
            """
            INSERT INTO status_events (kind, id, status, sequence, time, "from", "to", detail, parent)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING
            """,
            [.text(event.kind.rawValue), .text(event.id), .text(event.status), .text(event.sequence),
             SQLValue(event.time), SQLValue(event.from), SQLValue(event.to), SQLValue(event.detail), SQLValue(event.parent)],
            operation)
        guard inserted > 0 else { return .duplicate }
        guard let rank = StatusProgress.rank(kind: event.kind, status: event.status) else { return .storedOnly }
        // Only a strictly higher rank replaces the current status (`StatusProgress.advances`).
        let moved = try connection.execute(
            """
            INSERT INTO status_current (id, kind, status, rank, updated) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (id, kind) DO UPDATE SET status = excluded.status, rank = excluded.rank, updated = excluded.updated
            WHERE status_current.rank < excluded.rank
            """,
            [.text(event.id), .text(event.kind.rawValue), .text(event.status), SQLValue(rank), SQLValue(event.time)], operation)
        return moved > 0 ? .advanced : .storedOnly
    }

    package func currentStatus(id: String) throws -> String? {
        try read("read current status") { connection in
            try connection.query("SELECT status FROM status_current WHERE id = $1 ORDER BY updated DESC LIMIT 1",
                                 [.text(id)], "read current status").scalar
        }
    }

    package func recordVoicemail(_ voicemail: Voicemail) throws {
        try write("record voicemail") { try Self.insertVoicemail(voicemail, $0) }
    }

    package func recordVoicemail(_ voicemail: Voicemail, completion: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        enqueue(completion: completion) { try Self.insertVoicemail(voicemail, $0) }
    }

    static func insertVoicemail(_ voicemail: Voicemail, _ connection: PostgresConnection) throws {
        try connection.execute(
            """
            INSERT INTO voicemails (call_id, recording_url, duration, "from", "to", time)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
            """,
            [.text(voicemail.callID), .text(voicemail.recordingURL), SQLValue(voicemail.duration),
             SQLValue(voicemail.from), SQLValue(voicemail.to), SQLValue(voicemail.time)],
            "record voicemail")
    }

    package func recordConversation(poolNumber: String, member: String, customer: String, at time: Date) throws {
        try write("record conversation") { connection in
            try connection.upsertConversation(poolNumber: poolNumber, member: member, customer: customer, time: time, "record conversation")
        }
    }

    package func openConversations(poolNumber: String, member: String, since: Date, callPools: [String]) throws -> [String] {
        let operation = "look up conversations"
        return try read(operation) { connection in
            var pairs: [(customer: String, time: Double)] = []
            func add(_ rows: PostgresRows) {
                for row in rows.values {
                    if let customer = row.text(0), let time = row.double(1) { pairs.append((customer, time)) }
                }
            }
            add(try connection.query(
                "SELECT customer, time FROM threads WHERE pool_number = $1 AND member = $2 AND time >= $3 ORDER BY time DESC LIMIT 50",
                [.text(poolNumber), .text(member), SQLValue(since)], operation))
            for pool in Set(callPools) {
                add(try connection.query(
                    """
                    SELECT "from", time FROM decisions WHERE pool = $1 AND member = $2 AND time >= $3 AND "to" = $4 AND channel = 'voice'
                    ORDER BY time DESC LIMIT 50
                    """, [.text(pool), .text(member), SQLValue(since), .text(poolNumber)], operation))
            }
            return newestCustomers(pairs)
        }
    }

    package func setOptOut(poolNumber: String, customer: String, keyword: String?, at time: Date) throws {
        try write("record opt-out") { connection in
            if let keyword {
                try connection.execute(
                    """
                    INSERT INTO opt_outs (pool_number, customer, keyword, time) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (pool_number, customer) DO UPDATE SET keyword = excluded.keyword, time = excluded.time
                    """, [.text(poolNumber), .text(customer), .text(keyword), SQLValue(time)], "record opt-out")
            } else {
                try connection.execute("DELETE FROM opt_outs WHERE pool_number = $1 AND customer = $2",
                                       [.text(poolNumber), .text(customer)], "record opt-in")
            }
        }
    }

    package func isOptedOut(poolNumber: String, customer: String) throws -> Bool {
        try read("look up opt-out") { connection in
            try connection.query("SELECT 1 FROM opt_outs WHERE pool_number = $1 AND customer = $2",
                                 [.text(poolNumber), .text(customer)], "look up opt-out").first != nil
        }
    }

    package func optOuts() throws -> [OptOut] {
        try read("list opt-outs") { connection in
            try connection.query("SELECT pool_number, customer, keyword, time FROM opt_outs ORDER BY time DESC", [], "list opt-outs")
                .values.map { row in
                    OptOut(poolNumber: row.text(0) ?? "", customer: row.text(1) ?? "", keyword: row.text(2) ?? "",
                           time: row.date(3) ?? .distantPast)
                }
        }
    }

    package func keepHandlers(_ handlers: SavedHandlers) throws {
        let operation = "keep handler fields"
        try write(operation) { connection in
            var kept = handlers
            // Locked, so that two instances keeping the same number merge rather than overwrite.
            let old = try connection.query("SELECT fields, saved FROM number_handlers WHERE number = $1 FOR UPDATE",
                                           [.text(handlers.number)], operation).first
            if let old, let fields = SavedHandlers.decodeFields(old.text(0)) {
                kept = SavedHandlers(number: handlers.number, numberID: handlers.numberID, fields: fields,
                                     saved: old.date(1) ?? handlers.saved).adding(handlers)
            }
            try connection.execute(
                """
                INSERT INTO number_handlers (number, number_id, fields, saved) VALUES ($1, $2, $3, $4)
                ON CONFLICT (number) DO UPDATE SET number_id = excluded.number_id, fields = excluded.fields
                """, [.text(kept.number), .text(kept.numberID), .text(try SavedHandlers.encodeFields(kept.fields)),
                      SQLValue(handlers.saved)], operation)
        }
    }

    package func keptHandlers() throws -> [SavedHandlers] {
        try read("list kept handler fields") { connection in
            try connection.query("SELECT number, number_id, fields, saved FROM number_handlers ORDER BY number", [],
                                 "list kept handler fields").values.map { row in
                SavedHandlers(number: row.text(0) ?? "", numberID: row.text(1) ?? "", fields: SavedHandlers.decodeFields(row.text(2)) ?? [:],
                              saved: row.date(3) ?? .distantPast)
            }
        }
    }

    package func forgetHandlers(number: String) throws {
        try write("forget handler fields") { connection in
            try connection.execute("DELETE FROM number_handlers WHERE number = $1", [.text(number)], "forget handler fields")
        }
    }

    /// Deletes what is older than `cutoff`, in one transaction; round-robin positions are kept.
    @discardableResult
    package func prune(olderThan cutoff: Date) throws -> Int {
        try write("prune") { connection in
            var deleted = 0
            for table in ["decisions", "status_events", "voicemails", "threads", "calls"] {
                deleted += try connection.execute("DELETE FROM \(table) WHERE time < $1", [SQLValue(cutoff)], "prune")
            }
            deleted += try connection.execute("DELETE FROM notifications WHERE created < $1", [SQLValue(cutoff)], "prune")
            deleted += try connection.execute("DELETE FROM status_current WHERE updated < $1", [SQLValue(cutoff)], "prune")
            // Not a record anyone asked for: not counted.
            try connection.execute("DELETE FROM commit_barrier WHERE time < $1", [SQLValue(cutoff)], "prune")
            return deleted
        }
    }

    package func stats(since: Date) throws -> [StatsRow] {
        try read("read stats") { connection in
            try connection.query(
                """
                SELECT channel, "to", pool, member, count(*) FROM decisions WHERE time >= $1
                GROUP BY channel, "to", pool, member ORDER BY channel, "to", pool, member
                """, [SQLValue(since)], "read stats").values.compactMap { row in
                guard let channel = row.text(0).flatMap(Channel.init(rawValue:)) else { return nil }
                return StatsRow(channel: channel, number: row.text(1) ?? "", pool: row.text(2) ?? "", member: row.text(3) ?? "",
                                count: row.int(4) ?? 0)
            }
        }
    }

    package func recentDecisions(channel: Channel, limit: Int) throws -> [DecisionRecord] {
        try read("read recent decisions") { connection in
            try connection.query(
                """
                SELECT time, id, "from", "to", pool, member FROM decisions WHERE channel = $1
                ORDER BY time DESC, seq DESC LIMIT $2
                """, [.text(channel.rawValue), SQLValue(max(0, limit))], "read recent decisions").values.map { row in
                DecisionRecord(time: row.date(0) ?? .distantPast, channel: channel, id: row.text(1) ?? "", from: row.text(2) ?? "",
                               to: row.text(3) ?? "", pool: row.text(4) ?? "", member: row.text(5) ?? "")
            }
        }
    }
}
