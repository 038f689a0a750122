import CSQLite
import Dispatch
import FoundationEssentials
import Routing

/// What a batch holds on its write connection until it commits: the positions of the pools it
/// locked, and the decisions its jobs made, written together just before the commit.
final class PostgresBatch {
    /// Each locked pool's round-robin position (nil: no decision yet), moved by the batch's decisions.
    var positions: [String: String?] = [:]
    /// Pools whose position the batch moved, with the time of the move.
    var moved: [String: Date] = [:]
    /// Decisions not yet inserted.
    var decisions: [DecisionRecord] = []
}

extension PostgresStore {
    package func route<T>(
        _ query: StateQuery,
        _ choose: ([String: PoolState]) throws -> (T, [DecisionRecord])
    ) throws -> T {
        try withoutActuallyEscaping(choose) { choose in
            let (job, box) = Self.job(query) { try Self.decide($0, query, choose) }
            groupCommit.submitAndWait(job)
            return try result(job, box).get()
        }
    }

    package func route<T: Sendable>(
        _ query: StateQuery,
        _ choose: @escaping @Sendable ([String: PoolState]) throws -> (T, [DecisionRecord]),
        completion: @escaping @Sendable (Result<T, any Error>) -> Void
    ) {
        enqueue(query, completion: completion) { try Self.decide($0, query, choose) }
    }

    /// Runs `work` in the next batch and hands its result to `completion` once committed.
    func enqueue<T>(
        _ query: StateQuery? = nil, completion: @escaping @Sendable (Result<T, any Error>) -> Void,
        _ work: @escaping (PostgresConnection) throws -> T
    ) {
        let (job, box) = Self.job(query, work)
        job.completion = { completion(self.result(job, box)) }
        groupCommit.submit(job)
    }

    package func holdCommits() { groupCommit.hold() }
    package func releaseCommits() { groupCommit.release() }

    private static func job<T>(_ query: StateQuery?, _ work: @escaping (PostgresConnection) throws -> T)
        -> (GroupCommit<PostgresConnection>.Job, ResultBox<T>) {
        let (job, box) = GroupCommit<PostgresConnection>.job(work)
        job.pools = query.map { Array($0.pools.keys) } ?? []
        return (job, box)
    }

    private func result<T>(_ job: GroupCommit<PostgresConnection>.Job, _ box: ResultBox<T>) -> Result<T, any Error> {
        box.result(job, lost: StoreError(operation: "cannot route on \(redactedURL)", code: SQLITE_ERROR, message: "the decision was lost"))
    }

