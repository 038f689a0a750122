import Dispatch
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Platform
import Synchronization

/// Keeps systemd's `WatchdogSec=` satisfied: sends `WATCHDOG=1` every half of `$WATCHDOG_USEC`.
///
/// An optional health check runs before each ping; while it answers false no ping is sent, so systemd
/// restarts a daemon that is running but wedged (for example a database that stopped answering). The
/// check runs on the watchdog's own queue: a check that hangs also stops the pings, which is the point.
package final class Watchdog: Sendable {
    /// `$WATCHDOG_USEC`: how long systemd waits for a ping before it acts.
    package let timeoutMicroseconds: UInt64
    private let notifier: SystemdNotifier
    private let isHealthy: (@Sendable () -> Bool)?
    private let timer = RepeatingTimer(label: "switchboard.systemd.watchdog", qos: .default)
    private let counts = Mutex((sent: 0, skipped: 0))

    /// Nil when `WATCHDOG_USEC` is unset, not a positive integer, or when `WATCHDOG_PID` is set and names
    /// another process (the watchdog was meant for a parent or child, not for us).
    package init?(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        notifier: SystemdNotifier,
        isHealthy: (@Sendable () -> Bool)? = nil
    ) {
        guard let timeout = Self.timeoutMicroseconds(environment: environment) else { return nil }
        self.timeoutMicroseconds = timeout
        self.notifier = notifier
        self.isHealthy = isHealthy
    }

    /// `WATCHDOG_USEC` when it applies to this process (see `init`), else nil.
    package static func timeoutMicroseconds(environment: [String: String]) -> UInt64? {
        guard let text = environment["WATCHDOG_USEC"], let timeout = UInt64(text), timeout > 0 else { return nil }
        if let pidText = environment["WATCHDOG_PID"], !pidText.isEmpty {
            guard let pid = Int32(pidText), pid == getpid() else { return nil }
        }
        return timeout
    }

    /// Half the timeout, in seconds: the period between pings.
    package var pingInterval: Double {
        Double(timeoutMicroseconds) / 2_000_000
    }

    /// Pings sent so far (including ones the socket refused, which the notifier counts as failures).
    package var pingsSent: Int { counts.withLock { $0.sent } }

    /// Pings withheld because the health check answered false.
    package var pingsSkipped: Int { counts.withLock { $0.skipped } }

    /// Pings once now, then every `pingInterval`. Calling it again does nothing.
    package func start() {
        let halfMicroseconds = Int(min(timeoutMicroseconds / 2, UInt64(Int.max)))
        timer.start(every: pingInterval, after: 0, leeway: .microseconds(max(halfMicroseconds / 20, 1))) { [weak self] in
            self?.tick()
        }
    }

    /// Stops pinging, for good.
    package func stop() {
        timer.stop()
    }

    /// One period: the health check, then the ping if healthy.
    func tick() {
        if let isHealthy, !isHealthy() {
            counts.withLock { $0.skipped += 1 }
            return
        }
        notifier.watchdog()
        counts.withLock { $0.sent += 1 }
    }
}
