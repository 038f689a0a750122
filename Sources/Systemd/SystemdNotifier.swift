import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Platform
import Synchronization

/// Sends sd_notify(3) state datagrams to the socket systemd names in `$NOTIFY_SOCKET`, without libsystemd.
///
/// One datagram carries newline-separated `KEY=VALUE` assignments (`READY=1\nSTATUS=Listening`). Sending
/// never throws: systemd may be gone or the socket full, and a daemon must not stop serving for that.
/// Failures are counted in `failureCount` instead.
package final class SystemdNotifier: Sendable {
    /// `$NOTIFY_SOCKET` as given: a file system path, or `@name` for the abstract namespace.
    package let socketName: String
    private let address: UnixSocketAddress
    /// The datagram socket (opened at the first send) and the sends that failed.
    private let socket = Mutex((descriptor: Int32(-1), failures: 0))

    /// Reads `NOTIFY_SOCKET`; nil when it is unset, empty, or not an `AF_UNIX` name this type can reach
    /// (only `/path` and `@abstract` are supported, not `vsock:`).
    package init?(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let name = environment["NOTIFY_SOCKET"], let address = UnixSocketAddress(name) else { return nil }
        self.socketName = name
        self.address = address
    }

    deinit {
        socket.withLock { if $0.descriptor >= 0 { close($0.descriptor) } }
    }

    /// Datagrams that could not be sent since this notifier was made.
    package var failureCount: Int {
        socket.withLock { $0.failures }
    }

    /// Sends `state` (for example `"READY=1\nSTATUS=Listening on 127.0.0.1:8080"`) as one datagram.
    /// Returns false, and counts a failure, when it could not be sent.
    @discardableResult
    package func notify(_ state: String) -> Bool {
        let bytes = Array(state.utf8)
        return socket.withLock { socket in
            if socket.descriptor < 0 {
                socket.descriptor = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            }
            guard socket.descriptor >= 0, address.send(bytes, from: socket.descriptor) else {
                socket.failures += 1
                return false
            }
            return true
        }
    }

    /// `READY=1`: start-up finished (the socket accepts connections), optionally with a `STATUS=` line.
    @discardableResult
    package func ready(status: String? = nil) -> Bool {
        notify(Self.join("READY=1", status: status))
    }

    /// `RELOADING=1` with `MONOTONIC_USEC=` (`CLOCK_MONOTONIC` now), as systemd 253+ requires for
    /// `Type=notify-reload` and older versions ignore. Send `ready()` when the reload has finished.
    @discardableResult
    package func reloading(status: String? = nil) -> Bool {
        notify(Self.join("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())", status: status))
    }

    /// `STOPPING=1`: shutdown has begun.
    @discardableResult
    package func stopping(status: String? = nil) -> Bool {
        notify(Self.join("STOPPING=1", status: status))
    }

    /// `STATUS=text`: a one-line status for `systemctl status`. Newlines become spaces.
    @discardableResult
    package func status(_ text: String) -> Bool {
        notify(Self.statusLine(text))
    }

    /// `WATCHDOG=1`: the keep-alive ping `WatchdogSec=` expects.
    @discardableResult
    package func watchdog() -> Bool {
        notify("WATCHDOG=1")
    }

    /// Microseconds of `CLOCK_MONOTONIC`, the clock systemd compares `MONOTONIC_USEC=` with.
    package static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }

    static func statusLine(_ text: String) -> String {
        "STATUS=" + text.replacingAll("\r\n", with: " ").replacingAll("\n", with: " ")
    }

    private static func join(_ state: String, status: String?) -> String {
        guard let status else { return state }
        return state + "\n" + statusLine(status)
    }
}
