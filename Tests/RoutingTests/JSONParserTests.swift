import Testing
@testable import JSON

@Suite("JSON parser")
struct JSONParserTests {
    /// Broken documents: (text, line, column, a fragment of the message).
    static let syntaxErrors: [(String, Int, Int, String)] = [
        ("{\"a\": 1 \"b\": 2}", 1, 9, "expected ',' or '}'"),
        ("[1 2]", 1, 4, "expected ',' or ']'"),
        ("{\"a\": 1,}", 1, 8, "trailing comma before '}'"),
        ("[1,\n 2,\n]", 2, 3, "trailing comma before ']'"),
        ("{a: 1}", 1, 2, "expected a string key in double quotes"),
        ("{\"a\" 1}", 1, 6, "expected ':' after the key"),
        ("{\"a\": }", 1, 7, "expected a value"),
        ("", 1, 1, "unexpected end of input; expected a value"),
        ("{\"a\": 1", 1, 8, "unexpected end of input; expected ',' or '}'"),
        ("\"abc", 1, 1, "unterminated string"),
        ("\"ab\ncd\"", 1, 1, "unterminated string (a string cannot span lines)"),
        ("\"a\tb\"", 1, 3, "control character U+0009 in string"),
        ("\"\\q\"", 1, 2, "invalid escape \\q"),
        ("\"\\u12\"", 1, 2, "\\u must be followed by four hex digits"),
        ("\"\\ud83d\"", 1, 2, "unpaired surrogate"),
        ("\"\\ude00\"", 1, 2, "unpaired surrogate"),
        ("01", 1, 1, "leading zeros are not allowed"),
        ("-", 1, 2, "expected a digit after '-'"),
        ("1.", 1, 3, "expected a digit after '.'"),
        ("1e", 1, 3, "expected a digit after the exponent"),
        ("1e999", 1, 1, "out of range"),
        ("True", 1, 1, "'True' is not JSON; write true"),
        ("{\"a\": round_robin}", 1, 7, "unexpected word 'round_robin'; strings need double quotes"),
        ("{'a': 1}", 1, 2, "strings need double quotes, not single quotes"),
        ("// hi\n{}", 1, 1, "comments are not allowed in JSON"),
        ("{} /* x */", 1, 4, "comments are not allowed in JSON"),
        ("{} x", 1, 4, "expected end of input after the JSON value"),
        ("{\"a\": 1}}", 1, 9, "expected end of input after the JSON value"),
        ("\n\n   @", 3, 4, "expected a value, found '@'"),
    ]

