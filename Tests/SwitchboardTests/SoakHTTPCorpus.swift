import Foundation
import TestSupport

/// A generated corpus of malformed or unacceptable HTTP requests, each complete enough that the
/// daemon can decide at once (no case waits on a body or head that never comes).
struct BadRequest {
    var name: String
    var bytes: [UInt8]
    /// The statuses that are right for it; nil: any 4xx, 501 or 505.
    var expected: Set<Int>?

    init(_ name: String, _ text: String, _ expected: Set<Int>? = nil) {
        self.init(name, Array(text.utf8), expected)
    }

    init(_ name: String, _ bytes: [UInt8], _ expected: Set<Int>? = nil) {
        self.name = name
        self.bytes = bytes
        self.expected = expected
    }

    /// 4xx, or the two 5xx that name a client's protocol choice.
    static func isAcceptable(_ status: Int) -> Bool {
        (400...499).contains(status) || status == 501 || status == 505
    }
}

enum BadRequestCorpus {
    static let webhooks = ["/voice", "/sms", "/status/call", "/status/message", "/voicemail"]

    static func all() -> [BadRequest] {
        requestLines() + headers() + framing() + sizes() + garbage() + methodsAndPaths() + bodies()
    }

    /// A request with `Host` and `Content-Length`, like `HTTP.raw`, but any method, target and version.
    static func request(_ method: String = "POST", _ target: String = "/voice", version: String = "HTTP/1.1",
                        headers: [String] = [], body: String = "") -> String {
        var text = "\(method) \(target) \(version)\r\nHost: 127.0.0.1\r\n"
        for header in headers { text += header + "\r\n" }
        if !body.isEmpty || method == "POST" { text += "Content-Length: \(body.utf8.count)\r\n" }
        return text + "\r\n" + body
    }

    static func requestLines() -> [BadRequest] {
        var cases = [
            BadRequest("no target or version", "GET\r\n\r\n", [400]),
            BadRequest("no version", "GET /voice\r\n\r\n", [400]),
            BadRequest("double space", "GET  /voice HTTP/1.1\r\nHost: x\r\n\r\n", [400]),
            BadRequest("space in target", "GET /vo ice HTTP/1.1\r\nHost: x\r\n\r\n", [400]),
            BadRequest("target without slash", "GET voice HTTP/1.1\r\nHost: x\r\n\r\n", [400]),
            BadRequest("lower-case version", "GET /voice http/1.1\r\nHost: x\r\n\r\n", [400]),
            BadRequest("version junk", "GET /voice HTTP/one\r\nHost: x\r\n\r\n", [400]),
            BadRequest("trailing words", "GET /voice HTTP/1.1 please\r\nHost: x\r\n\r\n", [400]),
            BadRequest("method with slash", "GE/T /voice HTTP/1.1\r\nHost: x\r\n\r\n", [400]),
            BadRequest("method with colon", "GET: /voice HTTP/1.1\r\nHost: x\r\n\r\n", [400]),
            BadRequest("NUL in request line", "GET /vo\u{0}ice HTTP/1.1\r\nHost: x\r\n\r\n", [400]),
            BadRequest("tab in target", "GET /voice\t HTTP/1.1\r\nHost: x\r\n\r\n", [400]),
            BadRequest("bare LF line ends", "GET /voice HTTP/1.1\nHost: x\n\n", [400]),
            BadRequest("bare CR", "GET /voice HTTP/1.1\rHost: x\r\n\r\n", [400]),
            BadRequest("non-ASCII target", "GET /vöice HTTP/1.1\r\nHost: x\r\n\r\n", [400]),
            BadRequest("CONNECT authority form", "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: x\r\n\r\n"),
            BadRequest("empty line only then junk", "\r\n\r\n\u{1}\r\n\r\n", [400]),
        ]
        for version in ["HTTP/2.0", "HTTP/3.0", "HTTP/0.9", "HTTP/1.2", "HTTP/9.9"] {
            cases.append(BadRequest("version \(version)", "GET /voice \(version)\r\nHost: x\r\n\r\n", [505]))
        }
        for version in ["HTTP/1", "HTTP/1.10", "HTTP/x.y", "HTTPS/1.1", "HTTP/1.1.1"] {
            cases.append(BadRequest("malformed version \(version)", "GET /voice \(version)\r\nHost: x\r\n\r\n", [400, 505]))
        }
        return cases
    }

    static func headers() -> [BadRequest] {
        let voice = "POST /voice HTTP/1.1\r\n"
        return [
            BadRequest("header without colon", voice + "Host: x\r\nContent-Type application/json\r\n\r\n", [400]),
            BadRequest("space before colon", voice + "Host: x\r\nContent-Type : application/json\r\n\r\n", [400]),
            BadRequest("empty header name", voice + "Host: x\r\n: value\r\n\r\n", [400]),
            BadRequest("obsolete line folding", voice + "Host: x\r\nX-A: one\r\n two\r\n\r\n", [400]),
            BadRequest("NUL in header value", voice + "Host: x\r\nX-A: a\u{0}b\r\n\r\n", [400]),
            BadRequest("DEL in header value", voice + "Host: x\r\nX-A: a\u{7F}b\r\n\r\n", [400]),
            BadRequest("bare CR in header", voice + "Host: x\r\nX-A: a\rb\r\n\r\n", [400]),
            BadRequest("header name with slash", voice + "Host: x\r\nX/A: b\r\n\r\n", [400]),
            BadRequest("missing Host in HTTP/1.1", voice + "Content-Length: 0\r\n\r\n", [400]),
            BadRequest("two Host headers", voice + "Host: a\r\nHost: b\r\nContent-Length: 0\r\n\r\n", [400]),
            BadRequest("unknown expectation", voice + "Host: x\r\nExpect: 200-ok\r\nContent-Length: 0\r\n\r\n", [417]),
            BadRequest("101 header fields", voice + "Host: x\r\n" + (0..<100).map { "X-H\($0): v\r\n" }.joined() + "\r\n", [431]),
            BadRequest("500 header fields", voice + "Host: x\r\n" + (0..<500).map { "X-H\($0): v\r\n" }.joined() + "\r\n", [431]),
        ]
    }

