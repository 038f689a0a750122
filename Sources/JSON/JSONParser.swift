/// A strict RFC 8259 JSON parser over bytes that remembers where every value starts.
///
/// Errors carry a `line:column` and a message written for someone editing the file by hand
/// ("expected ',' or '}'", "trailing comma before ']'", "comments are not allowed in JSON").
/// Duplicate keys are kept (see `JSONValue.duplicateMembers`) so a validator can report them.
package struct JSONParser {
    /// Arrays and objects nested deeper than this are refused, so hostile input cannot exhaust the stack.
    package static let maxDepth = 128

    /// Parses one JSON document (a UTF-8 byte order mark is skipped).
    package static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        return try parser.parseDocument()
    }

    let bytes: [UInt8]
    var offset = 0
    var line = 1
    var lineStart = 0
    var depth = 0
    /// The column of `columnOffset` on the current line (see `position()`).
    var column = 1
    var columnOffset = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
        startDocument()
        let value = try parseValue()
        try endDocument()
        return value
    }

    /// Skips a UTF-8 byte order mark and the whitespace before the value.
    mutating func startDocument() {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            offset = 3
            lineStart = 3
            columnOffset = 3
        }
        skipWhitespace()
    }

    /// Only whitespace may follow the value.
    mutating func endDocument() throws(JSONSyntaxError) {
        skipWhitespace()
        if offset < bytes.count {
            throw unexpected("end of input after the JSON value")
        }
    }

    mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard let byte = peek() else { throw unexpected("a value") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""):
            let start = position()
            return JSONValue(.string(try parseString()), at: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): return try parseWord()
        default: throw unexpected("a value")
        }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        let start = position()
        try enterContainer()
        var members: [JSONMember] = []
        members.reserveCapacity(8)
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            offset += 1
            depth -= 1
            return JSONValue(.object(members), at: start)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw unexpected("a string key in double quotes") }
            let keyPosition = position()
            let key = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw unexpected("':' after the key") }
            offset += 1
            skipWhitespace()
            members.append(JSONMember(key: key, keyPosition: keyPosition, value: try parseValue()))
            skipWhitespace()
            if try endOfContainer(closer: UInt8(ascii: "}")) { break }
        }
        depth -= 1
        return JSONValue(.object(members), at: start)
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        let start = position()
        try enterContainer()
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            offset += 1
            depth -= 1
            return JSONValue(.array(elements), at: start)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            if try endOfContainer(closer: UInt8(ascii: "]")) { break }
        }
        depth -= 1
        return JSONValue(.array(elements), at: start)
    }

    /// After a member or element: consumes `,` (returning false, more follow) or the closer (true).
    mutating func endOfContainer(closer: UInt8) throws(JSONSyntaxError) -> Bool {
        let closerText = closer == UInt8(ascii: "}") ? "'}'" : "']'"
        switch peek() {
        case closer:
            offset += 1
            return true
        case UInt8(ascii: ","):
            let comma = (offset: offset, line: line, lineStart: lineStart)
            offset += 1
            skipWhitespace()
            if peek() == closer {
                (offset, line, lineStart) = comma
                throw JSONSyntaxError("trailing comma before \(closerText)", at: position())
            }
            return false
        default:
            throw unexpected("',' or \(closerText)")
        }
    }

    mutating func enterContainer() throws(JSONSyntaxError) {
        depth += 1
        if depth > Self.maxDepth {
            throw JSONSyntaxError("nesting deeper than \(Self.maxDepth) levels", at: position())
        }
        offset += 1
    }

    /// Bare words: the literals `true`, `false`, `null`, and friendly errors for anything else.
    mutating func parseWord() throws(JSONSyntaxError) -> JSONValue {
        let start = position()
        let begin = offset
        while let byte = peek(), isWordByte(byte) { offset += 1 }
        let word = String(decoding: bytes[begin..<offset], as: UTF8.self)
        switch word {
        case "true": return JSONValue(.bool(true), at: start)
        case "false": return JSONValue(.bool(false), at: start)
        case "null": return JSONValue(.null, at: start)
        default:
            if ["true", "false", "null"].contains(word.lowercased()) {
                throw JSONSyntaxError("'\(word)' is not JSON; write \(word.lowercased())", at: start)
            }
            throw JSONSyntaxError("unexpected word '\(word)'; strings need double quotes", at: start)
        }
    }

    private func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}
