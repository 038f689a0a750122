import Testing
import TestSupport
@testable import JSON
import Routing

/// `JSONParser.select`: the few fields a webhook reads, from a body checked as strictly as routes.json.
@Suite("JSON select")
struct JSONSelectTests {
    private func select(_ paths: [[String]], _ text: String) throws(JSONSyntaxError) -> JSONSelection {
        try JSONParser.select(paths, in: Array(text.utf8))
    }

    /// signalwire.md's SWML request: the fields `/voice` reads.
    @Test func readsTheCallOfASWMLRequest() throws {
        let body = #"""
            {"call":{"call_id":"6c8b6d9c-5d63-4b2e-9f75-4dc8b6d4f1a2","node_id":"fa3570ae@us-west","segment_id":"1",
             "call_state":"created","direction":"inbound","type":"phone","from":"+12135550100","to":"+15550000001",
             "headers":[{"name":"X-Test","value":"1"}],"from_number":"+12135550100","to_number":"+15550000001",
             "project_id":"4b7ae78a","space_id":"62615f44"},"vars":{"answered":false,"n":3}}
            """#
        let selection = try select([["call", "to_number"], ["call", "from"], ["call", "call_id"], ["call", "missing"],
                                    ["vars", "answered"], ["vars", "n"], ["call", "headers"], ["call", "to", "deeper"]], body)
        #expect(selection.isObject)
        #expect(selection.values == [.string("+15550000001"), .string("+12135550100"),
                                     .string("6c8b6d9c-5d63-4b2e-9f75-4dc8b6d4f1a2"), nil, .bool(false), .number(3), nil, nil])
    }

    /// The first member of a repeated key counts, whatever the later ones hold, as with `JSONValue[key]`.
    @Test func firstMemberOfARepeatedKeyCounts() throws {
        let selection = try select([["a"], ["a", "b"], ["c", "d"]],
                                   #"{"a": 1, "a": {"b": 2}, "c": {"d": "x"}, "c": {"d": "y"}, "c": 5}"#)
        #expect(selection.values == [.number(1), nil, .string("x")])
        let nested = try select([["c", "d"]], #"{"c": {"d": "x", "d": "y"}}"#)
        #expect(nested.values == [.string("x")])
    }

    /// Keys and values with escapes or beyond ASCII are decoded before they are compared or kept.
    @Test func decodesEscapedKeysAndValues() throws {
        let selection = try select([["to"], ["é"], ["n\u{0}"]], #"{"t\u006f": "caf\u00e9", "\u00e9": "ü \"q\"", "n\u0000": null}"#)
        #expect(selection.values == [.string("café"), .string("ü \"q\""), .null])
    }

    @Test func valuesInsideArraysAreNotPaths() throws {
        let selection = try select([["a", "b"]], #"{"a": [{"b": 1}]}"#)
        #expect(selection.values == [nil])
    }

    @Test func aDocumentOtherThanAnObjectHasNoFields() throws {
        for text in ["[]", "\"to\"", "3", "null", "[{\"to\": 1}]"] {
            let selection = try select([["to"]], text)
            #expect(!selection.isObject, "\(text)")
            #expect(selection.values == [nil], "\(text)")
        }
        #expect(try select([["to"]], "\u{FEFF} {\"to\": true} \n").values == [.bool(true)])
    }

    /// Every broken document of the parser's table is refused by `select` with the same error, whatever is asked for.
    @Test(arguments: JSONParserTests.syntaxErrors)
    func refusesWhatParseRefuses(text: String, line: Int, column: Int, fragment: String) {
        for paths in [[], [["a"]], [["a"], ["b"], ["a", "x"]]] {
            #expect(RoutesFuzzInvariants.selectionProblems(Array(text.utf8)) == [], "\(text)")
            do {
                _ = try select(paths, text)
                Issue.record("\(text) selected")
            } catch {
                #expect(error.position == JSONPosition(line: line, column: column), "\(text): \(error)")
                #expect(error.message.contains(fragment), "\(text): \(error)")
            }
        }
    }

    @Test func refusesInvalidUTF8AndDeepNestingInSkippedValues() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.select([["to"]], in: Array(#"{"x": ""#.utf8) + [0xC3, 0x28] + Array(#"", "to": "1"}"#.utf8)) }
        #expect(throws: JSONSyntaxError.self) { try JSONParser.select([["to"]], in: Array(#"{""#.utf8) + [0xFF] + Array(#"": 1}"#.utf8)) }
        let deep = "{\"x\": " + String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth) + "}"
        #expect(throws: JSONSyntaxError.self) { try select([["to"]], deep) }
        let fine = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        #expect(throws: Never.self) { try select([["to"]], fine) }
    }

    /// Generated documents, and each with bytes changed, cut or repeated: `select` agrees with `parse`
    /// on what is refused (with the same error) and on the value at every path.
    @Test func agreesWithParseOnGeneratedDocuments() {
        var random = SplitMix64(seed: 0x5E1EC7)
        var checked = 0
        for _ in 0..<300 {
            let document = Array(Self.document(depth: 0, &random).utf8)
            var variants = [document]
            for _ in 0..<4 {
                var broken = document
                switch random.next() % 4 {
                case 0: broken[Int(random.next() % UInt64(broken.count))] = Self.noise.randomElement(using: &random)!
                case 1: broken.removeSubrange(Int(random.next() % UInt64(broken.count))...)
                case 2: broken.insert(Self.noise.randomElement(using: &random)!, at: Int(random.next() % UInt64(broken.count)))
                default: broken += broken.prefix(Int(random.next() % UInt64(broken.count)))
                }
                variants.append(broken)
            }
            for bytes in variants {
                #expect(RoutesFuzzInvariants.selectionProblems(bytes) == [], "\(String(decoding: bytes, as: UTF8.self))")
                checked += 1
            }
        }
        #expect(checked == 1_500)
    }

    static let noise: [UInt8] = Array(#"{}[]:,"\ 0-.e\#u{0}"#.utf8) + [0x0A, 0xC3, 0xA9, 0xFF]
    static let keys = ["call", "to", "from", "call_id", "to", "params", "t\\u006f", "é", "vars", "a b"]

    static func document(depth: Int, _ random: inout SplitMix64) -> String {
        switch depth > 3 ? random.next() % 5 : random.next() % 8 {
        case 0: return #""+1555\#(random.next() % 10_000)""#
        case 1: return ["true", "false", "null"][Int(random.next() % 3)]
        case 2: return ["-0.5e3", "12", "0", "1e2"][Int(random.next() % 4)]
        case 3: return #""caf\u00e9 \"q\" é""#
        case 4: return "\"\""
        case 5, 6:
            let members = (0..<random.next() % 5).map { _ in
                "\"\(keys[Int(random.next() % UInt64(keys.count))])\": \(document(depth: depth + 1, &random))"
            }
            return "{" + members.joined(separator: random.next() % 2 == 0 ? "," : ",\n ") + "}"
        default:
            return "[" + (0..<random.next() % 4).map { _ in document(depth: depth + 1, &random) }.joined(separator: ", ") + "]"
        }
    }
}
