import Dispatch
import Synchronization

/// A handler called every `interval` seconds on a queue, until stopped. The Dispatch source is made
/// when the timer starts and resumed at once, so that none is ever left unresumed (libdispatch
/// refuses to cancel or free one) whatever the order of `start`, `stop` and `deinit`.
package final class RepeatingTimer: Sendable {
    private enum State {
        case idle
        case running(any DispatchSourceTimer)
        case stopped
    }

    package let queue: DispatchQueue
    private let state = Mutex(State.idle)

    /// `queue`: where the handler runs, serialised with whatever else its owner runs there.
    package init(queue: DispatchQueue) {
        self.queue = queue
    }

    package convenience init(label: String, qos: DispatchQoS = .utility) {
        self.init(queue: DispatchQueue(label: label, qos: qos))
    }

    deinit {
        stop()
    }

    /// Calls `handler` after `delay` seconds (default: `interval`), then every `interval`. Only the
    /// first start counts, and none after `stop`.
    package func start(every interval: Double, after delay: Double? = nil, leeway: DispatchTimeInterval = .milliseconds(200),
                      _ handler: @escaping @Sendable () -> Void) {
        state.withLock { state in
            guard case .idle = state else { return }
            let source = DispatchSource.makeTimerSource(queue: queue)
            source.schedule(deadline: .now() + (delay ?? interval), repeating: interval, leeway: leeway)
            source.setEventHandler(handler: handler)
            source.resume()
            state = .running(source)
        }
    }

    /// No call starts after this returns (one in progress on the queue may finish). Safe before
    /// `start` and more than once.
    package func stop() {
        let source = state.withLock { state -> (any DispatchSourceTimer)? in
            defer { state = .stopped }
            guard case .running(let source) = state else { return nil }
            return source
        }
        source?.cancel()
    }
}