    static func framing() -> [BadRequest] {
        func chunked(_ body: String, te: String = "chunked", extra: String = "") -> String {
            "POST /voice HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: \(te)\r\n\(extra)\r\n" + body
        }
        func length(_ value: String) -> String {
            "POST /voice HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(value)\r\n\r\n"
        }
        var cases = [
            BadRequest("chunk size not hex", chunked("zz\r\nabc\r\n0\r\n\r\n"), [400]),
            BadRequest("chunk size empty", chunked("\r\nabc\r\n0\r\n\r\n"), [400]),
            BadRequest("chunk size 9 digits", chunked("000000001\r\na\r\n0\r\n\r\n"), [400]),
            BadRequest("chunk shorter than its size", chunked("5\r\nabc\r\n0\r\n\r\n"), [400]),
            BadRequest("chunk data without CRLF", chunked("3\r\nabcXY0\r\n\r\n"), [400]),
            BadRequest("negative chunk size", chunked("-5\r\nabcde\r\n0\r\n\r\n"), [400]),
            BadRequest("chunk size with bare LF", chunked("3\nabc\r\n0\r\n\r\n"), [400]),
            BadRequest("malformed trailer", chunked("3\r\nabc\r\n0\r\nno colon here\r\n\r\n"), [400]),
            BadRequest("chunk larger than the body limit", chunked("FFFFFFF\r\n"), [413]),
            BadRequest("chunks adding past the body limit", chunked("80000\r\n" + String(repeating: "a", count: 0x80000) + "\r\n80001\r\n"), [413]),
            BadRequest("gzip then chunked", chunked("0\r\n\r\n", te: "gzip, chunked"), [501]),
            BadRequest("chunked then gzip", chunked("0\r\n\r\n", te: "chunked, gzip"), [400]),
            BadRequest("unknown transfer coding", chunked("", te: "rot13"), [400, 501]),
            BadRequest("Transfer-Encoding and Content-Length", chunked("0\r\n\r\n", extra: "Content-Length: 5\r\n"), [400]),
            BadRequest("Transfer-Encoding in HTTP/1.0",
                       "POST /voice HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", [400]),
            BadRequest("Content-Length 2,000,000", length("2000000"), [413]),
            BadRequest("Content-Length one past 1 MiB", length("1048577"), [413]),
            BadRequest("two different Content-Lengths",
                       "POST /voice HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", [400]),
        ]
        for value in ["abc", "-1", "+5", "0x10", "1,2", "1.5", "", " ", "99999999999999", "18446744073709551616", "5 5", "1e3"] {
            cases.append(BadRequest("Content-Length \"\(value)\"", length(value), [400]))
        }
        return cases
    }

    static func sizes() -> [BadRequest] {
        let big = String(repeating: "a", count: 17 * 1024)
        return [
            BadRequest("17 KiB target", "GET /voice?x=\(big) HTTP/1.1\r\nHost: x\r\n\r\n", [431]),
            BadRequest("17 KiB header value", "GET /voice HTTP/1.1\r\nHost: x\r\nX-Big: \(big)\r\n\r\n", [431]),
            BadRequest("17 KiB of headers", "GET /voice HTTP/1.1\r\nHost: x\r\n"
                       + (0..<90).map { "X-H\($0): " + String(repeating: "b", count: 200) + "\r\n" }.joined() + "\r\n", [431]),
            BadRequest("17 KiB request line without end", "GET /" + big, [431]),
        ]
    }

    /// Binary garbage from a fixed seed, each ended with CRLFCRLF so a head is always complete.
    static func garbage() -> [BadRequest] {
        var generator = SplitMix64(seed: 0x5EED_50A4)
        var cases: [BadRequest] = []
        for index in 0..<16 {
            let length = 8 + Int(generator.next() % 512)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            bytes += Array("\r\n\r\n".utf8)
            cases.append(BadRequest("random bytes #\(index) (\(length) bytes)", bytes))
        }
        // What other protocols send to a web port.
        cases.append(BadRequest("TLS ClientHello", [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03] + Array(repeating: 0x42, count: 32) + Array("\r\n\r\n".utf8), [400]))
        cases.append(BadRequest("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", [400, 505]))
        cases.append(BadRequest("SSH banner", "SSH-2.0-OpenSSH_9.2\r\n\r\n", [400]))
        cases.append(BadRequest("SMTP greeting", "EHLO example.com\r\n\r\n", [400]))
        cases.append(BadRequest("high bytes", Array(repeating: 0xFF, count: 64) + Array("\r\n\r\n".utf8), [400]))
        return cases
    }
}

