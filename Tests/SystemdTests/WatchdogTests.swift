import Foundation
import Testing
@testable import Systemd

@Suite struct WatchdogTests {
    @Test func pingsAtAboutHalfTheTimeout() throws {
        let receiver = try DatagramReceiver(abstract: false)
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.notifySocket]))
        let watchdog = try #require(Watchdog(
            environment: ["WATCHDOG_USEC": "200000", "WATCHDOG_PID": "\(getpid())"],
            notifier: notifier
        ))
        #expect(watchdog.pingInterval == 0.1)
        watchdog.start()
        watchdog.start()
        let pings = receiver.collect(for: 1.0)
        watchdog.stop()
        #expect(pings.count >= 2)
        #expect(pings.count <= 30)
        #expect(pings.allSatisfy { $0 == "WATCHDOG=1" })
        _ = receiver.collect(for: 0.1)
        #expect(receiver.collect(for: 0.3).isEmpty)
        #expect(watchdog.pingsSent >= pings.count)
    }

    @Test func withholdsPingsWhileUnhealthy() throws {
        let receiver = try DatagramReceiver(abstract: true)
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.notifySocket]))
        let watchdog = try #require(Watchdog(environment: ["WATCHDOG_USEC": "100000"], notifier: notifier) { false })
        watchdog.start()
        let pings = receiver.collect(for: 0.4)
        watchdog.stop()
        #expect(pings.isEmpty)
        #expect(watchdog.pingsSent == 0)
        #expect(watchdog.pingsSkipped >= 2)
    }

    @Test func healthCheckDecidesEachPing() throws {
        let receiver = try DatagramReceiver(abstract: true)
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.notifySocket]))
        let healthy = HealthFlag()
        let watchdog = try #require(Watchdog(environment: ["WATCHDOG_USEC": "60000000"], notifier: notifier) { healthy.value })
        watchdog.tick()
        #expect(receiver.receive() == "WATCHDOG=1")
        healthy.value = false
        watchdog.tick()
        #expect(receiver.receive(timeout: 0.2) == nil)
        healthy.value = true
        watchdog.tick()
        #expect(receiver.receive() == "WATCHDOG=1")
        #expect(watchdog.pingsSent == 2 && watchdog.pingsSkipped == 1)
    }

    @Test func appliesOnlyToThisProcess() throws {
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/systemd/notify"]))
        #expect(Watchdog(environment: [:], notifier: notifier) == nil)
        #expect(Watchdog(environment: ["WATCHDOG_USEC": "0"], notifier: notifier) == nil)
        #expect(Watchdog(environment: ["WATCHDOG_USEC": "soon"], notifier: notifier) == nil)
        #expect(Watchdog(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(getpid() + 1)"], notifier: notifier) == nil)
        #expect(Watchdog.timeoutMicroseconds(environment: ["WATCHDOG_USEC": "30000000"]) == 30_000_000)
    }
}

/// A Bool the health check reads from the watchdog's queue while the test writes it.
private final class HealthFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = true
    var value: Bool {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
