import FoundationEssentials
import Routing

/// Reading pool state and writing decisions: the SQL behind `route` and `poolStates`.
extension SQLiteConnection {
    /// Loads only the parts of `pool`'s state that `needs` names, over `request`'s caller, members and
    /// windows. `stickyTable`: the `sticky` table is complete for this pool (see `StickyPools`);
    /// otherwise the decisions are searched.
    func poolState(_ pool: String, needs: StateNeeds, for request: StateQuery, stickyTable: Bool) throws -> PoolState {
        let (caller, now, members) = (request.caller, request.now, request.members[pool])
        var state = PoolState()
        let operation = "load the state of pool \(pool)"
        if needs.contains(.position) {
            state.lastMember = try pendingPositions?[pool]?.member ?? scalar(
                "SELECT last_member FROM pool_state WHERE pool = ?", [.text(pool)], operation)?.text
        }
        if needs.contains(.lastOffered) {
            if let members {
                for member in members {
                    try query(Self.memberLastOfferedSQL, [.text(pool), .text(member)], operation) { row in
                        if !row.isNull(0) { state.lastOffered[member] = row.date(0) }
                    }
                }
            } else {
                try query(Self.lastOfferedSQL, [.text(pool)], operation) { row in
                    if let member = row.text(0) { state.lastOffered[member] = row.date(1) }
                }
            }
        }
        if needs.contains(.recentCounts) {
            if let members {
                for member in members {
                    let arguments: [SQLValue] = [.text(pool), .text(member), SQLValue(now - request.recentWindow), SQLValue(now)]
                    try query(Self.memberRecentCountSQL, arguments, operation) { row in
                        if row.int(0) > 0 { state.recentCounts[member] = row.int(0) }
                    }
                }
            } else {
                let arguments: [SQLValue] = [.text(pool), SQLValue(now - request.recentWindow), SQLValue(now)]
                try query(Self.recentCountsSQL, arguments, operation) { row in
                    if let member = row.text(0), row.int(1) > 0 { state.recentCounts[member] = row.int(1) }
                }
            }
        }
        if needs.contains(.sticky) {
            let arguments: [SQLValue] = [.text(pool), .text(caller), SQLValue(now - request.stickyWindow), SQLValue(now)]
            state.stickyMember = try scalar(stickyTable ? Self.stickySQL : Self.stickyFromDecisionsSQL, arguments, operation)?.text
        }
        if needs.contains(.conversation) {
            state.conversationMember = try scalar(
                "SELECT member FROM threads WHERE pool_number = ? AND customer = ? AND time > ? ORDER BY time DESC LIMIT 1",
                [.text(request.dialed), .text(caller), SQLValue(now - request.conversationWindow)], operation)?.text
        }
        return state
    }

