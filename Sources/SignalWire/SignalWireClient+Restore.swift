import FoundationEssentials

extension SignalWireClient {
    /// Puts handler fields back as they were: each named field set to its value, or to null (empty).
    package func restoreHandlers(id: String, _ fields: [String: String?]) throws -> PhoneNumber {
        struct Body: Encodable {
            let fields: [String: String?]
            struct Key: CodingKey {
                var stringValue: String
                var intValue: Int? { nil }
                init(stringValue: String) { self.stringValue = stringValue }
                init?(intValue: Int) { nil }
            }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Key.self)
                for (name, value) in fields {
                    if let value { try container.encode(value, forKey: Key(stringValue: name)) } else {
                        try container.encodeNil(forKey: Key(stringValue: name))
                    }
                }
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = Array(try encoder.encode(Body(fields: fields)))
        return try decode(PhoneNumber.self, from: send("PUT", numberURL(id), body: body), what: "restored phone number")
    }
}