    private func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    @Test func parsesEveryKindOfValue() throws {
        let value = try parse(#"{"a": [1, -2.5, 3e2, true, false, null, "x\n\u00e9\ud83d\ude00"], "b": {}}"#)
        guard case .object(let members) = value.kind else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["a", "b"])
        guard case .array(let items) = value["a"]?.kind else {
            Issue.record("a is not an array")
            return
        }
        #expect(items.map(\.kind) == [.number(1), .number(-2.5), .number(300), .bool(true), .bool(false), .null,
                                      .string("x\né😀")])
        #expect(value["b"]?.kind == .object([]))
    }

    @Test func recordsLineAndColumnOfEveryValue() throws {
        let text = "{\n  \"pools\": {\n    \"sales\": [1,\n      \"two\"]\n  }\n}"
        let value = try parse(text)
        #expect(value.position == JSONPosition(line: 1, column: 1))
        let pools = try #require(value["pools"])
        #expect(pools.position == JSONPosition(line: 2, column: 12))
        guard case .object(let members) = pools.kind, case .array(let items) = members[0].value.kind else {
            Issue.record("unexpected shape")
            return
        }
        #expect(members[0].keyPosition == JSONPosition(line: 3, column: 5))
        #expect(members[0].value.position == JSONPosition(line: 3, column: 14))
        #expect(items[0].position == JSONPosition(line: 3, column: 15))
        #expect(items[1].position == JSONPosition(line: 4, column: 7))
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let value = try parse("{\"é😀\": \"ü\", \"k\": 1}")
        guard case .object(let members) = value.kind else { return }
        #expect(members[1].keyPosition == JSONPosition(line: 1, column: 13))
    }

    @Test func skipsByteOrderMarkAndCRLF() throws {
        let value = try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array("{\r\n\"a\": 1}".utf8))
        #expect(value.position == JSONPosition(line: 1, column: 1))
        guard case .object(let members) = value.kind else { return }
        #expect(members[0].keyPosition == JSONPosition(line: 2, column: 1))
    }

    @Test func keepsDuplicateKeysInOrder() throws {
        let value = try parse(#"{"a": 1, "b": 2, "a": 3}"#)
        #expect(value.duplicateMembers.map(\.key) == ["a"])
        #expect(value.duplicateMembers.first?.keyPosition == JSONPosition(line: 1, column: 18))
        #expect(value["a"]?.kind == .number(1))
    }

    @Test(arguments: syntaxErrors)
    func reportsSyntaxErrorsWithPosition(text: String, line: Int, column: Int, fragment: String) {
        #expect(throws: JSONSyntaxError.self) { try parse(text) }
        do {
            _ = try parse(text)
        } catch {
            #expect(error.position == JSONPosition(line: line, column: column), "\(text): \(error)")
            #expect(error.message.contains(fragment), "\(text): \(error)")
            #expect(error.description.hasPrefix("\(line):\(column): "))
        }
    }

    @Test func rejectsInvalidUTF8InStrings() {
        #expect(throws: JSONSyntaxError("invalid UTF-8 in string", at: JSONPosition(line: 1, column: 1))) {
            try JSONParser.parse([0x22, 0xC3, 0x28, 0x22])
        }
    }

    /// Strings without escapes are taken straight from the input; with one, the part before it is kept.
    @Test func stringsWithAndWithoutEscapesDecodeAlike() throws {
        let cases: [(String, String)] = [
            (#""plain""#, "plain"), (#""""#, ""), (#""héllo wörld""#, "héllo wörld"),
            (#""before\nafter""#, "before\nafter"), (#""tab\there \"q\" \u00e9 end""#, "tab\there \"q\" é end"),
            (#""\ud83d\ude00 smile""#, "😀 smile"), (#""trailing\\""#, "trailing\\"),
        ]
        for (text, expected) in cases {
            #expect(try parse(text).kind == .string(expected), "\(text)")
        }
        // Invalid UTF-8 after an escape is refused too.
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0x5C, 0x6E, 0xC3, 0x28, 0x22]) }
    }

    @Test func limitsNestingDepth() throws {
        let deep = String(repeating: "[", count: JSONParser.maxDepth + 1) + String(repeating: "]", count: JSONParser.maxDepth + 1)
        #expect(throws: JSONSyntaxError.self) { try parse(deep) }
        let fine = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        #expect(throws: Never.self) { try parse(fine) }
    }

    /// Positions are counted incrementally: a long single-line document parses in linear time.
    @Test func longSingleLineKeepsExactColumns() throws {
        let count = 200_000
        let text = "[" + (0..<count).map { _ in "\"é\"" }.joined(separator: ",") + "]"
        let value = try parse(text)
        guard case .array(let items) = value.kind else { return }
        #expect(items.count == count)
        #expect(items.last?.position == JSONPosition(line: 1, column: 2 + (count - 1) * 4))
    }

    /// Any prefix of a valid document either parses or fails with a position inside (or just after) it.
    @Test func truncatedDocumentsFailWithinTheText() {
        let bytes = Array(specExample.utf8)
        let lines = specExample.split(separator: "\n", omittingEmptySubsequences: false)
        for length in 0..<bytes.count {
            do {
                _ = try JSONParser.parse(Array(bytes[..<length]))
                Issue.record("prefix of \(length) bytes parsed")
            } catch {
                #expect(error.position.line >= 1 && error.position.line <= lines.count)
                #expect(error.position.column >= 1 && error.position.column <= lines[error.position.line - 1].count + 1)
            }
        }
    }
}

@Suite("JSON parser: plain strings a word at a time")
struct JSONPlainStringTests {
    private static func special(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80
    }

    /// The word test against the byte rule: every byte value at every position of an otherwise plain
    /// word, and random words.
    @Test func wordTestMatchesTheByteRule() {
        for position in 0..<8 {
            for value in 0...255 {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 8)
                bytes[position] = UInt8(value)
                let word = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
                #expect(JSONParser.hasSpecialByte(word) == Self.special(UInt8(value)), "byte \(value) at \(position)")
            }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let bytes = (0..<8).map { _ in UInt8.random(in: 0x18...0x90, using: &generator) }
            let word = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            #expect(JSONParser.hasSpecialByte(word) == bytes.contains(where: Self.special), "\(bytes)")
        }
    }

    /// `plainString` finds the same end, or the same refusal, as a byte-by-byte scan, for strings of
    /// every length up to 40 with a special byte at every position (across the 8-byte words).
    @Test func plainStringMatchesAByteScan() {
        for length in 0...40 {
            for position in -1..<length {
                for byte in [UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x1F, 0x7F, 0xC3, UInt8(ascii: " ")] {
                    var content = [UInt8](repeating: UInt8(ascii: "x"), count: length)
                    if position >= 0 { content[position] = byte }
                    let document = [UInt8(ascii: "\"")] + content + [UInt8(ascii: "\""), UInt8(ascii: "}")]
                    var expected: Range<Int>? = nil
                    for i in 1..<document.count {
                        if document[i] == UInt8(ascii: "\"") { expected = 1..<i; break }
                        if document[i] == UInt8(ascii: "\\") || document[i] < 0x20 || document[i] >= 0x80 { break }
                    }
                    var parser = JSONParser(bytes: document)
                    #expect(parser.plainString() == expected, "length \(length), byte \(byte) at \(position)")
                    if let expected { #expect(parser.offset == expected.upperBound + 1) } else { #expect(parser.offset == 0) }
                }
            }
        }
    }
}
