/// A number the project owns, as the Relay REST API describes it. Unknown fields are ignored and
/// every field but `id` and `number` may be missing or null.
package struct PhoneNumber: Sendable, Equatable, Codable {
    package var id: String
    /// E.164.
    package var number: String
    package var name: String?
    /// `voice`, `sms`, `mms`, `fax`.
    package var capabilities: [String]
    /// `longcode` or `toll-free`.
    package var numberType: String?
    /// `relay_script` (SWML), `laml_webhooks` (cXML), `relay_context`, `ai_agent`, ...
    package var callHandler: String?
    package var callRelayScriptURL: String?
    package var callRequestURL: String?
    package var callStatusCallbackURL: String?
    /// `laml_webhooks` for a cXML messaging webhook.
    package var messageHandler: String?
    package var messageRequestURL: String?
    package var messageRequestMethod: String?
    package var messageFallbackURL: String?
    /// The emergency (E911) address attached, if any.
    package var e911AddressID: String?

    package init(
        id: String, number: String, name: String? = nil, capabilities: [String] = [], numberType: String? = nil,
        callHandler: String? = nil, callRelayScriptURL: String? = nil, callRequestURL: String? = nil,
        callStatusCallbackURL: String? = nil, messageHandler: String? = nil, messageRequestURL: String? = nil,
        messageRequestMethod: String? = nil, messageFallbackURL: String? = nil, e911AddressID: String? = nil
    ) {
        self.id = id
        self.number = number
        self.name = name
        self.capabilities = capabilities
        self.numberType = numberType
        self.callHandler = callHandler
        self.callRelayScriptURL = callRelayScriptURL
        self.callRequestURL = callRequestURL
        self.callStatusCallbackURL = callStatusCallbackURL
        self.messageHandler = messageHandler
        self.messageRequestURL = messageRequestURL
        self.messageRequestMethod = messageRequestMethod
        self.messageFallbackURL = messageFallbackURL
        self.e911AddressID = e911AddressID
    }

    /// The handler field named as the API names it (`call_handler`, ...); nil when empty or unknown.
    package func handlerValue(named name: String) -> String? {
        switch name {
        case "call_handler": callHandler
        case "call_relay_script_url": callRelayScriptURL
        case "call_request_url": callRequestURL
        case "call_status_callback_url": callStatusCallbackURL
        case "message_handler": messageHandler
        case "message_request_url": messageRequestURL
        case "message_request_method": messageRequestMethod
        case "message_fallback_url": messageFallbackURL
        default: nil
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, number, name, capabilities
        case numberType = "number_type"
        case callHandler = "call_handler"
        case callRelayScriptURL = "call_relay_script_url"
        case callRequestURL = "call_request_url"
        case callStatusCallbackURL = "call_status_callback_url"
        case messageHandler = "message_handler"
        case messageRequestURL = "message_request_url"
        case messageRequestMethod = "message_request_method"
        case messageFallbackURL = "message_fallback_url"
        case e911AddressID = "e911_address_id"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        number = try c.decode(String.self, forKey: .number)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        capabilities = try c.decodeIfPresent([String].self, forKey: .capabilities) ?? []
        numberType = try c.decodeIfPresent(String.self, forKey: .numberType)
        callHandler = try c.decodeIfPresent(String.self, forKey: .callHandler)
        callRelayScriptURL = try c.decodeIfPresent(String.self, forKey: .callRelayScriptURL)
        callRequestURL = try c.decodeIfPresent(String.self, forKey: .callRequestURL)
        callStatusCallbackURL = try c.decodeIfPresent(String.self, forKey: .callStatusCallbackURL)
        messageHandler = try c.decodeIfPresent(String.self, forKey: .messageHandler)
        messageRequestURL = try c.decodeIfPresent(String.self, forKey: .messageRequestURL)
        messageRequestMethod = try c.decodeIfPresent(String.self, forKey: .messageRequestMethod)
        messageFallbackURL = try c.decodeIfPresent(String.self, forKey: .messageFallbackURL)
        e911AddressID = try c.decodeIfPresent(String.self, forKey: .e911AddressID)
    }
}
