import CSQLite
import Foundation
import Routing

extension SQLiteStore {
    /// Loads the state `query` names, calls `choose`, stores its decisions and moves each pool's
    /// position, all in one `BEGIN IMMEDIATE` transaction; returns once that has committed.
    /// With group commit, concurrent calls share a transaction, each in its own savepoint, so a
    /// throwing `choose` undoes only itself and each call sees the decisions made before it; `choose`
    /// may then run on another caller's thread. `choose` must not call back into the store.
    public func route<T>(
        _ query: StateQuery,
        _ choose: ([String: PoolState]) throws -> (T, [DecisionRecord])
    ) throws -> T {
        guard let groupCommit else {
            return try write("route") { try Self.decide($0, query, choose) }
        }
        return try withoutActuallyEscaping(choose) { choose in
            let box = ResultBox<T>()
            let job = GroupCommit.Job { connection in
                box.value = try Self.decide(connection, query, choose)
            }
            try groupCommit.submit(job) { batch in runBatch(batch) }
            guard let value = box.value else {
                throw StoreError(operation: "cannot route on \(path)", code: SQLITE_ERROR, message: "the decision was lost")
            }
            return value
        }
    }

    public func route<T: Sendable>(
        _ query: StateQuery,
        _ choose: @escaping @Sendable ([String: PoolState]) throws -> (T, [DecisionRecord]),
        completion: @escaping @Sendable (Result<T, any Error>) -> Void
    ) {
        let box = ResultBox<T>()
        let job = GroupCommit.Job { connection in
            box.value = try Self.decide(connection, query, choose)
        }
        job.completion = {
            if let error = job.error {
                completion(.failure(error))
            } else if let value = box.value {
                completion(.success(value))
            } else {
                completion(.failure(StoreError(operation: "cannot route on \(self.path)", code: SQLITE_ERROR, message: "the decision was lost")))
            }
        }
        asyncBatches.submit(job) { batch in self.runBatch(batch) }
    }

    /// The state `query` names, read in one snapshot without writing anything.
    public func poolStates(_ query: StateQuery) throws -> [String: PoolState] {
        try read("read pool states") { connection in
            try connection.execute("BEGIN", [], "read pool states")
            defer { connection.rollbackQuietly() }
            return try Self.loadStates(connection, query)
        }
    }

    private static func loadStates(_ connection: SQLiteConnection, _ query: StateQuery) throws -> [String: PoolState] {
        var states: [String: PoolState] = [:]
        for (pool, needs) in query.pools {
            states[pool] = try connection.poolState(pool, needs: needs, caller: query.caller, now: query.now)
        }
        return states
    }

    private static func decide<T>(
        _ connection: SQLiteConnection,
        _ query: StateQuery,
        _ choose: ([String: PoolState]) throws -> (T, [DecisionRecord])
    ) throws -> T {
        let (value, records) = try choose(try loadStates(connection, query))
        for record in records { try connection.insertDecision(record, "route") }
        return value
    }

    /// Runs a group-commit batch: one transaction, one savepoint per job, one commit.
    private func runBatch(_ batch: [GroupCommit.Job]) {
        writeLock.lock()
        defer {
            writeLock.unlock()
            for job in batch { job.work = nil }
        }
        func failAll(_ error: any Error) {
            for job in batch where job.error == nil { job.error = error }
        }
        guard !isClosed else { return failAll(StoreError.closed("route", path: path)) }
        do {
            try writer.execute("BEGIN IMMEDIATE", [], "route")
        } catch {
            return failAll(error)
        }
        for job in batch {
            do {
                try writer.execute("SAVEPOINT route_job", [], "route")
                try job.work?(writer)
                try writer.execute("RELEASE route_job", [], "route")
            } catch {
                job.error = error
                _ = try? writer.execute("ROLLBACK TO route_job", [], "route")
                _ = try? writer.execute("RELEASE route_job", [], "route")
                // A failure that SQLite answered by rolling back everything takes the batch with it.
                if !writer.inTransaction { return failAll(error) }
            }
            job.work = nil
        }
        do {
            try writer.execute("COMMIT", [], "route")
        } catch {
            writer.rollbackQuietly()
            failAll(error)
        }
    }
}

/// Carries a generic result out of a group-commit job; written by the leader before it wakes the
/// caller, read by the caller after.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
