import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The test's stand-in for systemd's notify socket: an `AF_UNIX` datagram socket bound at a path in
/// the workspace, or at an `@abstract` name. Its address is built here, not by the code under test.
final class NotifyReceiver {
    /// The value for `NOTIFY_SOCKET`.
    let notifySocket: String
    private let descriptor: Int32
    private let path: String?

    init(workspace: Workspace, abstract: Bool) throws {
        let name: [UInt8]
        if abstract {
            let unique = "switchboard-e2e-\(getpid())-\(UUID().uuidString.prefix(8))"
            notifySocket = "@" + unique
            path = nil
            name = [0] + Array(unique.utf8)
        } else {
            let socketPath = workspace.path + "/notify.sock"
            notifySocket = socketPath
            path = socketPath
            name = Array(socketPath.utf8) + [0]
        }
        var address = sockaddr_un()
        guard name.count <= MemoryLayout.size(ofValue: address.sun_path) else { throw E2EError("socket name too long: \(notifySocket)") }
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw E2EError("socket failed: errno \(errno)") }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: name) }
        // Abstract names are as long as given; paths include their terminating NUL.
        let length = socklen_t(MemoryLayout<sa_family_t>.size + name.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            let code = errno
            close(descriptor)
            throw E2EError("bind \(notifySocket) failed: errno \(code)")
        }
    }

    deinit {
        close(descriptor)
        if let path { unlink(path) }
    }

    /// The next datagram, or nil when none arrives within `timeout` seconds.
    func receive(timeout: Double) -> String? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        var ready = poll(&poller, 1, Int32(max(0, timeout) * 1000))
        while ready < 0 && errno == EINTR { ready = poll(&poller, 1, Int32(max(0, timeout) * 1000)) }
        guard ready == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    /// Datagrams up to and including the first that contains `line` as one of its lines (bounded);
    /// the last element is that datagram, or the list ends without it on timeout.
    func receive(until line: String, timeout: Double = 10) -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        var received: [String] = []
        while case let remaining = deadline.timeIntervalSinceNow, remaining > 0 {
            guard let datagram = receive(timeout: remaining) else { break }
            received.append(datagram)
            if Self.lines(datagram).contains(line) { break }
        }
        return received
    }

    /// Every datagram that arrives during `seconds`.
    func collect(for seconds: Double) -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        var received: [String] = []
        while case let remaining = deadline.timeIntervalSinceNow, remaining > 0 {
            if let datagram = receive(timeout: remaining) { received.append(datagram) }
        }
        return received
    }

    static func lines(_ datagram: String) -> [String] {
        datagram.split(separator: "\n").map(String.init)
    }
}