    /// Stores one decision and moves its pool's round-robin position to its member (in a batch, in
    /// `pendingPositions` until `writePositions()`).
    func insertDecision(_ record: DecisionRecord, _ operation: String) throws {
        try execute(
            """
            INSERT INTO decisions (time, channel, id, "from", "to", pool, member)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            [SQLValue(record.time), .text(record.channel.rawValue), .text(record.id), .text(record.from),
             .text(record.to), .text(record.pool), .text(record.member)], operation)
        if pendingPositions != nil {
            pendingPositions?[record.pool] = (record.member, record.time)
        } else {
            try storePosition(pool: record.pool, member: record.member, time: record.time, operation)
        }
        // A text's thread. A call's decision is its conversation already (`openConversations` reads
        // it through the (pool, member, time) index): a thread row too would cost two B-tree inserts
        // per call, 15% of /voice's instructions.
        if record.channel == .sms {
            try upsertConversation(poolNumber: record.to, member: record.member, customer: record.from, time: record.time, operation)
        }
    }

    /// Stores the batch's positions (see `pendingPositions`) and starts an empty set.
    func writePositions(_ operation: String) throws {
        guard let positions = pendingPositions else { return }
        for (pool, position) in positions {
            try storePosition(pool: pool, member: position.member, time: position.time, operation)
        }
        pendingPositions = [:]
    }

    private func storePosition(pool: String, member: String, time: Date, _ operation: String) throws {
        try execute(
            """
            INSERT INTO pool_state (pool, last_member, updated) VALUES (?1, ?2, ?3)
            ON CONFLICT (pool) DO UPDATE SET last_member = excluded.last_member, updated = excluded.updated
            """,
            [.text(pool), .text(member), SQLValue(time)], operation)
    }

    private static let stickySQL = """
        SELECT member FROM sticky WHERE pool = ? AND caller = ? AND time > ? AND time <= ?
        """

    /// The same from the decisions themselves (a read-only dry run before the table is filled).
    private static let stickyFromDecisionsSQL = """
        SELECT member FROM decisions WHERE pool = ? AND "from" = ? AND time > ? AND time <= ?
        ORDER BY time DESC LIMIT 1
        """

    /// Remembers `record`'s member for its caller in a sticky pool; never replaces a newer one.
    func rememberSticky(_ record: DecisionRecord, _ operation: String) throws {
        try execute(
            """
            INSERT INTO sticky (pool, caller, member, time) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT (pool, caller) DO UPDATE SET member = excluded.member, time = excluded.time
            WHERE excluded.time >= sticky.time
            """,
            [.text(record.pool), .text(record.from), .text(record.member), SQLValue(record.time)], operation)
    }

    /// Fills the `sticky` table for `pool` from its decisions within `window` (they may have been
    /// made while the pool was not sticky, or by a process that did not keep the table).
    func fillSticky(pool: String, now: Date, window: TimeInterval, _ operation: String) throws {
        try execute(
            """
            INSERT INTO sticky (pool, caller, member, time)
            SELECT pool, "from", member, max(time) FROM decisions WHERE pool = ?1 AND time > ?2 GROUP BY "from"
            ON CONFLICT (pool, caller) DO UPDATE SET member = excluded.member, time = excluded.time
            WHERE excluded.time > sticky.time
            """,
            [.text(pool), SQLValue(now - window)], operation)
    }

    /// Remembers that `customer` and `member` exchanged a call or text through `poolNumber` at `time`;
    /// an older exchange never moves a conversation back.
    func upsertConversation(poolNumber: String, member: String, customer: String, time: Date, _ operation: String) throws {
        try execute(
            """
            INSERT INTO threads (pool_number, member, customer, time) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT (pool_number, member, customer) DO UPDATE SET time = excluded.time
            WHERE excluded.time > threads.time
            """,
            [.text(poolNumber), .text(member), .text(customer), SQLValue(time)], operation)
    }

    /// The distinct members a pool's decisions name, found by skipping through the
    /// (pool, member, time) index: O(members × log rows) instead of a scan of the pool's history.
    private static let poolMembersCTE = """
        WITH RECURSIVE m(member) AS (
            SELECT (SELECT min(member) FROM decisions WHERE pool = ?1)
            UNION ALL
            SELECT (SELECT min(member) FROM decisions WHERE pool = ?1 AND member > m.member)
            FROM m WHERE m.member IS NOT NULL
        )
        """

    /// One member's newest decision time (NULL for none): a seek to the end of its range of the
    /// (pool, member, time) index.
    private static let memberLastOfferedSQL = """
        SELECT max(time) FROM decisions WHERE pool = ? AND member = ?
        """

    /// One member's decisions in (?3, ?4].
    private static let memberRecentCountSQL = """
        SELECT count(*) FROM decisions WHERE pool = ? AND member = ? AND time > ? AND time <= ?
        """

    /// (member, newest decision time) for every member of the pool.
    private static let lastOfferedSQL = poolMembersCTE + """

        SELECT member, (SELECT max(time) FROM decisions WHERE pool = ?1 AND member = m.member)
        FROM m WHERE member IS NOT NULL
        """

    /// (member, decisions in (?2, ?3]) for every member of the pool; zero counts are skipped by the caller.
    private static let recentCountsSQL = poolMembersCTE + """

        SELECT member,
               (SELECT count(*) FROM decisions WHERE pool = ?1 AND member = m.member AND time > ?2 AND time <= ?3)
        FROM m WHERE member IS NOT NULL
        """
}
