extension HTTPDecoder {
    /// Parses the request-line and header fields (without the final CRLFCRLF).
    func parseHead(_ b: UnsafeBufferPointer<UInt8>) -> Swift.Result<Head, Failure> {
        var lines: [UnsafeBufferPointer<UInt8>] = []
        lines.reserveCapacity(16)
        var lineStart = 0
        var i = 0
        while i < b.count {
            if b[i] == CR {
                // RFC 9112 §2.2: a bare CR is invalid.
                guard i + 1 < b.count, b[i + 1] == LF else { return .failure(Failure(400, "bare CR in request head")) }
                lines.append(UnsafeBufferPointer(rebasing: b[lineStart..<i]))
                i += 2
                lineStart = i
                continue
            }
            if b[i] == LF { return .failure(Failure(400, "bare LF in request head")) }
            i += 1
        }
        lines.append(UnsafeBufferPointer(rebasing: b[lineStart..<b.count]))

        let requestLine: (method: String, target: String, version: HTTPVersion)
        switch parseRequestLine(lines[0]) {
        case .success(let r): requestLine = r
        case .failure(let f): return .failure(f)
        }
        if lines.count - 1 > limits.maxHeaderCount {
            return .failure(Failure(431, "more than \(limits.maxHeaderCount) header fields"))
        }
        var headers = HTTPHeaders()
        headers.reserveCapacity(lines.count - 1)
        // The fields framing, Host and Expect depend on, counted as they are added: the usual request
        // (one Host, at most one Content-Length, no Transfer-Encoding) needs no search and no array.
        var hosts = 0
        var transferEncodings = 0
        var contentLengths = 0
        var lastContentLength: String?
        var expect: String?
        for line in lines.dropFirst() {
            switch parseField(line) {
            case .success(let (name, value)):
                switch name.utf8.count {
                case 4 where name.caseInsensitiveEquals("Host"): hosts += 1
                case 6 where expect == nil && name.caseInsensitiveEquals("Expect"): expect = value
                case 14 where name.caseInsensitiveEquals("Content-Length"):
                    contentLengths += 1
                    lastContentLength = value
                case 17 where name.caseInsensitiveEquals("Transfer-Encoding"): transferEncodings += 1
                default: break
                }
                headers.add(name, value)
            case .failure(let f): return .failure(f)
            }
        }
        let framed = framing(headers, version: requestLine.version, transferEncodings: transferEncodings,
                             contentLengths: contentLengths, lastContentLength: lastContentLength)
        switch framed {
        case .failure(let f): return .failure(f)
        case .success(let framing):
            // RFC 9112 §3.2: a client MUST send Host in HTTP/1.1; a server MUST answer 400 without one
            // or with more than one.
            if hosts > 1 || (requestLine.version == .http11 && hosts == 0) {
                return .failure(Failure(400, hosts == 0 ? "missing Host header" : "more than one Host header"))
            }
            let expectation = expect?.lowercased()
            if let expectation, expectation != "100-continue" {
                return .failure(Failure(417, "unsupported expectation"))
            }
            return .success(Head(
                method: requestLine.method, target: requestLine.target, version: requestLine.version,
                headers: headers, framing: framing,
                expectsContinue: expectation == "100-continue" && requestLine.version == .http11
            ))
        }
    }

