/// Whitespace, positions, numbers and error messages of `JSONParser`.
extension JSONParser {
    func peek() -> UInt8? {
        offset < bytes.count ? bytes[offset] : nil
    }

    /// The position of `offset`: columns count Unicode scalars (UTF-8 continuation bytes don't advance).
    /// Counts on from the last position asked for on the same line, so a long line costs one pass.
    mutating func position() -> JSONPosition {
        if columnOffset < lineStart || columnOffset > offset {
            columnOffset = lineStart
            column = 1
        }
        while columnOffset < offset && columnOffset < bytes.count {
            if bytes[columnOffset] & 0xC0 != 0x80 { column += 1 }
            columnOffset += 1
        }
        return JSONPosition(line: line, column: column)
    }

    mutating func skipWhitespace() {
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                offset += 1
            case UInt8(ascii: "\n"):
                offset += 1
                line += 1
                lineStart = offset
            default:
                return
            }
        }
    }

    /// An error at the current position for something other than `expected`.
    mutating func unexpected(_ expected: String) -> JSONSyntaxError {
        guard let byte = peek() else {
            return JSONSyntaxError("unexpected end of input; expected \(expected)", at: position())
        }
        let next = offset + 1 < bytes.count ? bytes[offset + 1] : 0
        if byte == UInt8(ascii: "/") && (next == UInt8(ascii: "/") || next == UInt8(ascii: "*")) {
            return JSONSyntaxError("comments are not allowed in JSON", at: position())
        }
        if byte == UInt8(ascii: "'") {
            return JSONSyntaxError("expected \(expected); strings need double quotes, not single quotes", at: position())
        }
        return JSONSyntaxError("expected \(expected), found \(describe(byte))", at: position())
    }

    func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F {
            return "'\(Character(Unicode.Scalar(byte)))'"
        }
        if byte < 0x80 {
            return "character U+\(hex(UInt32(byte), width: 4))"
        }
        return "byte 0x\(hex(UInt32(byte), width: 2))"
    }

    func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = position()
        let begin = offset
        if peek() == UInt8(ascii: "-") { offset += 1 }
        if peek() == UInt8(ascii: "0") {
            offset += 1
            if let byte = peek(), isDigit(byte) {
                throw JSONSyntaxError("leading zeros are not allowed in numbers", at: start)
            }
        } else {
            try digits(after: "'-'")
        }
        if peek() == UInt8(ascii: ".") {
            offset += 1
            try digits(after: "'.'")
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            offset += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { offset += 1 }
            try digits(after: "the exponent")
        }
        let text = String(decoding: bytes[begin..<offset], as: UTF8.self)
        guard let number = Double(text), number.isFinite else {
            throw JSONSyntaxError("number \(text) is out of range", at: start)
        }
        return JSONValue(.number(number), at: start)
    }

    private mutating func digits(after what: String) throws(JSONSyntaxError) {
        guard let byte = peek(), isDigit(byte) else { throw unexpected("a digit after \(what)") }
        while let byte = peek(), isDigit(byte) { offset += 1 }
    }

    func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
