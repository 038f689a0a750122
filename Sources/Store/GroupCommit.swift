import Dispatch
import FoundationEssentials
import Platform
import Synchronization

/// Group commit without blocking (over any store's write `Connection`): write jobs queue up while the writer queue commits the previous
/// batch, then run together in one transaction (one fsync with `synchronous=FULL`), and each job's
/// completion runs once its batch has committed or failed. No caller's thread waits for another's
/// work; the blocking `route` simply waits for its own completion.
final class GroupCommit<Connection>: Sendable {
    /// One caller's work: runs on the write connection inside the batch's transaction.
    /// `@unchecked Sendable`: made on the caller's thread, then touched only on the writer queue,
    /// which writes its fields before calling its completion.
    final class Job: @unchecked Sendable {
        /// Cleared by `execute` once run (or abandoned), so no caller's closure outlives its batch.
        var work: ((Connection) throws -> Void)?
        /// The pools whose state the job decides on: a store shared by several processes locks
        /// them all, in one order, before the batch's first job runs (PostgreSQL's row locks).
        var pools: [String] = []
        var error: (any Error)?
        /// Called once the batch holding the job has committed or failed.
        var completion: (() -> Void)?

        init(_ work: @escaping (Connection) throws -> Void) {
            self.work = work
        }
    }

    private struct Queue {
        var pending: [Job] = []
        var scheduled = false
        /// While above zero, new jobs wait for `release` instead of starting a batch.
        var holds = 0
    }
    private let state = Mutex(Queue())
    private let execute: @Sendable ([Job]) -> (@Sendable () -> Void)?
    private let queue = DispatchQueue(label: "switchboard.store.writer")

    /// `execute` runs each batch on the writer queue: it must run or abandon every job, setting
    /// `error` where one failed, and clear each job's `work`. What it returns runs once the jobs'
    /// completions have (the callers' answers go first).
    init(execute: @escaping @Sendable ([Job]) -> (@Sendable () -> Void)?) {
        self.execute = execute
    }

    /// Queues `job` for the next batch.
    func submit(_ job: Job) {
        let schedule: Bool = state.withLock { state in
            state.pending.append(job)
            guard state.holds == 0, !state.scheduled else { return false }
            state.scheduled = true
            return true
        }
        if schedule { startBatch() }
    }

    /// Jobs submitted from now until the matching `release` (from any thread) wait, and then share
    /// one batch: an event loop holds the batch open while it reads a turn's requests.
    func hold() {
        state.withLock { $0.holds += 1 }
    }

    func release() {
        let schedule: Bool = state.withLock { state in
            state.holds -= 1
            guard state.holds == 0, !state.scheduled, !state.pending.isEmpty else { return false }
            state.scheduled = true
            return true
        }
        if schedule { startBatch() }
    }

    private func startBatch() {
        queue.async { [self] in
            let batch: [Job] = state.withLock { state in
                defer { state.pending.removeAll(); state.scheduled = false }
                return state.pending
            }
            let after = execute(batch)
            for job in batch {
                job.completion?()
                job.completion = nil
            }
            after?()
        }
    }
}

extension GroupCommit {
    /// A group commit whose batches `run` on `runner`'s store (not kept alive by it: once the store
    /// is gone, jobs fail); `observer` is told each batch's timing after its callers have their answers.
    convenience init<Store: AnyObject>(
        runner: BatchRunner<Store>, run: @escaping @Sendable (Store, [Job]) -> StoreBatchTiming,
        observer: @escaping @Sendable (Store) -> (@Sendable (StoreBatchTiming) -> Void)?
    ) {
        self.init { batch in
            guard let store = runner.store else {
                runner.abandon(batch)
                return nil
            }
            let timing = run(store, batch)
            guard let observer = observer(store) else { return nil }
            return { observer(timing) }
        }
    }

    /// A job running `work`, and the box its result lands in.
    static func job<T>(_ work: @escaping (Connection) throws -> T) -> (Job, ResultBox<T>) {
        let box = ResultBox<T>()
        return (Job { connection in box.value = try work(connection) }, box)
    }

    /// Submits `job` and waits until its batch has committed or failed.
    func submitAndWait(_ job: Job) {
        let done = DispatchSemaphore(value: 0)
        job.completion = { done.signal() }
        submit(job)
        done.wait()
    }
}

/// Carries a generic result out of a group-commit job; written on the writer queue before the job's
/// completion runs, read after it.
final class ResultBox<T>: @unchecked Sendable {
    var value: T?

    /// The job's result: its error, its value, or `lost` when it has neither.
    func result<Connection>(_ job: GroupCommit<Connection>.Job, lost: @autoclosure () -> StoreError) -> Result<T, any Error> {
        if let error = job.error { return .failure(error) }
        guard let value else { return .failure(lost()) }
        return .success(value)
    }
}

/// One group-commit batch: its jobs, and the seconds from asking for the write lock (SQLite's
/// `BEGIN IMMEDIATE`, which waits while another process writes; PostgreSQL's row locks on the
/// batch's pools) to its commit or failure.
package struct StoreBatchTiming: Sendable, Equatable {
    package var jobs: Int
    package var seconds: Double
}
