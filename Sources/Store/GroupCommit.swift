import Dispatch
import Foundation

/// Group commit without blocking: write jobs queue up while the writer queue commits the previous
/// batch, then run together in one transaction (one fsync with `synchronous=FULL`), and each job's
/// completion runs once its batch has committed or failed. No caller's thread waits for another's
/// work; the blocking `route` simply waits for its own completion.
final class GroupCommit: @unchecked Sendable {
    // `pending` and `scheduled` are touched only under `lock`; jobs run on `queue` alone, and a job's
    // fields are written there before its completion is called.

    /// One caller's work: runs on the write connection inside the batch's transaction.
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

    private let lock = NSLock()
    private var pending: [Job] = []
    private var scheduled = false
    private let queue = DispatchQueue(label: "switchboard.store.writer")

    /// Queues `job`. `execute` must run or abandon every job of a batch, setting `error` where one
    /// failed, and clear each job's `work`.
    func submit(_ job: Job, execute: @escaping @Sendable ([Job]) -> Void) {
        let schedule: Bool = lock.withLock {
            pending.append(job)
            defer { scheduled = true }
            return !scheduled
        }
        guard schedule else { return }
        queue.async { [self] in
            let batch: [Job] = lock.withLock {
                defer { pending.removeAll(); scheduled = false }
                return pending
            }
            execute(batch)
            for job in batch {
                job.completion?()
                job.completion = nil
            }
        }
    }
}