    /// The state `query` names, read in one snapshot without writing anything.
    package func poolStates(_ query: StateQuery) throws -> [String: PoolState] {
        try read("read pool states") { connection in
            try connection.script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "read pool states")
            defer { connection.rollbackQuietly() }
            return try Self.loadStates(connection, query)
        }
    }

    private static func loadStates(_ connection: PostgresConnection, _ query: StateQuery) throws -> [String: PoolState] {
        try query.loadStates { pool, needs in try connection.poolState(pool, needs: needs, for: query) }
    }

    /// Inside the batch's transaction: state read, `choose` called, its decisions kept for the
    /// batch's insert and its pools' positions moved.
    private static func decide<T>(
        _ connection: PostgresConnection,
        _ query: StateQuery,
        _ choose: ([String: PoolState]) throws -> (T, [DecisionRecord])
    ) throws -> T {
        // What is read from the decisions must see the batch's earlier ones.
        if query.pools.values.contains(where: { !$0.subtracting(.position).isEmpty }) { try connection.flushDecisions("route") }
        let (value, records) = try choose(try loadStates(connection, query))
        for record in records {
            connection.batch?.decisions.append(record)
            connection.batch?.positions[record.pool] = .some(record.member)
            connection.batch?.moved[record.pool] = record.time
        }
        return value
    }

    /// Runs a batch in one transaction with one commit: its pools locked (in name order), its jobs
    /// one after another (each seeing the decisions before it), the decisions inserted and the
    /// positions stored, in two round trips; the pools' rows are released at the commit, before it
    /// reaches the disk, and the callers answered once it has (see `lock`). A job whose `choose`
    /// throws is refused alone; a statement that fails (rare: the transaction is then aborted) has
    /// the batch run again with a savepoint per job.
    /// A deadlock or serialization failure runs it again whole (at most three times).
    func runBatch(_ batch: [GroupCommit<PostgresConnection>.Job]) -> StoreBatchTiming {
        let started = DispatchTime.now().uptimeNanoseconds
        defer { for job in batch { job.work = nil } }
        writing.withLock { side in commit(batch, &side) }
        return StoreBatchTiming(jobs: batch.count, seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }

    private func commit(_ batch: [GroupCommit<PostgresConnection>.Job], _ side: inout WriteSide) {
        func failAll(_ error: any Error) {
            noteFailure(error, &side)
            for job in batch where job.error == nil { job.error = error }
        }
        let connection: PostgresConnection
        do { connection = try writer("route", side) } catch { return failAll(error) }
        let pools = Set(batch.flatMap(\.pools)).sorted()
        defer { connection.batch = nil }
        var attempt = 0
        while true {
            attempt += 1
            for job in batch { job.error = nil }
            do {
                try run(batch, pools: pools, connection, savepoints: false)
                writeHealth.succeeded()
                return
            } catch let error as StoreError where error.primaryCode == SQLITE_BUSY && attempt < 3 && connection.isOK {
                connection.rollbackQuietly()
                continue
            } catch let error as StoreError where connection.isOK && !error.isStorageFault {
                connection.rollbackQuietly()
            } catch {
                connection.rollbackQuietly()
                return failAll(error)
            }
            break
        }
        for job in batch { job.error = nil }
        do {
            try run(batch, pools: pools, connection, savepoints: true)
            writeHealth.succeeded()
        } catch {
            connection.rollbackQuietly()
            failAll(error)
        }
    }

    /// One attempt at the batch. Without savepoints, the first statement to fail throws (the
    /// transaction is aborted); with them, each job is undone alone.
    private func run(_ batch: [GroupCommit<PostgresConnection>.Job], pools: [String], _ connection: PostgresConnection,
                     savepoints: Bool) throws {
        let state = PostgresBatch()
        connection.batch = state
        for row in try lock(pools, connection) { if let pool = row.text(0) { state.positions[pool] = .some(row.text(1)) } }
        for job in batch {
            guard savepoints else {
                do {
                    try job.work?(connection)
                } catch let error where !(error is StoreError) {
                    // `choose` threw before its decisions were kept: only this job is refused.
                    job.error = error
                }
                continue
            }
            let (positions, moved, decisions) = (state.positions, state.moved, state.decisions.count)
            do {
                try connection.script("SAVEPOINT route_job", "route")
                try job.work?(connection)
                try connection.flushDecisions("route")
                try connection.script("RELEASE route_job", "route")
            } catch {
                job.error = error
                guard connection.isOK else { throw error }
                state.positions = positions
                state.moved = moved
                state.decisions.removeSubrange(min(decisions, state.decisions.count)...)
                try connection.script("ROLLBACK TO route_job; RELEASE route_job", "route")
            }
        }
        // The decisions, the positions, the commit and (after an early lock release) the barrier in
        // one round trip.
        let writes = connection.pendingWrites() + connection.positionWrites() + [("COMMIT", [])]
        let barrier: [PostgresConnection.Statement] = pools.isEmpty ? [] : [(Self.barrierSQL, [SQLValue(Date())])]
        let results = try connection.pipelineResults(writes + barrier, "route")
        try connection.expectCommitted(try results[writes.count - 1].get(), "route")
        if !barrier.isEmpty, case .failure(let error) = results[writes.count] {
            // Committed, but not known to be durable: its callers are answered from the routes
            // (never as committed), and the batch must not run again (an I/O error is not retried).
            throw StoreError(operation: error.operation, code: SQLITE_IOERR,
                             message: "the commit's durability is not confirmed: \(error.message)")
        }
    }

    /// Locks the rows of `pools` (in name order: two instances never deadlock) and returns their
    /// positions, inside a new transaction whose commit will not wait for the disk.
    ///
    /// Early lock release: the pools' rows are what every instance waits for, and a synchronous
    /// commit holds them until its WAL is flushed (and, with synchronous replication, confirmed by
    /// a standby). So the batch commits with `synchronous_commit = off`, which releases them as
    /// soon as its commit is written, and then runs the barrier, a small write of this connection's
    /// own row committed with the session's durability: the WAL is flushed in order, so once the
    /// barrier is durable, so is the batch, and only then are its callers answered. Another
    /// instance may meanwhile decide on the batch's positions; its own barrier makes them durable
    /// before it answers. A pool without a row yet gets one first (outside the lock: an insert
    /// that meets a row another batch holds would wait for it unqueued).
    private func lock(_ pools: [String], _ connection: PostgresConnection) throws -> [[String?]] {
        guard !pools.isEmpty else {
            try connection.script("BEGIN", "route")
            return []
        }
        let begin: [PostgresConnection.Statement] = [
            ("BEGIN", []), ("SET LOCAL synchronous_commit = off", []),
            ("SELECT pool, last_member FROM pool_state WHERE pool = ANY($1::text[]) ORDER BY pool FOR UPDATE", [.textArray(pools)]),
        ]
        let locked = try connection.pipeline(begin, "route").last?.values ?? []
        guard locked.count < pools.count else { return locked }
        try connection.script("ROLLBACK", "route")
        try connection.execute("INSERT INTO pool_state (pool) SELECT unnest($1::text[]) ON CONFLICT (pool) DO NOTHING",
                               [.textArray(pools)], "route")
        return try connection.pipeline(begin, "route").last?.values ?? []
    }

    /// The barrier's write (see `lock`): one row per server backend, so that no two connections
    /// ever wait for each other's.
    static let barrierSQL = """
        INSERT INTO commit_barrier (backend, time) VALUES (pg_backend_pid(), $1)
        ON CONFLICT (backend) DO UPDATE SET time = excluded.time
        """
}

