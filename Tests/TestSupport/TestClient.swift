import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking socket client for tests: raw bytes in, parsed responses out, with a receive timeout.
package final class TestClient {
    package let fd: Int32
    private var buffer: [UInt8] = []

    package struct Response: Sendable {
        package var status: Int
        package var headers: [String: String]
        package var body: String
    }

    package init(port: Int, host: String = "127.0.0.1", timeout: Double = 5) throws {
        let v6 = host.contains(":")
        fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc: Int32
        if v6 {
            var addr = sockaddr_in6()
            addr.sin6_family = sa_family_t(AF_INET6)
            addr.sin6_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET6, host, &addr.sin6_addr)
            rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, host, &addr.sin_addr)
            rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        var result = rc == 0 ? 0 : errno
        // connect(2) interrupted by a signal goes on in the background: wait for it to finish.
        var tries = 0
        while result == EINTR || result == EALREADY || result == EINPROGRESS, tries < 5000 {
            tries += 1
            usleep(1000)
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            var probe = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            if poll(&probe, 1, 0) == 1, getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 {
                result = error
            }
        }
        // No close here: a class whose initializer throws once every property is set still runs its
        // deinit, which closes the socket. Closing it here too closed, later, whatever socket or pipe
        // of another test had been given the same number meanwhile.
        guard result == 0 else { throw TestClientError.connect(result) }
    }

    deinit { close(fd) }

    package func send(_ text: String) { send(Array(text.utf8)) }

    package func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            // A signal (SIGCHLD from a process another test spawned) interrupts a socket with a timeout.
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }

    /// Reads one response (Content-Length framed, or to EOF). Nil on timeout or EOF before a status line.
    package func readResponse(head: Bool = false) -> Response? {
        while true {
            if let end = find([13, 10, 13, 10]) {
                let headText = String(decoding: buffer[0..<end], as: UTF8.self)
                var lines = headText.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst().split(separator: " ")
                guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
                var headers: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                let length = head ? 0 : Int(headers["content-length"] ?? "0") ?? 0
                while buffer.count < end + 4 + length {
                    guard fill() else { return nil }
                }
                let body = String(decoding: buffer[(end + 4)..<(end + 4 + length)], as: UTF8.self)
                buffer.removeFirst(end + 4 + length)
                return Response(status: status, headers: headers, body: body)
            }
            guard fill() else { return nil }
        }
    }

    /// True when the server has closed the connection (EOF) within the receive timeout.
    package func isClosedByServer() -> Bool {
        var byte: UInt8 = 0
        while true {
            let n = recv(fd, &byte, 1, 0)
            if n < 0 && errno == EINTR { continue }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        var n = recv(fd, &chunk, chunk.count, 0)
        while n < 0 && errno == EINTR { n = recv(fd, &chunk, chunk.count, 0) }
        guard n > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        for i in 0...(buffer.count - pattern.count) where buffer[i] == pattern[0] {
            if Array(buffer[i..<(i + pattern.count)]) == pattern { return i }
        }
        return nil
    }
}

package enum TestClientError: Error {
    case connect(Int32)
}
