/// The handler fields a `PUT /phone_numbers/{id}` changes; nil fields are not sent.
package struct PhoneNumberUpdate: Sendable, Equatable, Encodable {
    package var callHandler: String?
    package var callRelayScriptURL: String?
    package var messageHandler: String?
    package var messageRequestURL: String?
    package var messageRequestMethod: String?

    package init(
        callHandler: String? = nil, callRelayScriptURL: String? = nil, messageHandler: String? = nil,
        messageRequestURL: String? = nil, messageRequestMethod: String? = nil
    ) {
        self.callHandler = callHandler
        self.callRelayScriptURL = callRelayScriptURL
        self.messageHandler = messageHandler
        self.messageRequestURL = messageRequestURL
        self.messageRequestMethod = messageRequestMethod
    }

    /// The fields set, by their API names, in a fixed order.
    package var fields: [(name: String, value: String)] {
        [
            ("call_handler", callHandler), ("call_relay_script_url", callRelayScriptURL),
            ("message_handler", messageHandler), ("message_request_url", messageRequestURL),
            ("message_request_method", messageRequestMethod),
        ].compactMap { name, value in value.map { (name: name, value: $0) } }
    }

    /// True when nothing would change.
    package var isEmpty: Bool { fields.isEmpty }

    private enum CodingKeys: String, CodingKey {
        case callHandler = "call_handler"
        case callRelayScriptURL = "call_relay_script_url"
        case messageHandler = "message_handler"
        case messageRequestURL = "message_request_url"
        case messageRequestMethod = "message_request_method"
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(callHandler, forKey: .callHandler)
        try c.encodeIfPresent(callRelayScriptURL, forKey: .callRelayScriptURL)
        try c.encodeIfPresent(messageHandler, forKey: .messageHandler)
        try c.encodeIfPresent(messageRequestURL, forKey: .messageRequestURL)
        try c.encodeIfPresent(messageRequestMethod, forKey: .messageRequestMethod)
    }
}