    /// `method SP request-target SP HTTP-version` (RFC 9112 §3).
    private func parseRequestLine(_ line: UnsafeBufferPointer<UInt8>) -> Swift.Result<(method: String, target: String, version: HTTPVersion), Failure> {
        // Exactly two spaces: method, target and version, the first two not empty.
        guard let firstSpace = line.firstIndex(of: SP),
              let secondSpace = line[(firstSpace + 1)...].firstIndex(of: SP),
              !line[(secondSpace + 1)...].contains(SP), firstSpace > 0, secondSpace > firstSpace + 1 else {
            return .failure(Failure(400, "malformed request line"))
        }
        let parts = (UnsafeBufferPointer(rebasing: line[..<firstSpace]),
                     UnsafeBufferPointer(rebasing: line[(firstSpace + 1)..<secondSpace]),
                     UnsafeBufferPointer(rebasing: line[(secondSpace + 1)...]))
        guard parts.0.allSatisfy(isTokenByte) else { return .failure(Failure(400, "malformed method")) }
        // The target: visible ASCII only (RFC 9112 §3.2, RFC 3986).
        guard parts.1.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .failure(Failure(400, "malformed request target"))
        }
        let target = String(decoding: parts.1, as: UTF8.self)
        guard target.hasPrefix("/") || target == "*" || target.hasPrefix("http://") || target.hasPrefix("https://") else {
            return .failure(Failure(400, "malformed request target"))
        }
        let versionText = String(decoding: parts.2, as: UTF8.self)
        let version: HTTPVersion
        switch versionText {
        case "HTTP/1.1": version = .http11
        case "HTTP/1.0": version = .http10
        default:
            // HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3): well-formed but unsupported is 505.
            let v = Array(parts.2)
            if v.count == 8, versionText.hasPrefix("HTTP/"), isDigit(v[5]), v[6] == UInt8(ascii: "."), isDigit(v[7]) {
                return .failure(Failure(505, "HTTP version not supported"))
            }
            return .failure(Failure(400, "malformed HTTP version"))
        }
        return .success((String(decoding: parts.0, as: UTF8.self), target, version))
    }

    /// `field-name ":" OWS field-value OWS` (RFC 9112 §5).
    private func parseField(_ line: UnsafeBufferPointer<UInt8>) -> Swift.Result<(String, String), Failure> {
        if let first = line.first, first == SP || first == HTAB {
            // §5.2: obsolete line folding is rejected with 400.
            return .failure(Failure(400, "obsolete line folding in header"))
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
            return .failure(Failure(400, "malformed header field"))
        }
        let name = UnsafeBufferPointer(rebasing: line[0..<colon])
        // §5.1: no whitespace between the field name and the colon.
        guard name.allSatisfy(isTokenByte) else { return .failure(Failure(400, "malformed header name")) }
        var v = colon + 1
        var e = line.count
        while v < e, line[v] == SP || line[v] == HTAB { v += 1 }
        while e > v, line[e - 1] == SP || line[e - 1] == HTAB { e -= 1 }
        let value = UnsafeBufferPointer(rebasing: line[v..<e])
        // RFC 9110 §5.5: field values are visible characters, spaces, tabs and obs-text; never NUL or CR/LF.
        guard value.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == HTAB }) else {
            return .failure(Failure(400, "invalid character in header value"))
        }
        return .success((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
    }

    /// The message body length rules of RFC 9112 §6, given how many Transfer-Encoding and
    /// Content-Length fields `headers` holds (counted while parsing them) and the last Content-Length:
    /// the usual request, without Transfer-Encoding and with one plain Content-Length or none, is
    /// decided without searching the fields again.
    private func framing(_ headers: HTTPHeaders, version: HTTPVersion, transferEncodings: Int, contentLengths: Int,
                         lastContentLength: String?) -> Swift.Result<Framing, Failure> {
        if transferEncodings == 0 {
            guard contentLengths > 0 else { return .success(.none) }
            if contentLengths == 1, let only = lastContentLength, (1...12).contains(only.utf8.count), only.utf8.allSatisfy(isDigit) {
                return bodyLength(only.utf8.reduce(0) { $0 * 10 + Int($1 - 0x30) })
            }
        }
        let encodings = headers.values("Transfer-Encoding")
        let lengths = headers.values("Content-Length")
        if !encodings.isEmpty {
            // §6.1: a request with both is an error we refuse rather than guess at (smuggling).
            if !lengths.isEmpty { return .failure(Failure(400, "both Transfer-Encoding and Content-Length")) }
            if version == .http10 { return .failure(Failure(400, "Transfer-Encoding in an HTTP/1.0 request")) }
            let codings = encodings.joined(separator: ",").split(separator: ",").map { $0.trimmingSpaces().lowercased() }
            // §6.3: chunked must be the final coding; we support no other coding.
            guard codings.last == "chunked" else { return .failure(Failure(400, "chunked is not the final transfer coding")) }
            guard codings.count == 1 else { return .failure(Failure(501, "unsupported transfer coding")) }
            return .success(.chunked)
        }
        // §6.3: several Content-Length values must all be the same valid number.
        let values = Set(lengths.joined(separator: ",").split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces() })
        guard values.count == 1, let text = values.first, !text.isEmpty, text.utf8.count <= 12,
              text.utf8.allSatisfy(isDigit), let n = Int(text) else {
            return .failure(Failure(400, "invalid Content-Length"))
        }
        return bodyLength(n)
    }

    /// A body of `n` bytes, within the limit.
    private func bodyLength(_ n: Int) -> Swift.Result<Framing, Failure> {
        if n > limits.maxBodyBytes { return .failure(Failure(413, "body larger than \(limits.maxBodyBytes) bytes")) }
        return .success(n == 0 ? .none : .length(n))
    }
}

func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

/// The value of a hexadecimal digit (either case), for chunk sizes and percent-escapes.
func hexDigitValue(_ b: UInt8) -> UInt8? {
    switch b {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
    default: nil
    }
}

/// tchar of RFC 9110 §5.6.2: ALPHA, DIGIT and ``!#$%&'*+-.^_`|~``.
func isTokenByte(_ b: UInt8) -> Bool {
    // One bit per ASCII byte, as constants: no table to initialize, no search.
    let low: UInt64 = 0x03FF_6CFA_0000_0000   // 0x00-0x3F: ! # $ % & ' * + - . 0-9
    let high: UInt64 = 0x57FF_FFFF_C7FF_FFFE  // 0x40-0x7F: A-Z ^ _ ` a-z | ~
    return b < 64 ? (low >> UInt64(b)) & 1 == 1 : b < 128 && (high >> UInt64(b - 64)) & 1 == 1
}
