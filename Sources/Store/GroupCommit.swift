import Dispatch
import FoundationEssentials
import Platform
import Synchronization

/// Group commit without blocking: write jobs queue up while the writer queue commits the previous
/// batch, then run together in one transaction (one fsync with `synchronous=FULL`), and each job's
/// completion runs once its batch has committed or failed. No caller's thread waits for another's
/// work; the blocking `route` simply waits for its own completion.
final class GroupCommit: Sendable {
    /// One caller's work: runs on the write connection inside the batch's transaction.
    /// `@unchecked Sendable`: made on the caller's thread, then touched only on the writer queue,
    /// which writes its fields before calling its completion.
    final class Job: @unchecked Sendable {
        /// Cleared by `execute` once run (or abandoned), so no caller's closure outlives its batch.
        var work: ((SQLiteConnection) throws -> Void)?
        var error: (any Error)?
        /// Called once the batch holding the job has committed or failed.
        var completion: (() -> Void)?

        init(_ work: @escaping (SQLiteConnection) throws -> Void) {
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
