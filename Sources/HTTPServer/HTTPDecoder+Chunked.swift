extension HTTPDecoder {
    /// A chunk-size line (size and extensions) longer than this is refused.
    static let maxChunkLine = 1024

    enum ChunkedResult {
        case incomplete
        case complete(body: [UInt8], consumed: Int)
        case failure(Failure)
    }

    /// Decodes a chunked body (RFC 9112 §7.1): `size [;ext] CRLF data CRLF ... 0 CRLF trailers CRLF`.
    func decodeChunked(_ b: UnsafeBufferPointer<UInt8>) -> ChunkedResult {
        var body: [UInt8] = []
        var i = 0
        while true {
            let lineEnd: Int
            switch findCRLF(b, from: i) {
            case .found(let end): lineEnd = end
            case .bareCR: return .failure(Failure(400, "bare CR in chunked body"))
            case .notYet:
                if b.count - i > Self.maxChunkLine { return .failure(Failure(400, "malformed chunk size")) }
                return .incomplete
            }
            // The same cap whether or not the line's CRLF has arrived, so a split cannot change the answer.
            if lineEnd - i > Self.maxChunkLine { return .failure(Failure(400, "malformed chunk size")) }
            let line = UnsafeBufferPointer(rebasing: b[i..<lineEnd])
            let sizeEnd = line.firstIndex(of: UInt8(ascii: ";")) ?? line.count
            var size = 0
            var e = sizeEnd
            while e > 0, line[e - 1] == SP || line[e - 1] == HTAB { e -= 1 }
            guard e > 0, e <= 8 else { return .failure(Failure(400, "malformed chunk size")) }
            for k in 0..<e {
                guard let d = hexDigitValue(line[k]) else { return .failure(Failure(400, "malformed chunk size")) }
                size = size * 16 + Int(d)
            }
            i = lineEnd + 2
            if size == 0 { break }
            if body.count + size > limits.maxBodyBytes {
                return .failure(Failure(413, "body larger than \(limits.maxBodyBytes) bytes"))
            }
            guard b.count - i >= size + 2 else { return .incomplete }
            body.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<(i + size)]))
            i += size
            guard b[i] == CR, b[i + 1] == LF else { return .failure(Failure(400, "chunk data not followed by CRLF")) }
            i += 2
        }
        // Trailer section: field lines until an empty line; read and dropped.
        var trailerBytes = 0
        while true {
            let lineEnd: Int
            switch findCRLF(b, from: i) {
            case .found(let end): lineEnd = end
            case .bareCR: return .failure(Failure(400, "bare CR in trailer section"))
            case .notYet:
                if b.count - i > limits.maxHeadBytes { return .failure(Failure(431, "trailer section too large")) }
                return .incomplete
            }
            if lineEnd == i { return .complete(body: body, consumed: i + 2) }
            let line = UnsafeBufferPointer(rebasing: b[i..<lineEnd])
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0,
                  line[0..<colon].allSatisfy(isTokenByte) else {
                return .failure(Failure(400, "malformed trailer field"))
            }
            trailerBytes += lineEnd - i + 2
            if trailerBytes > limits.maxHeadBytes { return .failure(Failure(431, "trailer section too large")) }
            i = lineEnd + 2
        }
    }

    private enum LineEnd { case found(Int), bareCR, notYet }

    private func findCRLF(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> LineEnd {
        var i = start
        while i < b.count {
            if b[i] == LF { return .bareCR }
            if b[i] == CR {
                guard i + 1 < b.count else { return .notYet }
                return b[i + 1] == LF ? .found(i) : .bareCR
            }
            i += 1
        }
        return .notYet
    }
}
