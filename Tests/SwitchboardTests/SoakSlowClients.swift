import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Clients that trickle a request head, one byte every `interval` seconds, never finishing it.
/// One thread drives them all with `poll`; each records what it got back and when it was closed.
final class SlowClients: @unchecked Sendable {
    struct Client {
        var fd: Int32
        var firstByteAt: Double = 0
        var nextSendAt: Double
        var sent = 0
        var received: [UInt8] = []
        var closedAt: Double?
    }

    static let head = Array("POST /voice HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Slow: ".utf8)

    private(set) var clients: [Client] = []
    let interval: Double

    /// Connects `count` clients to 127.0.0.1:`port`; their first bytes are staggered over one interval.
    init(count: Int, port: Int, interval: Double = 2) throws {
        self.interval = interval
        let start = SoakClock.now()
        for index in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw E2EError("socket failed for slow client \(index): errno \(errno)") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard rc == 0 else {
                close(fd)
                throw E2EError("connect failed for slow client \(index): errno \(errno)")
            }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            clients.append(Client(fd: fd, nextSendAt: start + interval * Double(index % 20) / 20))
        }
    }

    deinit { for client in clients where client.closedAt == nil { close(client.fd) } }

    var openCount: Int { clients.filter { $0.closedAt == nil }.count }

    /// Trickles bytes and watches for answers and closes until every client is closed or `until` passes.
    func drive(until deadline: Double) {
        while SoakClock.now() < deadline, openCount > 0 {
            let now = SoakClock.now()
            for index in clients.indices where clients[index].closedAt == nil && clients[index].nextSendAt <= now {
                trickle(index, now: now)
            }
            var fds = clients.map { pollfd(fd: $0.closedAt == nil ? $0.fd : -1, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), 50)
            guard ready > 0 else { continue }
            for index in fds.indices where fds[index].revents != 0 { readFrom(index) }
        }
    }

    private func trickle(_ index: Int, now: Double) {
        var byte = Self.head[clients[index].sent % Self.head.count]
        if clients[index].sent >= Self.head.count { byte = UInt8(ascii: "a") }
        let n = send(clients[index].fd, &byte, 1, Int32(MSG_NOSIGNAL))
        if n == 1 {
            if clients[index].sent == 0 { clients[index].firstByteAt = now }
            clients[index].sent += 1
            clients[index].nextSendAt = now + interval
        } else if errno != EAGAIN && errno != EINTR {
            markClosed(index)
        }
    }

    private func readFrom(_ index: Int) {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(clients[index].fd, &chunk, chunk.count, 0)
            if n > 0 {
                clients[index].received += chunk[0..<n]
                continue
            }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { return }
            markClosed(index)
            return
        }
    }

    private func markClosed(_ index: Int) {
        guard clients[index].closedAt == nil else { return }
        clients[index].closedAt = SoakClock.now()
        close(clients[index].fd)
    }

    /// The status code of the answer a client got before it was closed, if any.
    static func status(_ client: Client) -> Int? {
        let text = String(decoding: client.received.prefix(64), as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1.") else { return nil }
        return Int(parts[1])
    }
}
