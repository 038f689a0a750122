import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket the test owns, standing in for systemd's notify socket: bound at a path under /tmp
/// or in the abstract namespace. Its address is built here by hand, not by the code under test.
final class DatagramReceiver {
    /// The value for `NOTIFY_SOCKET`.
    let notifySocket: String
    private let descriptor: Int32
    private let path: String?

    init(abstract: Bool) throws {
        let unique = "switchboard-notify-\(getpid())-\(UUID().uuidString.prefix(8))"
        let name = abstract ? [UInt8(0)] + Array(unique.utf8) : Array("/tmp/\(unique).sock".utf8) + [0]
        notifySocket = abstract ? "@" + unique : "/tmp/\(unique).sock"
        path = abstract ? nil : "/tmp/\(unique).sock"
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: name) }
        let length = socklen_t(2 + (abstract ? 1 + unique.utf8.count : "/tmp/\(unique).sock".utf8.count + 1))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            let code = errno
            close(descriptor)
            throw POSIXError(.init(rawValue: code) ?? .EIO)
        }
    }

    deinit {
        close(descriptor)
        if let path { unlink(path) }
    }

    /// The next datagram, or nil when none arrives within `timeout` seconds.
    func receive(timeout: Double = 2) -> String? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    /// Every datagram that arrives during `seconds`.
    func collect(for seconds: Double) -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        var datagrams: [String] = []
        while case let remaining = deadline.timeIntervalSinceNow, remaining > 0 {
            if let datagram = receive(timeout: remaining) { datagrams.append(datagram) }
        }
        return datagrams
    }
}
