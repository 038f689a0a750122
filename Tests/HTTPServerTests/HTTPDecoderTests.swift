import Testing
@testable import HTTPServer

/// The parser as a pure value over bytes.
struct HTTPDecoderTests {
    /// tchar of RFC 9110 §5.6.2, for every byte value.
    @Test func tokenBytesAreExactlyTheRFCs() {
        let tchars = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for byte in UInt8.min...UInt8.max {
            #expect(isTokenByte(byte) == tchars.contains(byte), "byte \(byte)")
        }
    }

    struct Good: CustomTestStringConvertible, Sendable {
        var name: String
        var raw: String
        var method: String
        var target: String
        var body: String
        var headers: [(String, String)] = []
        var testDescription: String { name }
    }

    struct Bad: CustomTestStringConvertible, Sendable {
        var name: String
        var raw: String
        var status: Int
        var testDescription: String { name }
    }

    static let good: [Good] = [
        Good(name: "simple GET", raw: "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n", method: "GET", target: "/healthz", body: ""),
        Good(name: "query kept raw", raw: "GET /voice?To=%2B1555&From=+1 HTTP/1.1\r\nHost: a\r\n\r\n", method: "GET", target: "/voice?To=%2B1555&From=+1", body: ""),
        Good(name: "content-length body", raw: "POST /sms HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", method: "POST", target: "/sms", body: "hello"),
        Good(name: "zero length", raw: "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", method: "POST", target: "/x", body: ""),
        Good(name: "chunked", raw: "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", method: "POST", target: "/x", body: "hello world"),
        Good(name: "chunked upper hex and extension", raw: "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nA;name=v\r\n0123456789\r\n0\r\n\r\n", method: "POST", target: "/x", body: "0123456789"),
        Good(name: "chunked with trailers", raw: "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\nX-Trailer: 1\r\n\r\n", method: "POST", target: "/x", body: "z"),
        Good(name: "transfer-encoding case", raw: "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n", method: "POST", target: "/x", body: ""),
        Good(name: "HTTP/1.0 without Host", raw: "GET / HTTP/1.0\r\n\r\n", method: "GET", target: "/", body: ""),
        Good(name: "leading empty line", raw: "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", method: "GET", target: "/", body: ""),
        Good(name: "header whitespace trimmed", raw: "GET / HTTP/1.1\r\nHost:   a  \r\nX-A:\tb\t\r\n\r\n", method: "GET", target: "/", body: "", headers: [("Host", "a"), ("X-A", "b")]),
        Good(name: "empty header value", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\n\r\n", method: "GET", target: "/", body: "", headers: [("X-Empty", "")]),
        Good(name: "repeated same content-length", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2, 2\r\n\r\nok", method: "POST", target: "/", body: "ok"),
        Good(name: "expect continue", raw: "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok", method: "POST", target: "/", body: "ok"),
        Good(name: "HEAD", raw: "HEAD /healthz HTTP/1.1\r\nHost: a\r\n\r\n", method: "HEAD", target: "/healthz", body: ""),
        Good(name: "utf8 header value", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-Name: Zo\u{00eb}\r\n\r\n", method: "GET", target: "/", body: "", headers: [("X-Name", "Zo\u{00eb}")]),
        Good(name: "absolute-form target", raw: "GET http://a/x HTTP/1.1\r\nHost: a\r\n\r\n", method: "GET", target: "http://a/x", body: ""),
        Good(name: "json body", raw: "POST /voice HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n{\"call\":{\"a\"}}", method: "POST", target: "/voice", body: "{\"call\":{\"a\"}}"),
        Good(name: "body with CRLFs", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\n\r\n\r\n\r\n", method: "POST", target: "/", body: "\r\n\r\n\r\n"),
        Good(name: "custom method token", raw: "PURGE /x HTTP/1.1\r\nHost: a\r\n\r\n", method: "PURGE", target: "/x", body: ""),
    ]

    static let bad: [Bad] = [
        Bad(name: "garbage", raw: "hello\r\n\r\n", status: 400),
        Bad(name: "two spaces", raw: "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        Bad(name: "missing version", raw: "GET /\r\nHost: a\r\n\r\n", status: 400),
        Bad(name: "lower-case version", raw: "GET / http/1.1\r\nHost: a\r\n\r\n", status: 400),
        Bad(name: "HTTP/2.0", raw: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", status: 505),
        Bad(name: "HTTP/0.9 style", raw: "GET / HTTP/0.9\r\nHost: a\r\n\r\n", status: 505),
        Bad(name: "HTTP/1.1x", raw: "GET / HTTP/1.12\r\nHost: a\r\n\r\n", status: 400),
        Bad(name: "method with slash", raw: "G/T / HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        Bad(name: "target without slash", raw: "GET healthz HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        Bad(name: "control char in target", raw: "GET /a\u{01}b HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        Bad(name: "missing Host", raw: "GET / HTTP/1.1\r\n\r\n", status: 400),
        Bad(name: "two Host", raw: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400),
        Bad(name: "space before colon", raw: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", status: 400),
        Bad(name: "no colon", raw: "GET / HTTP/1.1\r\nHost a\r\n\r\n", status: 400),
        Bad(name: "empty header name", raw: "GET / HTTP/1.1\r\n: a\r\nHost: a\r\n\r\n", status: 400),
        Bad(name: "obs-fold", raw: "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", status: 400),
        Bad(name: "bare LF in head", raw: "GET / HTTP/1.1\nHost: a\r\n\r\n", status: 400),
        Bad(name: "bare CR in head", raw: "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", status: 400),
        Bad(name: "NUL in value", raw: "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{00}b\r\n\r\n", status: 400),
        Bad(name: "CL and TE", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400),
        Bad(name: "chunked not last", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", status: 400),
        Bad(name: "gzip then chunked", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", status: 501),
        Bad(name: "TE in HTTP/1.0", raw: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400),
        Bad(name: "negative length", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", status: 400),
        Bad(name: "hex length", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", status: 400),
        Bad(name: "conflicting lengths", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", status: 400),
        Bad(name: "huge length", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", status: 400),
        Bad(name: "body over 1 MiB", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n", status: 413),
        Bad(name: "bad chunk size", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", status: 400),
        Bad(name: "chunk without CRLF", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd\r\n0\r\n\r\n", status: 400),
        Bad(name: "chunk size too long", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n123456789\r\n", status: 400),
        Bad(name: "chunked over 1 MiB", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n", status: 413),
        Bad(name: "bad trailer", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nnot a trailer\r\n\r\n", status: 400),
        Bad(name: "bare CR in chunk line", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\rhello", status: 400),
        Bad(name: "unknown expectation", raw: "POST / HTTP/1.1\r\nHost: a\r\nExpect: tea\r\n\r\n", status: 417),
        Bad(name: "too many headers", raw: "GET / HTTP/1.1\r\nHost: a\r\n" + String(repeating: "X-A: b\r\n", count: 100) + "\r\n", status: 431),
        Bad(name: "head over 16 KiB", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "a", count: 17_000) + "\r\n\r\n", status: 431),
        Bad(name: "unfinished head over 16 KiB", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "a", count: 17_000), status: 431),
        Bad(name: "request line over 16 KiB", raw: "GET /" + String(repeating: "a", count: 17_000), status: 431),
        Bad(name: "binary garbage", raw: "\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}", status: 400),
        Bad(name: "LF-only request line", raw: "GET / HTTP/1.1\n", status: 400),
    ]

    @Test("well-formed requests parse whole", arguments: good)
    func wellFormed(_ case_: Good) throws {
        let bytes = Array(case_.raw.utf8)
        guard case .request(let request, let consumed) = HTTPDecoder().decode(bytes) else {
            Issue.record("\(case_.name): not parsed as a request")
            return
        }
        #expect(consumed == bytes.count)
        #expect(request.method == case_.method)
        #expect(request.target == case_.target)
        #expect(request.bodyText == case_.body)
        for (name, value) in case_.headers {
            #expect(request.headers[name] == value, "\(name)")
        }
    }

    @Test("well-formed requests split at every byte boundary", arguments: good)
    func splitEverywhere(_ case_: Good) {
        let bytes = Array(case_.raw.utf8)
        let decoder = HTTPDecoder()
        for cut in 0..<bytes.count {
            switch decoder.decode(Array(bytes[0..<cut])) {
            case .incomplete: continue
            case .request(_, let consumed):
                // A request can complete early only when what follows is not part of it.
                Issue.record("\(case_.name): complete after \(cut) of \(bytes.count) bytes (consumed \(consumed))")
            case .failure(let status, let reason):
                Issue.record("\(case_.name): failed with \(status) \(reason) after \(cut) bytes")
            }
        }
    }

    /// A connection keeps the head of an incomplete request and resumes with it: what it decodes then,
    /// at every cut and for every later length of the same bytes, is what a fresh decode gives.
    @Test("resuming with a kept head decodes as from scratch", arguments: good)
    func resumedWithTheKeptHead(_ case_: Good) {
        let bytes = Array(case_.raw.utf8) + Array("GET /next HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        let decoder = HTTPDecoder()
        func describe(_ result: HTTPDecoder.Result) -> String {
            switch result {
            case .incomplete(let head): "incomplete \(head?.target ?? "-") \(head?.bodyStart ?? -1)"
            case .request(let r, let consumed): "request \(r.method) \(r.target) \(r.headers.fields.map { "\($0.name)=\($0.value)" }) \(r.bodyText) \(consumed)"
            case .failure(let status, let reason): "failure \(status) \(reason)"
            }
        }
        var resumed = 0
        for cut in 0...case_.raw.utf8.count {
            guard case .incomplete(let head?) = decoder.decode(Array(bytes[0..<cut])) else { continue }
            for length in cut...bytes.count {
                let part = Array(bytes[0..<length])
                let again = part.withUnsafeBufferPointer { decoder.decode($0, resuming: head) }
                #expect(describe(again) == describe(decoder.decode(part)), "\(case_.name), head kept at \(cut), \(length) bytes")
                resumed += 1
            }
        }
        // Requests with a body are incomplete after their head at least once.
        if !case_.body.isEmpty { #expect(resumed > 0) }
    }

    @Test("malformed requests get their status", arguments: bad)
    func malformed(_ case_: Bad) {
        switch HTTPDecoder().decode(Array(case_.raw.utf8)) {
        case .failure(let status, _): #expect(status == case_.status, "\(case_.name)")
        case .incomplete: Issue.record("\(case_.name): incomplete instead of \(case_.status)")
        case .request: Issue.record("\(case_.name): parsed instead of \(case_.status)")
        }
    }

    /// Fuzz finding: a head of exactly 16 KiB must not be refused while its CRLFCRLF is still arriving.
    @Test func headAtTheLimitSplitInsideItsTerminator() {
        let start = "POST /voice HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nX-Pad: "
        let head = start + String(repeating: "a", count: HTTPLimits().maxHeadBytes - start.utf8.count)
        let whole = Array((head + "\r\n\r\nok").utf8)
        for cut in (head.utf8.count)...(head.utf8.count + 3) {
            guard case .incomplete = HTTPDecoder().decode(Array(whole[0..<cut])) else {
                Issue.record("refused after \(cut) bytes")
                continue
            }
        }
        guard case .request = HTTPDecoder().decode(whole) else { Issue.record("not parsed whole"); return }
        guard case .failure(431, _) = HTTPDecoder().decode(Array((head + "b\r\n\r\n").utf8)) else {
            Issue.record("a head one byte over the limit was not refused")
            return
        }
    }

    /// Fuzz finding: a long chunk-size line gets the same answer whether or not its CRLF has arrived.
    @Test func longChunkLineRefusedWholeOrSplit() {
        let raw = Array(("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;" + String(repeating: "e", count: 1100) + "\r\nx\r\n0\r\n\r\n").utf8)
        for cut in [1092, raw.count] {
            guard case .failure(400, _) = HTTPDecoder().decode(Array(raw[0..<cut])) else {
                Issue.record("not refused after \(cut) bytes")
                continue
            }
        }
    }

    @Test func pipelinedRequestsParseOneAtATime() {
        let raw = Array("GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhiGET /c HTTP/1.1\r\n".utf8)
        var buffer = raw
        var targets: [String] = []
        while case .request(let request, let consumed) = HTTPDecoder().decode(buffer) {
            targets.append(request.target)
            buffer.removeFirst(consumed)
        }
        #expect(targets == ["/a", "/b"])
        #expect(String(decoding: buffer, as: UTF8.self) == "GET /c HTTP/1.1\r\n")
    }

    @Test func expectContinueReportsHeadBeforeBody() {
        let raw = Array("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n".utf8)
        guard case .incomplete(let head?) = HTTPDecoder().decode(raw) else {
            Issue.record("expected an incomplete request with its head")
            return
        }
        #expect(head.expectsContinue)
        #expect(head.framing == .length(5))
    }

    @Test func keepAliveRules() {
        func request(_ version: HTTPVersion, _ connection: String?) -> HTTPRequest {
            var headers = HTTPHeaders()
            if let connection { headers.add("Connection", connection) }
            return HTTPRequest(method: "GET", target: "/", version: version, headers: headers)
        }
        #expect(request(.http11, nil).keepAlive)
        #expect(!request(.http11, "close").keepAlive)
        #expect(!request(.http11, "Keep-Alive, Close").keepAlive)
        #expect(!request(.http10, nil).keepAlive)
        #expect(request(.http10, "keep-alive").keepAlive)
    }
}
