/// An SWML document: what `POST /voice` answers (`Content-Type: application/json`).
///
/// `{"version":"1.0.0","sections":{"main":[...]}}`; `main` is written first, other sections after
/// it in name order.
package struct SWMLDocument: Sendable, Equatable, Codable {
    package static let contentType = "application/json"

    package var version: String
    package var sections: [String: [SWMLMethod]]

    package init(version: String = "1.0.0", sections: [String: [SWMLMethod]]) {
        self.version = version
        self.sections = sections
    }

    /// A document with only a `main` section.
    package init(main: [SWMLMethod]) {
        self.init(sections: ["main": main])
    }

    /// The methods of `main`.
    package var main: [SWMLMethod] { sections["main"] ?? [] }

    /// The document as compact JSON, keys in a fixed, readable order.
    package func jsonBytes() -> [UInt8] {
        // Every value in the model is a string, an integer, a finite number or a bool: encoding cannot fail.
        (try? OrderedJSONEncoder().encode(self)) ?? Array(#"{"version":"1.0.0","sections":{"main":[]}}"#.utf8)
    }

    /// `jsonBytes()` as text.
    package var jsonString: String { String(decoding: jsonBytes(), as: UTF8.self) }

    private enum CodingKeys: String, CodingKey { case version, sections }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decodeIfPresent(String.self, forKey: .version) ?? "1.0.0"
        sections = try c.decode([String: [SWMLMethod]].self, forKey: .sections)
        guard sections["main"] != nil else {
            throw DecodingError.dataCorruptedError(forKey: .sections, in: c, debugDescription: "SWML needs a main section")
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        var s = c.nestedContainer(keyedBy: SWMLKey.self, forKey: .sections)
        for name in sections.keys.sorted(by: { ($0 != "main" ? 1 : 0, $0) < ($1 != "main" ? 1 : 0, $1) }) {
            try s.encode(sections[name]!, forKey: SWMLKey(name))
        }
    }
}

/// A coding key for names that are data (method names, section names, variables).
struct SWMLKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedEncodingContainer where K == SWMLKey {
    /// Encodes a dictionary with its keys in code-point order, so output never depends on hashing.
    mutating func encodeSorted<V: Encodable>(_ dictionary: [String: V]) throws {
        for key in dictionary.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            try encode(dictionary[key]!, forKey: SWMLKey(key))
        }
    }
}
