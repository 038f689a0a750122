import Testing
@testable import HTTPServer

/// The bytes of an answer, as a pure function of the response.
struct HTTPResponseWriterTests {
    /// Splits serialized bytes into the status line, the fields (Date checked apart) and the body.
    private func parts(_ bytes: [UInt8]) -> (status: String, fields: [String], date: String?, body: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let end = text.range(of: "\r\n\r\n")!
        var lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
        let status = lines.removeFirst()
        let date = lines.first { $0.hasPrefix("Date: ") }
        let headLength = text[..<end.upperBound].utf8.count
        return (status, lines.filter { !$0.hasPrefix("Date: ") }, date, Array(bytes[headLength...]))
    }

    @Test func statusLinesForEveryStatusTheServerSends() {
        for (status, line) in [(200, "HTTP/1.1 200 OK"), (204, "HTTP/1.1 204 No Content"), (400, "HTTP/1.1 400 Bad Request"),
                               (404, "HTTP/1.1 404 Not Found"), (503, "HTTP/1.1 503 Service Unavailable"),
                               (599, "HTTP/1.1 599 Status 599"), (100, "HTTP/1.1 100 Continue")] {
            let answer = parts(HTTPResponseWriter.serialize(HTTPResponse(status: status), head: false, close: false))
            #expect(answer.status == line)
            // IMF-fixdate: "Date: Tue, 01 Dec 2026 23:59:59 GMT".
            #expect(answer.date?.count == 35 && answer.date?.hasSuffix(" GMT") == true, "\(answer.date ?? "no Date")")
        }
    }

    /// Content-Length in decimal for lengths of every number of digits; none for 1xx and 204.
    @Test func contentLengthIsTheBodysLength() {
        for length in [0, 1, 9, 10, 99, 100, 707, 1000, 65535, 1_000_000] {
            let body = [UInt8](repeating: UInt8(ascii: "x"), count: length)
            let answer = parts(HTTPResponseWriter.serialize(HTTPResponse(status: 200, contentType: "application/json", body: body),
                                                             head: false, close: false))
            #expect(answer.fields == ["Content-Type: application/json", "Content-Length: \(length)"])
            #expect(answer.body == body)
        }
        for status in [100, 204] {
            let answer = parts(HTTPResponseWriter.serialize(HTTPResponse(status: status), head: false, close: false))
            #expect(answer.fields.isEmpty, "\(status): \(answer.fields)")
        }
    }

    @Test func headAndCloseAndTheFieldsTheWriterOwns() {
        var headers: HTTPHeaders = ["Content-Type": "text/plain"]
        headers.add("Content-Length", "999")
        headers.add("Connection", "keep-alive")
        headers.add("X-Request-Id", "abc")
        let response = HTTPResponse(status: 200, headers: headers, body: Array("hello".utf8))
        let head = parts(HTTPResponseWriter.serialize(response, head: true, close: true))
        // The writer's own Content-Length (of the body a GET would get) and Connection; no body.
        #expect(head.fields == ["Content-Type: text/plain", "X-Request-Id: abc", "Content-Length: 5", "Connection: close"])
        #expect(head.body.isEmpty)
        let get = parts(HTTPResponseWriter.serialize(response, head: false, close: false))
        #expect(get.fields == ["Content-Type: text/plain", "X-Request-Id: abc", "Content-Length: 5"])
        #expect(get.body == Array("hello".utf8))
    }
}
