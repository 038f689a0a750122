#if canImport(Glibc)
import Glibc
#endif
import Platform
import Synchronization

/// Serialises responses: status line, `Date`, `Content-Length`, `Connection`, the handler's fields.
enum HTTPResponseWriter {
    static func serialize(_ response: HTTPResponse, head: Bool, close: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + response.body.count)
        // The daemon's usual answers' status lines as one literal each.
        switch response.status {
        case 200: out.append("HTTP/1.1 200 OK\r\nDate: ")
        case 204: out.append("HTTP/1.1 204 No Content\r\nDate: ")
        default:
            out.append("HTTP/1.1 ")
            out.append(decimal: response.status)
            out.append(" ")
            out.append(text: HTTPResponse.reason(response.status))
            out.append("\r\nDate: ")
        }
        HTTPDate.append(to: &out)
        out.append("\r\n")
        for field in response.headers where !field.name.caseInsensitiveEquals("Content-Length") && !field.name.caseInsensitiveEquals("Connection") {
            out.append(text: field.name)
            out.append(": ")
            out.append(text: field.value)
            out.append("\r\n")
        }
        // RFC 9110 §8.6: no Content-Length in a 1xx or 204 answer.
        if response.status >= 200, response.status != 204 {
            out.append("Content-Length: ")
            out.append(decimal: response.body.count)
            out.append("\r\n")
        }
        if close { out.append("Connection: close\r\n") }
        out.append("\r\n")
        if !head, response.status != 204, response.status != 304 { out += response.body }
        return out
    }
}

extension [UInt8] {
    /// Appends a literal's bytes in one copy.
    mutating func append(_ literal: StaticString) {
        literal.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// Appends `text`'s UTF-8 in one copy.
    mutating func append(text: String) {
        text.withUTF8Bytes { append(contentsOf: $0) }
    }

    /// Appends a non-negative `value` in decimal, without making a string of it first.
    mutating func append(decimal value: Int) {
        precondition(value >= 0, "a negative status or length")
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: enough for Int.max's 19 digits
        Swift.withUnsafeMutableBytes(of: &digits) { buffer in
            var rest = value
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            append(contentsOf: buffer[start...])
        }
    }
}

/// The IMF-fixdate of RFC 9110 §5.6.7, formatted at most once a second.
enum HTTPDate {
    private static let cache = Mutex((second: 0, bytes: [UInt8]()))

    /// The date now, appended to `text` under the mutex: the cached bytes are not copied out first.
    static func append(to text: inout [UInt8]) {
        let t = time(nil)
        cache.withLock { cache in
            if t != cache.second || cache.bytes.isEmpty {
                cache = (t, format(t))
            }
            text += cache.bytes
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