extension PostgresConnection {
    /// Loads the parts of `pool`'s state that `needs` names (see `SQLiteConnection.poolState`).
    func poolState(_ pool: String, needs: StateNeeds, for request: StateQuery) throws -> PoolState {
        let (caller, now, members) = (request.caller, request.now, request.members[pool])
        var state = PoolState()
        let operation = "load the state of pool \(pool)"
        if needs.contains(.position) {
            if let position = batch?.positions[pool] {
                state.lastMember = position
            } else {
                state.lastMember = try query("SELECT last_member FROM pool_state WHERE pool = $1", [.text(pool)], operation).scalar
            }
        }
        if needs.contains(.lastOffered) {
            if let members {
                for member in members {
                    let time = try query("SELECT max(time) FROM decisions WHERE pool = $1 AND member = $2",
                                         [.text(pool), .text(member)], operation).first?.date(0)
                    if let time { state.lastOffered[member] = time }
                }
            } else {
                for row in try query("SELECT member, max(time) FROM decisions WHERE pool = $1 GROUP BY member",
                                     [.text(pool)], operation).values {
                    if let member = row.text(0), let time = row.date(1) { state.lastOffered[member] = time }
                }
            }
        }
        if needs.contains(.recentCounts) {
            let window: [SQLValue] = [SQLValue(now - request.recentWindow), SQLValue(now)]
            if let members {
                for member in members {
                    let count = try query("SELECT count(*) FROM decisions WHERE pool = $1 AND member = $2 AND time > $3 AND time <= $4",
                                          [.text(pool), .text(member)] + window, operation).first?.int(0) ?? 0
                    if count > 0 { state.recentCounts[member] = count }
                }
            } else {
                for row in try query("SELECT member, count(*) FROM decisions WHERE pool = $1 AND time > $2 AND time <= $3 GROUP BY member",
                                     [.text(pool)] + window, operation).values {
                    if let member = row.text(0), let count = row.int(1), count > 0 { state.recentCounts[member] = count }
                }
            }
        }
        if needs.contains(.sticky) {
            state.stickyMember = try query(
                """
                SELECT member FROM decisions WHERE pool = $1 AND "from" = $2 AND time > $3 AND time <= $4
                ORDER BY time DESC LIMIT 1
                """, [.text(pool), .text(caller), SQLValue(now - request.stickyWindow), SQLValue(now)], operation).scalar
        }
        if needs.contains(.conversation) {
            state.conversationMember = try query(
                "SELECT member FROM threads WHERE pool_number = $1 AND customer = $2 AND time > $3 ORDER BY time DESC LIMIT 1",
                [.text(request.dialed), .text(caller), SQLValue(now - request.conversationWindow)], operation).scalar
        }
        return state
    }

