import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// `switchboard healthcheck`: asks a running daemon's `GET /healthz` over a plain socket, so a container
/// `HEALTHCHECK` needs no curl in the image. Every step shares one deadline.
package enum HealthProbe {
    /// True when `http://address/healthz` (or `path`) answers a 2xx status within `timeoutSeconds`.
    ///
    /// `address` is `--listen`'s `HOST:PORT` (`127.0.0.1:8080`, `[::1]:8080`, `localhost:8080`); a wildcard
    /// host (`0.0.0.0`, `::`, empty) is probed on loopback. Each resolved address is tried in turn.
    package static func check(address: String, path: String = "/healthz", timeoutSeconds: Double) -> Bool {
        guard let (host, port) = split(address) else { return false }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        let hosts: [String] = switch host {
        case "", "0.0.0.0", "*": ["127.0.0.1"]
        case "::": ["::1", "127.0.0.1"]
        default: [host]
        }
        for candidate in hosts {
            for resolved in resolve(candidate, port: port) {
                let hostHeader = candidate.contains(":") ? "[\(candidate)]:\(port)" : "\(candidate):\(port)"
                if let healthy = probe(resolved, request: "GET \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nUser-Agent: switchboard-healthcheck\r\nConnection: close\r\n\r\n", deadline: deadline) {
                    return healthy
                }
                if deadline.timeIntervalSinceNow <= 0 { return false }
            }
        }
        return false
    }

    /// `HOST:PORT`, `[V6]:PORT`, `:PORT` or `PORT`.
    static func split(_ address: String) -> (host: String, port: UInt16)? {
        if let port = UInt16(address) { return ("", port) }
        if address.hasPrefix("[") {
            guard let close = address.firstIndex(of: "]"), address[address.index(after: close)...].hasPrefix(":"),
                  let port = UInt16(address[address.index(close, offsetBy: 2)...])
            else { return nil }
            return (String(address[address.index(after: address.startIndex)..<close]), port)
        }
        guard let colon = address.lastIndex(of: ":"), !address[..<colon].contains(":"),
              let port = UInt16(address[address.index(after: colon)...])
        else { return nil }
        return (String(address[..<colon]), port)
    }

    private struct Resolved {
        var family: Int32
        var storage: sockaddr_storage
        var length: socklen_t
    }

    private static func resolve(_ host: String, port: UInt16) -> [Resolved] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var results: [Resolved] = []
        var cursor = list
        while let entry = cursor, results.count < 8 {
            var storage = sockaddr_storage()
            withUnsafeMutableBytes(of: &storage) { target in
                target.copyMemory(from: UnsafeRawBufferPointer(start: entry.pointee.ai_addr, count: Int(entry.pointee.ai_addrlen)))
            }
            results.append(Resolved(family: entry.pointee.ai_family, storage: storage, length: entry.pointee.ai_addrlen))
            cursor = entry.pointee.ai_next
        }
        return results
    }

    /// Nil when no connection could be made (try the next address); else whether the status was 2xx.
    private static func probe(_ target: Resolved, request: String, deadline: Date) -> Bool? {
        let descriptor = socket(target.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var storage = target.storage
        let started = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, target.length) }
        }
        if started != 0 {
            guard errno == EINPROGRESS, wait(descriptor, for: Int16(POLLOUT), until: deadline) else { return nil }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &failure, &length) == 0, failure == 0 else { return nil }
        }
        var pending = Array(request.utf8)[...]
        while !pending.isEmpty {
            guard wait(descriptor, for: Int16(POLLOUT), until: deadline) else { return false }
            let sent = pending.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard sent > 0 else { return false }
            pending = pending.dropFirst(sent)
        }
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while !head.contains(UInt8(ascii: "\n")), head.count < 4096 {
            guard wait(descriptor, for: Int16(POLLIN), until: deadline) else { return false }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard count > 0 else { break }
            head += buffer[0..<count]
        }
        let statusLine = String(decoding: head.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else { return false }
        return (200..<300).contains(status)
    }

    private static func wait(_ descriptor: Int32, for events: Int16, until deadline: Date) -> Bool {
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return false }
            var poller = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&poller, 1, Int32(min(remaining * 1000, 60_000).rounded(.up)))
            if ready < 0 && errno == EINTR { continue }
            return ready > 0
        }
    }
}
