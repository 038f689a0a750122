import FoundationEssentials
import Synchronization

/// Whether the store's writes succeed: what `/healthz`, `/metrics` and systemd's `STATUS=` report.
///
/// A store is `degraded` from its first failed write (or from start-up, when the database cannot be
/// opened for writing) until writes have succeeded again with no failure for a short settling time,
/// so that a disk with a little room left, which takes some writes and refuses others, is one
/// degraded episode rather than a flapping one. While degraded every decision is still answered,
/// from the routes alone when its commit fails.
package struct StoreHealth: Sendable, Equatable {
    package enum State: String, Sendable {
        case healthy
        case degraded
    }

    package var state: State
    /// When writes started failing (degraded only).
    package var since: Date?
    /// The latest failure, as the database reported it (degraded only).
    package var reason: String?
    /// Writes (decisions, callbacks) that failed since `since`; retries of the store's own are not counted.
    package var failures: Int

    package init(state: State, since: Date? = nil, reason: String? = nil, failures: Int = 0) {
        self.state = state
        self.since = since
        self.reason = reason
        self.failures = failures
    }

    package static let healthy = StoreHealth(state: .healthy)

    package var isHealthy: Bool { state == .healthy }

    /// Whole seconds degraded at `now` (0 when healthy).
    package func degradedSeconds(at now: Date) -> Int {
        guard let since else { return 0 }
        return max(0, Int(now.timeIntervalSince(since)))
    }

    /// `/healthz`'s body and the `STATUS=` line: "ok", or "degraded: writes failing for 12 s: <reason>".
    package func summary(at now: Date) -> String {
        guard state == .degraded else { return "ok" }
        return "degraded: writes failing for \(degradedSeconds(at: now)) s: \(reason ?? "unknown error")"
    }
}

/// What a store tells its observer, once each, as it happens (the daemon logs each as one line).
package enum StoreHealthEvent: Sendable, Equatable {
    /// Writes started failing.
    case degraded(reason: String)
    /// Writes succeed again after `seconds` degraded, during which `failures` writes failed.
    case recovered(seconds: Double, failures: Int)
    /// The store closed its database and opened it again (`reason`: why, e.g. the file was deleted).
    case reopened(reason: String)
}

/// The state machine behind `StoreHealth`, with the retry backoff while degraded. Thread-safe; the
/// write path calls `succeeded()` after every commit, which costs one atomic load while healthy.
final class WriteHealth: Sendable {
    struct Policy: Sendable {
        /// Writes must have succeeded with no failure for this long before the store is healthy again.
        var settleSeconds = 2.0
        /// The first retry while degraded comes after this long, each later one after twice the last...
        var firstRetrySeconds = 0.25
        /// ...up to this.
        var maxRetrySeconds = 5.0
    }

    private struct State {
        var health = StoreHealth.healthy
        var lastFailure: Date?
        var retryDelay: Double
        var nextRetry: Date?
    }

    let policy: Policy
    private let clock: @Sendable () -> Date
    private let observer: (@Sendable (StoreHealthEvent) -> Void)?
    private let state: Mutex<State>
    /// Mirrors `state.health.state == .degraded`, so the healthy write path takes no lock.
    private let degraded = Atomic<Bool>(false)

    init(policy: Policy = Policy(), clock: @escaping @Sendable () -> Date = Date.init,
         observer: (@Sendable (StoreHealthEvent) -> Void)? = nil) {
        self.policy = policy
        self.clock = clock
        self.observer = observer
        state = Mutex(State(retryDelay: policy.firstRetrySeconds))
    }

    var current: StoreHealth { state.withLock { $0.health } }

    /// A write failed (`counted`: a caller's write, not a retry of the store's own).
    func failed(_ error: any Error, counted: Bool = true) {
        let now = clock()
        let reason = "\(error)"
        let event: StoreHealthEvent? = state.withLock { state in
            state.lastFailure = now
            state.health.reason = reason
            if counted { state.health.failures += 1 }
            guard state.health.state == .healthy else { return nil }
            state.health.state = .degraded
            state.health.since = now
            state.retryDelay = policy.firstRetrySeconds
            state.nextRetry = now.addingTimeInterval(policy.firstRetrySeconds)
            degraded.store(true, ordering: .releasing)
            return .degraded(reason: reason)
        }
        if let event { observer?(event) }
    }

    /// A write committed. Healthy again once no write has failed for `settleSeconds`.
    func succeeded() {
        guard degraded.load(ordering: .acquiring) else { return }
        let now = clock()
        let event: StoreHealthEvent? = state.withLock { state in
            guard state.health.state == .degraded else { return nil }
            // Writes work: retry soon, so that a quiet store does not wait out a long backoff.
            state.retryDelay = policy.firstRetrySeconds
            state.nextRetry = now.addingTimeInterval(policy.firstRetrySeconds)
            if let last = state.lastFailure, now.timeIntervalSince(last) < policy.settleSeconds { return nil }
            let seconds = state.health.since.map { now.timeIntervalSince($0) } ?? 0
            let failures = state.health.failures
            state.health = .healthy
            state.lastFailure = nil
            degraded.store(false, ordering: .releasing)
            return .recovered(seconds: seconds, failures: failures)
        }
        if let event { observer?(event) }
    }

    /// Whether the store should try again now: degraded and its backoff elapsed. Each true answer
    /// moves the next retry on by a doubling delay.
    func retryDue() -> Bool {
        guard degraded.load(ordering: .acquiring) else { return false }
        let now = clock()
        return state.withLock { state in
            if let next = state.nextRetry, now < next { return false }
            state.nextRetry = now.addingTimeInterval(state.retryDelay)
            state.retryDelay = min(state.retryDelay * 2, policy.maxRetrySeconds)
            return true
        }
    }

    /// Tells the observer something other than a change of health (a reopened file).
    func report(_ event: StoreHealthEvent) {
        observer?(event)
    }
}