    /// Inserts the batch's decisions so far, and the threads its texts open (before a read of them).
    func flushDecisions(_ operation: String) throws {
        try pipeline(pendingWrites(), operation)
    }

    /// The statements that insert the batch's decisions (a few hundred rows a statement) and the
    /// threads its texts open; the batch forgets them.
    func pendingWrites() -> [Statement] {
        guard let batch, !batch.decisions.isEmpty else { return [] }
        let decisions = batch.decisions
        batch.decisions.removeAll()
        var statements: [Statement] = []
        for start in stride(from: 0, to: decisions.count, by: 500) {
            var values: [String] = []
            var arguments: [SQLValue] = []
            for record in decisions[start..<min(start + 500, decisions.count)] {
                let n = arguments.count
                values.append("($\(n + 1)::float8, $\(n + 2), $\(n + 3), $\(n + 4), $\(n + 5), $\(n + 6), $\(n + 7))")
                arguments += [SQLValue(record.time), .text(record.channel.rawValue), .text(record.id), .text(record.from),
                              .text(record.to), .text(record.pool), .text(record.member)]
            }
            statements.append((#"INSERT INTO decisions (time, channel, id, "from", "to", pool, member) VALUES "# + values.joined(separator: ", "),
                               arguments))
        }
        // A text's thread; a call's decision is its conversation already (see SQLite's `insertDecision`).
        var threads: [String: DecisionRecord] = [:]
        for record in decisions where record.channel == .sms {
            let key = "\(record.to)\u{0}\(record.member)\u{0}\(record.from)"
            if let kept = threads[key], kept.time >= record.time { continue }
            threads[key] = record
        }
        for record in threads.values.sorted(by: { $0.time < $1.time }) {
            statements.append((Self.upsertConversationSQL,
                               [.text(record.to), .text(record.member), .text(record.from), SQLValue(record.time)]))
        }
        return statements
    }

    /// The statements that store the moved positions of the batch's pools (their rows locked since
    /// the batch began, unless a decision names a pool its query did not); the batch forgets them.
    func positionWrites() -> [Statement] {
        guard let batch else { return [] }
        defer { batch.moved.removeAll() }
        return batch.moved.keys.sorted().compactMap { pool in
            guard let member = batch.positions[pool] ?? nil, let time = batch.moved[pool] else { return nil }
            return ("""
                INSERT INTO pool_state (pool, last_member, updated) VALUES ($1, $2, $3)
                ON CONFLICT (pool) DO UPDATE SET last_member = excluded.last_member, updated = excluded.updated
                """, [.text(pool), .text(member), SQLValue(time)])
        }
    }

    static let upsertConversationSQL = """
        INSERT INTO threads (pool_number, member, customer, time) VALUES ($1, $2, $3, $4)
        ON CONFLICT (pool_number, member, customer) DO UPDATE SET time = excluded.time
        WHERE excluded.time > threads.time
        """

    /// Remembers that `customer` and `member` exchanged a text through `poolNumber` at `time`; an
    /// older exchange never moves a conversation back.
    func upsertConversation(poolNumber: String, member: String, customer: String, time: Date, _ operation: String) throws {
        try execute(Self.upsertConversationSQL, [.text(poolNumber), .text(member), .text(customer), SQLValue(time)], operation)
    }
}
