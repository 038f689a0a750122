/// Parses one HTTP/1.1 request from the start of a byte buffer (RFC 9112).
///
/// A pure value over bytes: it keeps no state between calls, so a connection calls it again with
/// everything buffered so far, and tests feed it string literals split anywhere.
package struct HTTPDecoder: Sendable {
    package var limits: HTTPLimits

    package init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    package enum Result: Sendable {
        /// More bytes are needed. `head` is set once the head is complete (for `Expect: 100-continue`).
        case incomplete(head: Head?)
        /// A whole request, and how many bytes of the buffer it took.
        case request(HTTPRequest, consumed: Int)
        /// The request cannot be served: answer `status` with `reason` and close.
        case failure(status: Int, reason: String)
    }

    /// A parsed head whose body may still be arriving.
    package struct Head: Sendable {
        package var method: String
        package var target: String
        package var version: HTTPVersion
        package var headers: HTTPHeaders
        package var framing: Framing
        package var expectsContinue: Bool
        /// Where the body starts in the bytes the head was parsed from.
        package var bodyStart = 0
    }

    package enum Framing: Sendable, Equatable {
        case none
        case length(Int)
        case chunked
    }

    package func decode(_ buffer: [UInt8]) -> Result {
        buffer.withUnsafeBufferPointer { decode($0) }
    }

    /// - Parameter pending: the head an earlier call returned with `.incomplete` for the same bytes
    ///   (more of the body since): it is not parsed again.
    package func decode(_ bytes: UnsafeBufferPointer<UInt8>, resuming pending: Head? = nil) -> Result {
        let head: Head
        if let pending {
            head = pending
        } else {
            // RFC 9112 §2.2: ignore at least one empty line before the request-line.
            var start = 0
            while start + 1 < bytes.count, bytes[start] == CR, bytes[start + 1] == LF { start += 2 }
            if start < bytes.count, bytes[start] == CR, start + 1 == bytes.count { return .incomplete(head: nil) }

            guard let headEnd = Self.findHeadEnd(bytes, from: start) else {
                // Up to three bytes of the final CRLFCRLF may already be here: they are not the head.
                if bytes.count - start > limits.maxHeadBytes + 3 {
                    return .failure(status: 431, reason: "request head larger than \(limits.maxHeadBytes) bytes")
                }
                if let early = earlyFailure(bytes, from: start) { return early }
                return .incomplete(head: nil)
            }
            if headEnd - start > limits.maxHeadBytes {
                return .failure(status: 431, reason: "request head larger than \(limits.maxHeadBytes) bytes")
            }
            switch parseHead(UnsafeBufferPointer(rebasing: bytes[start..<headEnd])) {
            case .success(var parsed):
                parsed.bodyStart = headEnd + 4
                head = parsed
            case .failure(let f):
                return .failure(status: f.status, reason: f.reason)
            }
        }
        let bodyStart = head.bodyStart
        switch head.framing {
        case .none:
            return .request(makeRequest(head, body: []), consumed: bodyStart)
        case .length(let n):
            guard bytes.count - bodyStart >= n else { return .incomplete(head: head) }
            let body = Array(bytes[bodyStart..<(bodyStart + n)])
            return .request(makeRequest(head, body: body), consumed: bodyStart + n)
        case .chunked:
            switch decodeChunked(UnsafeBufferPointer(rebasing: bytes[bodyStart...])) {
            case .incomplete: return .incomplete(head: head)
            case .failure(let f): return .failure(status: f.status, reason: f.reason)
            case .complete(let body, let used): return .request(makeRequest(head, body: body), consumed: bodyStart + used)
            }
        }
    }

    private func makeRequest(_ head: Head, body: [UInt8]) -> HTTPRequest {
        HTTPRequest(method: head.method, target: head.target, version: head.version, headers: head.headers, body: body)
    }

    struct Failure: Error {
        var status: Int
        var reason: String
        init(_ status: Int, _ reason: String) { self.status = status; self.reason = reason }
    }

    /// The index of the CRLFCRLF that ends the head, if present.
    static func findHeadEnd(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var i = start
        let limit = b.count - 3
        while i < limit {
            if b[i + 3] != LF { i += b[i + 3] == CR ? 1 : 4; continue }
            if b[i] == CR, b[i + 1] == LF, b[i + 2] == CR { return i }
            i += 1
        }
        return nil
    }

    /// Rejects a request line that is already wrong before its head is complete, so garbage gets its
    /// 400 at once instead of after the head timeout.
    private func earlyFailure(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Result? {
        var i = start
        while i < b.count, b[i] != CR, b[i] != LF {
            let c = b[i]
            if c < 0x20 || c == 0x7F { return .failure(status: 400, reason: "malformed request line") }
            i += 1
        }
        if i < b.count, b[i] == LF { return .failure(status: 400, reason: "malformed request line") }
        if i - start > limits.maxHeadBytes { return .failure(status: 431, reason: "request line too long") }
        return nil
    }
}

let CR: UInt8 = 0x0D
let LF: UInt8 = 0x0A
let SP: UInt8 = 0x20
let HTAB: UInt8 = 0x09
