import FoundationEssentials

/// A number's handler fields (the API's names: `call_handler`, `message_request_url`, ...) as they
/// were before Switchboard changed them; a nil value: the field was empty. What `numbers restore`
/// puts back.
package struct SavedHandlers: Sendable, Equatable, Codable {
    package var number: String
    package var numberID: String
    package var fields: [String: String?]
    package var saved: Date

    package init(number: String, numberID: String, fields: [String: String?], saved: Date) {
        self.number = number
        self.numberID = numberID
        self.fields = fields
        self.saved = saved
    }

    /// `self`, with the fields of `newer` it does not have yet: what was there first wins.
    package func adding(_ newer: SavedHandlers) -> SavedHandlers {
        var merged = self
        merged.fields.merge(newer.fields) { first, _ in first }
        return merged
    }

    /// The fields as the stores keep them: JSON, keys sorted.
    static func encodeFields(_ fields: [String: String?]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(fields), as: UTF8.self)
    }

    static func decodeFields(_ text: String?) -> [String: String?]? {
        text.flatMap { try? JSONDecoder().decode([String: String?].self, from: Data($0.utf8)) }
    }
}
