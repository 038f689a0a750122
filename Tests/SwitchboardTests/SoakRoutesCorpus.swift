import Foundation

/// A generated corpus of routes.json files that must be refused, each one edit away from `base`
/// (a valid file using most of the format), so every case tests one mistake.
enum RoutesCorpus {
    struct Case {
        var name: String
        var bytes: [UInt8]
    }

    static let base = """
    {
      "numbers": {
        "+15550000001": { "voice": "sales", "sms": "sales", "greeting": "Thanks for calling Acme sales." },
        "+15550000002": { "voice": "support", "sms": "support" }
      },
      "pools": {
        "sales": {
          "members": ["+15551111111", "+15551111112", {"number": "+15551111113", "name": "Carol", "weight": 2, "enabled": true}],
          "strategy": "round_robin",
          "ring_timeout": 20,
          "confirm": false,
          "sticky": false,
          "caller_id": "caller",
          "voicemail": {"greeting": "Leave a message.", "max_length": 120},
          "overflow": "support"
        },
        "support": {
          "members": ["+15552222221", {"number": "sip:bob@example.sip.signalwire.com", "name": "Bob"}],
          "strategy": "sequential",
          "hours": {"timezone": "America/New_York", "open": {"mon": "09:00-17:00", "tue": ["09:00-12:00", "13:00-17:00"]}, "closed": {"action": "message", "message": "We are closed."}}
        },
        "night": { "members": ["+15553333331"] }
      },
      "default": { "voice": "support", "sms": "support" }
    }

    """

    /// The `hours` of `support` in `base`.
    static let hours = #""hours": {"timezone": "America/New_York", "open": {"mon": "09:00-17:00", "tue": ["09:00-12:00", "13:00-17:00"]}, "closed": {"action": "message", "message": "We are closed."}}"#

    /// The members of `sales` in `base`, in order.
    static let baseSales = ["+15551111111", "+15551111112", "+15551111113"]

    static func all() -> [Case] {
        syntax() + whole() + edits()
    }

    /// `base` with `old` (which must occur in it) replaced once by `new`.
    static func edit(_ name: String, _ old: String, _ new: String) -> Case {
        guard let range = base.range(of: old) else { preconditionFailure("corpus edit \(name): \(old) not in base") }
        return Case(name: name, bytes: Array(base.replacingCharacters(in: range, with: new).utf8))
    }

    static func syntax() -> [Case] {
        var cases: [Case] = []
        // Every proper prefix of a JSON object is invalid: cut at 24 places spread over the file.
        let text = Array(base.utf8)
        let end = text.lastIndex(of: UInt8(ascii: "}"))!
        for k in 0..<24 {
            let cut = 1 + k * (end - 1) / 24
            cases.append(Case(name: "truncated at byte \(cut)", bytes: Array(text[0..<cut])))
        }
        cases += [
            edit("trailing comma in object", #""sms": "support" }"#, #""sms": "support", }"#),
            edit("trailing comma in array", #""+15553333331"]"#, #""+15553333331",]"#),
            edit("single-quoted string", #""strategy": "sequential""#, #""strategy": 'sequential'"#),
            edit("comment", #""night": {"#, "// the night shift\n    \"night\": {"),
            edit("unquoted key", #""confirm": false"#, "confirm: false"),
            edit("NaN", #""ring_timeout": 20"#, #""ring_timeout": NaN"#),
            edit("hex number", #""ring_timeout": 20"#, #""ring_timeout": 0x14"#),
            edit("leading zero", #""ring_timeout": 20"#, #""ring_timeout": 020"#),
            edit("missing colon", #""sticky": false"#, #""sticky" false"#),
            edit("missing comma between members", #""+15551111111", "+15551111112""#, #""+15551111111" "+15551111112""#),
            edit("extra closing brace", #""night": { "members": ["+15553333331"] }"#, #""night": { "members": ["+15553333331"] }}"#),
            edit("raw tab in a string", "We are closed.", "We are\tclosed."),
            edit("invalid escape", "Leave a message.", #"Leave a \x41 message."#),
            edit("lone surrogate escape", "Carol", #"Car\ud800ol"#),
            edit("duplicate key", #""strategy": "sequential""#, #""strategy": "sequential", "strategy": "random""#),
            edit("unterminated string", #""caller_id": "caller""#, #""caller_id": "caller"#),
            edit("true misspelled", #""enabled": true"#, #""enabled": ture"#),
            Case(name: "two documents", bytes: Array((base + "{}").utf8)),
            Case(name: "invalid UTF-8 between tokens", bytes: [UInt8(ascii: "{"), 0xC3, 0x28, 0xFF] + Array(base.utf8.dropFirst())),
            Case(name: "NUL byte between tokens", bytes: [UInt8(ascii: "{"), 0] + Array(base.utf8.dropFirst())),
        ]
        return cases
    }

    /// Files that are not a routes document at all.
    static func whole() -> [Case] {
        ["", "   \n", "null", "[]", "42", "\"routes\"", "true", "{}", #"{"pools": {}}"#,
         #"{"numbers": {}, "pools": {"a": {"members": ["+15551111111"]}}}"#]
            .enumerated().map { Case(name: "whole file #\($0.offset): \($0.element.prefix(30))", bytes: Array($0.element.utf8)) }
    }
}

extension RoutesCorpus.Case {
    /// A second edit on the same case.
    func replacing(_ old: String, _ new: String) -> Self {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let range = text.range(of: old) else { preconditionFailure("corpus edit \(name): \(old) not found") }
        return .init(name: name, bytes: Array(text.replacingCharacters(in: range, with: new).utf8))
    }
}
