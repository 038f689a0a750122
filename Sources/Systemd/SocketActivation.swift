import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Listening sockets handed over by systemd socket activation (sd_listen_fds(3)), without libsystemd:
/// when `LISTEN_PID` is this process, `LISTEN_FDS` sockets wait at descriptors `3 ..< 3 + LISTEN_FDS`,
/// named by the colon-separated `LISTEN_FDNAMES` (`FileDescriptorName=` in the .socket unit).
package enum SocketActivation {
    /// `SD_LISTEN_FDS_START`: the first inherited descriptor.
    package static let firstDescriptor: Int32 = 3

    /// An inherited socket and its `FileDescriptorName=` (`"unknown"` when systemd gave none).
    package struct ListeningSocket: Sendable, Equatable {
        package let descriptor: Int32
        package let name: String

        package init(descriptor: Int32, name: String) {
            self.descriptor = descriptor
            self.name = name
        }
    }

    /// The inherited descriptors, each marked `FD_CLOEXEC` so no child inherits it. Empty when
    /// `LISTEN_PID` is missing or another process's, when `LISTEN_FDS` is not a positive number, or when a
    /// descriptor in the range is not open.
    package static func listeningSockets(environment: [String: String] = ProcessInfo.processInfo.environment) -> [Int32] {
        namedListeningSockets(environment: environment).map(\.descriptor)
    }

    /// `listeningSockets(environment:)` with each socket's name from `LISTEN_FDNAMES`. When the number of
    /// names does not match `LISTEN_FDS`, every name is `"unknown"`.
    package static func namedListeningSockets(environment: [String: String] = ProcessInfo.processInfo.environment) -> [ListeningSocket] {
        namedListeningSockets(environment: environment, firstDescriptor: firstDescriptor)
    }

    /// Removes `LISTEN_PID`, `LISTEN_FDS` and `LISTEN_FDNAMES` from this process's environment, so a child
    /// process does not mistake them for its own.
    package static func unsetEnvironment() {
        for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] {
            unsetenv(name)
        }
    }

    /// True when `descriptor` is a stream socket in the listening state (`SO_ACCEPTCONN`).
    package static func isListening(_ descriptor: Int32) -> Bool {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0 else { return false }
        return accepting != 0
    }

    /// The protocol with a movable start, so tests can hand over descriptors they own instead of fd 3.
    static func namedListeningSockets(environment: [String: String], firstDescriptor: Int32) -> [ListeningSocket] {
        guard let pidText = environment["LISTEN_PID"], let pid = Int32(pidText), pid == getpid(),
              let countText = environment["LISTEN_FDS"], let count = Int32(countText),
              count > 0, count <= Int32.max - firstDescriptor
        else { return [] }
        let descriptors = Array(firstDescriptor..<(firstDescriptor + count))
        for descriptor in descriptors {
            let flags = fcntl(descriptor, F_GETFD)
            guard flags >= 0 else { return [] }
            if flags & FD_CLOEXEC == 0 {
                guard fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) == 0 else { return [] }
            }
        }
        var names = (environment["LISTEN_FDNAMES"] ?? "")
            .split(separator: ":", omittingEmptySubsequences: false)
            .map(String.init)
        if names.count != descriptors.count {
            names = Array(repeating: "unknown", count: descriptors.count)
        }
        return zip(descriptors, names).map { ListeningSocket(descriptor: $0, name: $1) }
    }
}
