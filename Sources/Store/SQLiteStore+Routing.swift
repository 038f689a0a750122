import CSQLite
import Dispatch
import FoundationEssentials
import Routing

extension SQLiteStore {
    /// Loads the state `query` names, calls `choose`, stores its decisions and moves each pool's
    /// position, all in one `BEGIN IMMEDIATE` transaction; returns once that has committed.
    /// With group commit (the default), concurrent calls share a transaction and each call sees the
    /// decisions made before it; a throwing `choose` undoes only itself (see `runBatch`). `choose`
    /// then runs on the store's writer queue and must not call back into the store.
    package func route<T>(
        _ query: StateQuery,
        _ choose: ([String: PoolState]) throws -> (T, [DecisionRecord])
    ) throws -> T {
        guard let groupCommit else {
            return try write("route") { try Self.decide($0, query, choose) }
        }
        return try withoutActuallyEscaping(choose) { choose in
            let (job, box) = SQLiteBatch.job { try Self.decide($0, query, choose) }
            groupCommit.submitAndWait(job)
            return try result(job, box).get()
        }
    }

    /// `route` without blocking: `completion` runs on the writer queue once the batch holding the
    /// decision has committed (or failed).
    package func route<T: Sendable>(
        _ query: StateQuery,
        _ choose: @escaping @Sendable ([String: PoolState]) throws -> (T, [DecisionRecord]),
        completion: @escaping @Sendable (Result<T, any Error>) -> Void
    ) {
        enqueue("route", completion: completion) { try Self.decide($0, query, choose) }
    }

    /// Runs `work` in the next group-commit batch (or, without group commit, in a transaction of its
    /// own off the caller's thread) and hands its result to `completion` once committed.
    func enqueue<T>(
        _ operation: String, completion: @escaping @Sendable (Result<T, any Error>) -> Void,
        _ work: @escaping (SQLiteConnection) throws -> T
    ) {
        guard let groupCommit else {
            // Without group commit (measurements only): one transaction each.
            nonisolated(unsafe) let work = work
            return DispatchQueue.global().async { completion(Result { try self.write(operation) { try work($0) } }) }
        }
        let (job, box) = SQLiteBatch.job(work)
        job.completion = { completion(self.result(job, box)) }
        groupCommit.submit(job)
    }

    package func holdCommits() {
        groupCommit?.hold()
    }

    package func releaseCommits() {
        groupCommit?.release()
    }

    private func result<T>(_ job: SQLiteBatch.Job, _ box: ResultBox<T>) -> Result<T, any Error> {
        box.result(job, lost: StoreError(operation: "cannot route on \(path)", code: SQLITE_ERROR, message: "the decision was lost"))
    }

    /// The state `query` names, read in one snapshot without writing anything.
    package func poolStates(_ query: StateQuery) throws -> [String: PoolState] {
        try read("read pool states") { connection in
            try connection.execute("BEGIN", [], "read pool states")
            defer { connection.rollbackQuietly() }
            // A reader cannot fill the sticky table: it searches the decisions instead.
            return try Self.loadStates(connection, query) { _ in false }
        }
    }

    private static func loadStates(
        _ connection: SQLiteConnection, _ query: StateQuery, stickyTable: (String) -> Bool
    ) throws -> [String: PoolState] {
        try query.loadStates { pool, needs in try connection.poolState(pool, needs: needs, for: query, stickyTable: stickyTable(pool)) }
    }

    /// Inside the write transaction: state read, `choose` called, its decisions stored, and each
    /// sticky pool's caller remembered.
    private static func decide<T>(
        _ connection: SQLiteConnection,
        _ query: StateQuery,
        _ choose: ([String: PoolState]) throws -> (T, [DecisionRecord])
    ) throws -> T {
        let sticky = connection.stickyPools
        try sticky.prepare(connection, query)
        let (value, records) = try choose(try loadStates(connection, query, stickyTable: sticky.isReady))
        for record in records {
            try connection.insertDecision(record, "route")
            if query.pools[record.pool]?.contains(.sticky) == true { try connection.rememberSticky(record, "route") }
        }
        return value
    }

    /// Runs a group-commit batch in one transaction with one commit. Jobs run one after another, each
    /// seeing the decisions before it. If one fails, the transaction is rolled back and the batch run
    /// again with a savepoint per job, so that only the failing jobs are refused; jobs rarely fail
    /// alone (a full disk fails them all), so the usual batch pays for no savepoint.
    /// Returns how long it took, from asking for the write lock to the commit (or failure).
    func runBatch(_ batch: [SQLiteBatch.Job]) -> BatchTiming {
        let started = DispatchTime.now().uptimeNanoseconds
        commit(batch)
        return BatchTiming(jobs: batch.count, seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }

    private func commit(_ batch: [SQLiteBatch.Job]) {
        defer { for job in batch { job.work = nil } }
        writing.withLock { side in commit(batch, &side) }
    }

    private func commit(_ batch: [SQLiteBatch.Job], _ side: inout WriteSide) {
        func failAll(_ error: any Error) {
            noteFailure(error, &side)
            for job in batch where job.error == nil { job.error = error }
        }
        guard !side.isClosed else { return failAll(StoreError.closed("route", path: path)) }
        guard let writer = side.writer else { return failAll(notOpen("route", side)) }
        // Round-robin positions are stored once per pool and batch, just before its commit.
        writer.pendingPositions = [:]
        defer { writer.pendingPositions = nil }
        do {
            try writer.execute("BEGIN IMMEDIATE", [], "route")
            for job in batch { try job.work?(writer) }
            try writer.writePositions("route")
            try writer.execute("COMMIT", [], "route")
            writeHealth.succeeded()
            return
        } catch {
            rollback(side)
        }
        writer.pendingPositions = [:]
        do {
            try writer.execute("BEGIN IMMEDIATE", [], "route")
        } catch {
            return failAll(error)
        }
        for job in batch {
            let positions = writer.pendingPositions
            do {
                try writer.execute("SAVEPOINT route_job", [], "route")
                try job.work?(writer)
                try writer.execute("RELEASE route_job", [], "route")
            } catch {
                job.error = error
                // The job's work is undone, its positions and any filling of the sticky table with it.
                writer.pendingPositions = positions
                writer.stickyPools.forgetAll()
                _ = try? writer.execute("ROLLBACK TO route_job", [], "route")
                _ = try? writer.execute("RELEASE route_job", [], "route")
                // A failure that SQLite answered by rolling back everything takes the batch with it.
                if !writer.inTransaction {
                    rollback(side)
                    return failAll(error)
                }
            }
        }
        do {
            try writer.writePositions("route")
            try writer.execute("COMMIT", [], "route")
            writeHealth.succeeded()
        } catch {
            rollback(side)
            failAll(error)
        }
    }
}
