import FoundationEssentials
import Logging
import Synchronization

/// Store failures in the log without flooding it: a full disk fails every call, and one line per
/// call buried everything else in the journal. The first failure is logged at once, with its
/// request; later ones are counted and summed up in one line per `interval` while they go on. Every
/// failure is still counted in `/metrics` (`switchboard_store_errors_total`) by its caller.
final class StoreFailureLog: Sendable {
    private struct State {
        /// When the line that opened the current window was logged (nil: no window open).
        var windowStart: Date?
        var count = 0
        var operations: [String: Int] = [:]
    }

    let interval: Double
    private let logger: Logger
    private let clock: @Sendable () -> Date
    private let state = Mutex(State())

    init(logger: Logger, interval: Double = 60, clock: @escaping @Sendable () -> Date = Date.init) {
        self.logger = logger
        self.interval = interval
        self.clock = clock
    }

    func failed(_ operation: String, _ error: any Error, requestID: String) {
        let now = clock()
        let first: Bool = state.withLock { state in
            guard state.windowStart != nil else {
                state.windowStart = now
                return true
            }
            state.count += 1
            state.operations[operation, default: 0] += 1
            return false
        }
        guard first else { return }
        logger.error("Store failed", metadata: [
            "request.id": "\(requestID)", "operation": "\(operation)", "error": "\(error)",
            "next": "repeated failures are counted, one line each \(Int(interval)) s",
        ])
    }

    /// From the store monitor: once a window is over, the count of its failures in one line (or,
    /// when there were none, the window closes and the next failure is logged at once).
    func flush() {
        let now = clock()
        let summary: (count: Int, operations: String, seconds: Int)? = state.withLock { state in
            guard let start = state.windowStart, now.timeIntervalSince(start) >= interval else { return nil }
            defer {
                state.windowStart = state.count > 0 ? now : nil
                state.count = 0
                state.operations = [:]
            }
            guard state.count > 0 else { return nil }
            let operations = state.operations.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
            return (state.count, operations, Int(now.timeIntervalSince(start)))
        }
        guard let summary else { return }
        logger.warning("Store failures repeated", metadata: [
            "count": "\(summary.count)", "seconds": "\(summary.seconds)", "operations": "\(summary.operations)",
        ])
    }
}
