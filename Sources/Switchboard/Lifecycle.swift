import Dispatch
import Logging
import Platform
import Synchronization

/// A part of the daemon that runs between a start and a stop.
protocol Service: Sendable {
    func start() throws
    func stop()
}

/// A service made of two closures, for parts whose start or stop is a line or two.
struct ServiceSteps: Service {
    let starting: @Sendable () throws -> Void
    let stopping: @Sendable () -> Void

    init(start: @escaping @Sendable () throws -> Void = {}, stop: @escaping @Sendable () -> Void = {}) {
        self.starting = start
        self.stopping = stop
    }

    func start() throws { try starting() }
    func stop() { stopping() }
}

/// Services started in order and stopped in reverse (swift-service-lifecycle's model, on threads:
/// that package runs services as async tasks, which this daemon's epoll loop and Dispatch timers
/// are not). A stop that comes while the services are starting waits for the one starting, starts
/// no more, and stops what started; a stop that takes longer than its bound is left behind with a
/// log line, so that the process can exit within systemd's stop timeout.
final class Lifecycle: Sendable {
    /// Thrown inside `start` when a stop has been asked for: the start ends, without an error.
    struct Stopping: Error {}

    private struct Running {
        var name: String
        var service: any Service
    }

    private struct State {
        var started: [Running] = []
        var starting = false
        var stopRequested = false
    }

    private let state = Mutex(State())
    private let startEnded = DispatchSemaphore(value: 0)
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// The start phase: `body` starts services in order with `run`. When it throws, what started is
    /// stopped in reverse and the error rethrown; after a stop request it ends quietly.
    func start(_ body: () throws -> Void) throws {
        let go = state.withLock { state -> Bool in
            guard !state.stopRequested else { return false }
            state.starting = true
            return true
        }
        guard go else { return }
        defer {
            state.withLock { $0.starting = false }
            startEnded.signal()
        }
        do {
            try body()
        } catch is Stopping {
            return
        } catch {
            stopStarted(bound: 30)
            throw error
        }
    }

    /// Starts `service` and counts it as running, unless a stop was asked for (then throws `Stopping`).
    func run(_ name: String, _ service: any Service) throws {
        guard !state.withLock({ $0.stopRequested }) else { throw Stopping() }
        try service.start()
        state.withLock { $0.started.append(Running(name: name, service: service)) }
        // A stop asked for during this start waits for it: it stops this one too.
    }

    /// Counts a part already running (opened before, say) as a service to stop.
    func adopt(_ name: String, stop: @escaping @Sendable () -> Void) throws {
        try run(name, ServiceSteps(stop: stop))
    }

    /// Whether a stop was asked for.
    var isStopping: Bool { state.withLock { $0.stopRequested } }

    /// Stops every service in reverse order, within `bound` seconds in all. The first call does it;
    /// later calls return at once.
    func stop(bound: Double) {
        let waitForStart = state.withLock { state -> Bool? in
            guard !state.stopRequested else { return nil }
            state.stopRequested = true
            return state.starting
        }
        guard let waitForStart else { return }
        if waitForStart { startEnded.wait() }
        stopStarted(bound: bound)
    }

    private func stopStarted(bound: Double) {
        let services = state.withLock { state -> [Running] in
            defer { state.started = [] }
            return state.started
        }
        guard !services.isEmpty else { return }
        let current = Locked<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue(label: "switchboard.lifecycle.stop").async {
            for running in services.reversed() {
                current.withLock { $0 = running.name }
                running.service.stop()
            }
            done.signal()
        }
        if done.wait(timeout: .now() + bound) == .timedOut {
            logger.error("Stop timed out; exiting anyway", metadata: [
                "seconds": "\(bound)", "stopping": "\(current.current ?? "?")",
            ])
        }
    }
}

extension CallTracker: Service {}

extension Notifier: Service {
    func stop() { stop(wait: 5) }
}
