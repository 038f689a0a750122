#if canImport(Glibc)
import Glibc
#endif
import Platform

/// Serialises responses: status line, `Date`, `Content-Length`, `Connection`, the handler's fields.
enum HTTPResponseWriter {
    static func serialize(_ response: HTTPResponse, head: Bool, close: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + response.body.count)
        out += "HTTP/1.1 ".utf8
        out += String(response.status).utf8
        out.append(UInt8(ascii: " "))
        out += HTTPResponse.reason(response.status).utf8
        out += "\r\nDate: ".utf8
        out += HTTPDate.now()
        out += "\r\n".utf8
        for field in response.headers where !field.name.caseInsensitiveEquals("Content-Length") && !field.name.caseInsensitiveEquals("Connection") {
            out += field.name.utf8
            out += ": ".utf8
            out += field.value.utf8
            out += "\r\n".utf8
        }
        // RFC 9110 §8.6: no Content-Length in a 1xx or 204 answer.
        if response.status >= 200, response.status != 204 {
            out += "Content-Length: ".utf8
            out += String(response.body.count).utf8
            out += "\r\n".utf8
        }
        if close { out += "Connection: close\r\n".utf8 }
        out += "\r\n".utf8
        if !head, response.status != 204, response.status != 304 { out += response.body }
        return out
    }
}

/// The IMF-fixdate of RFC 9110 §5.6.7, formatted at most once a second.
enum HTTPDate {
    private static let lock = Lock()
    nonisolated(unsafe) private static var cachedSecond = 0
    nonisolated(unsafe) private static var cached: [UInt8] = []

    static func now() -> [UInt8] {
        let t = time(nil)
        return lock.withLock {
            if t != cachedSecond || cached.isEmpty {
                cachedSecond = t
                cached = format(t)
            }
            return cached
        }
    }

    static func format(_ t: time_t) -> [UInt8] {
        var t = t
        var parts = tm()
        gmtime_r(&t, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let n = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return buffer[0..<n].map { UInt8(bitPattern: $0) }
    }
}
