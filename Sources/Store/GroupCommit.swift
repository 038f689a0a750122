import Dispatch
import Foundation

/// Leader/follower batching of write jobs, so that many concurrent `route` calls share one commit
/// (one fsync with `synchronous=FULL`).
///
/// A caller queues its job. If no batch is running it becomes the leader: it takes every queued job,
/// has `execute` run them in one transaction, marks them done and wakes their callers, then hands
/// leadership to the oldest job queued meanwhile. Otherwise it sleeps until its job is done, or until
/// it is made leader. Each caller returns only after the commit that holds its job.
final class GroupCommit: @unchecked Sendable {
    // Safe to share: `pending` and `leaderActive` are touched only under `lock`; a job's fields are
    // written by the leader before its semaphore is signalled and read by its caller after the wait.

    /// One caller's work: runs on the write connection inside the batch's transaction.
    final class Job: @unchecked Sendable {
        /// Cleared by `execute` once run (or abandoned), so no caller's closure outlives its call.
        var work: ((SQLiteConnection) throws -> Void)?
        var error: (any Error)?
        /// For jobs of `AsyncBatches`: called once the batch holding the job has committed or failed.
        var completion: (() -> Void)?
        fileprivate var isDone = false
        fileprivate var isLeader = false
        fileprivate let wake = DispatchSemaphore(value: 0)

        init(_ work: @escaping (SQLiteConnection) throws -> Void) {
            self.work = work
        }
    }

    private let lock = NSLock()
    private var pending: [Job] = []
    private var leaderActive = false

    /// Queues `job` and returns once a committed (or failed) batch held it; throws the job's error.
    /// `execute` must run or abandon every job it is given, setting `error` where one failed, and
    /// clear each job's `work`.
    func submit(_ job: Job, execute: ([Job]) -> Void) throws {
        lock.lock()
        pending.append(job)
        if leaderActive {
            lock.unlock()
            job.wake.wait()
        } else {
            leaderActive = true
            job.isLeader = true
            lock.unlock()
        }
        // Woken either with the job done, or as the new leader (the job is then still queued).
        while !job.isDone {
            lead(job, execute: execute)
        }
        if let error = job.error { throw error }
    }

    private func lead(_ leader: Job, execute: ([Job]) -> Void) {
        lock.lock()
        let batch = pending
        pending.removeAll()
        lock.unlock()

        execute(batch)
        for job in batch { job.isDone = true }

        lock.lock()
        let next = pending.first
        if let next {
            next.isLeader = true
        } else {
            leaderActive = false
        }
        lock.unlock()

        for job in batch where job !== leader { job.wake.signal() }
        next?.wake.signal()
    }
}

/// Batching without blocking: jobs queue up while the writer queue commits the previous batch, and
/// each job's completion runs once its batch is done. No caller's thread waits, so concurrent
/// requests do not each hold a sleeping thread.
final class AsyncBatches: @unchecked Sendable {
    // `pending` and `scheduled` are touched only under `lock`; jobs are run on `queue` alone.
    private let lock = NSLock()
    private var pending: [GroupCommit.Job] = []
    private var scheduled = false
    private let queue = DispatchQueue(label: "switchboard.store.writer")

    func submit(_ job: GroupCommit.Job, execute: @escaping @Sendable ([GroupCommit.Job]) -> Void) {
        let schedule: Bool = lock.withLock {
            pending.append(job)
            defer { scheduled = true }
            return !scheduled
        }
        guard schedule else { return }
        queue.async { [self] in
            let batch: [GroupCommit.Job] = lock.withLock {
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
