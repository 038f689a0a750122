/// String literals of `JSONParser`: escapes, surrogate pairs, UTF-8 validation.
extension JSONParser {
    /// Parses a string literal; `offset` is at the opening quote.
    mutating func parseString() throws(JSONSyntaxError) -> String {
        if let plain = plainString() { return String(decoding: bytes[plain], as: UTF8.self) }
        return try parseEscapedString()
    }

    /// A string of printable ASCII without escapes, at `offset` (most strings): its content's range,
    /// with `offset` moved past it. ASCII is valid UTF-8, so `String(decoding:)` has nothing to repair
    /// and the validating initializer, which costs more than the rest of the parse, is not needed.
    /// Anything else is left to `parseEscapedString` (nil, `offset` unmoved).
    mutating func plainString() -> Range<Int>? {
        let start = offset + 1
        let closing: Int? = bytes.withUnsafeBufferPointer { b in
            var i = start
            // Eight bytes at a time while none of them is a quote, a backslash, a control character
            // or beyond ASCII (the usual word-at-a-time tests); the word that has one is read bytewise.
            if let base = UnsafeRawPointer(b.baseAddress) {
                while i + 8 <= b.count {
                    let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                    if Self.hasSpecialByte(word) { break }
                    i += 8
                }
            }
            while i < b.count {
                let byte = b[i]
                if byte == UInt8(ascii: "\"") { return i }
                if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { return nil }
                i += 1
            }
            return nil
        }
        guard let closing else { return nil }
        offset = closing + 1
        return start..<closing
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether any byte of `word` is `"` or `\\`, below 0x20, or 0x80 or above. A byte equal to `c`
    /// is a zero byte of `word ^ (c * ones)`; `(x - ones) & ~x & highs` is non-zero exactly when `x`
    /// has a zero byte, and `(word - 0x20 * ones) & ~word & highs` when a byte is below 0x20.
    static func hasSpecialByte(_ word: UInt64) -> Bool {
        func hasZeroByte(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }
        return word & highs != 0
            || hasZeroByte(word ^ (0x22 &* ones))
            || hasZeroByte(word ^ (0x5C &* ones))
            || (word &- 0x20 &* ones) & ~word & highs != 0
    }

    /// A string literal `plainString` leaves: escapes, text beyond ASCII, or a mistake to report.
    mutating func parseEscapedString() throws(JSONSyntaxError) -> String {
        let start = position()
        offset += 1
        // Without an escape, the text is taken straight from the input once it is valid UTF-8.
        var end = offset
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 {
            end += 1
        }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            guard let valid = String(validating: bytes[offset..<end], as: UTF8.self) else {
                throw JSONSyntaxError("invalid UTF-8 in string", at: start)
            }
            offset = end + 1
            return valid
        }
        var utf8 = Array(bytes[offset..<end])
        offset = end
        while true {
            guard let byte = peek() else {
                throw JSONSyntaxError("unterminated string", at: start)
            }
            switch byte {
            case UInt8(ascii: "\""):
                offset += 1
                guard let string = String(validating: utf8, as: UTF8.self) else {
                    throw JSONSyntaxError("invalid UTF-8 in string", at: start)
                }
                return string
            case UInt8(ascii: "\\"):
                try parseEscape(into: &utf8)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw JSONSyntaxError("unterminated string (a string cannot span lines)", at: start)
            case 0..<0x20:
                throw JSONSyntaxError(
                    "control character U+\(hex(UInt32(byte), width: 4)) in string; write it as an escape",
                    at: position())
            default:
                utf8.append(byte)
                offset += 1
            }
        }
    }

    /// Parses one escape sequence; `offset` is at the backslash.
    private mutating func parseEscape(into utf8: inout [UInt8]) throws(JSONSyntaxError) {
        let escapeStart = position()
        offset += 1
        guard let byte = peek() else {
            throw JSONSyntaxError("unterminated string", at: escapeStart)
        }
        offset += 1
        switch byte {
        case UInt8(ascii: "\""): utf8.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): utf8.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): utf8.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            let scalar = try parseUnicodeEscape(start: escapeStart)
            utf8.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            throw JSONSyntaxError("invalid escape \\\(describeEscape(byte)) in string", at: escapeStart)
        }
    }

    /// The scalar of `\uXXXX` (already past `\u`), joining a UTF-16 surrogate pair.
    private mutating func parseUnicodeEscape(start: JSONPosition) throws(JSONSyntaxError) -> Unicode.Scalar {
        let unit = try hexQuad(start: start)
        switch unit {
        case 0xD800...0xDBFF:
            guard peek() == UInt8(ascii: "\\"), offset + 1 < bytes.count, bytes[offset + 1] == UInt8(ascii: "u") else {
                throw JSONSyntaxError("unpaired surrogate in \\u escape", at: start)
            }
            offset += 2
            let low = try hexQuad(start: start)
            guard (0xDC00...0xDFFF).contains(low) else {
                throw JSONSyntaxError("unpaired surrogate in \\u escape", at: start)
            }
            let value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            return Unicode.Scalar(value)!
        case 0xDC00...0xDFFF:
            throw JSONSyntaxError("unpaired surrogate in \\u escape", at: start)
        default:
            return Unicode.Scalar(unit)!
        }
    }

    private mutating func hexQuad(start: JSONPosition) throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek(), let digit = hexValue(byte) else {
                throw JSONSyntaxError("\\u must be followed by four hex digits", at: start)
            }
            value = value << 4 | digit
            offset += 1
        }
        return value
    }

    private func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private func describeEscape(_ byte: UInt8) -> String {
        byte >= 0x21 && byte < 0x7F ? String(Character(Unicode.Scalar(byte))) : describe(byte)
    }
}
