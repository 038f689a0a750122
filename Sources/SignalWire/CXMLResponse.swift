/// A cXML messaging answer for `POST /sms` (`Content-Type: application/xml`).
///
/// Renders `<?xml version="1.0" encoding="UTF-8"?>` and `<Response>` with one `<Message>` per
/// message, or `<Response/>` ("do nothing") when there is none. Every text and attribute value
/// is escaped; bodies are cut to `maxBodyLength` and media to `maxMedia` URLs.
public struct CXMLResponse: Sendable, Equatable {
    public static let contentType = "application/xml"
    /// SignalWire's limit for one message body.
    public static let maxBodyLength = 1600
    /// SignalWire's limit of `<Media>` per message.
    public static let maxMedia = 10

    /// `<Message to="..." from="..." action="...">body<Media>url</Media></Message>`.
    public struct Message: Sendable, Equatable {
        public var to: String
        public var from: String
        /// Where SignalWire sends this message's status callbacks.
        public var action: String?
        public var body: String
        public var media: [String]

        public init(to: String, from: String, action: String? = nil, body: String, media: [String] = []) {
            self.to = to
            self.from = from
            self.action = action
            self.body = body
            self.media = media
        }
    }

    public var messages: [Message]

    public init(messages: [Message] = []) {
        self.messages = messages
    }

    /// The empty answer: `<Response/>`.
    public static let empty = CXMLResponse()

    /// The XML document.
    public func render() -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        guard !messages.isEmpty else { return xml + "<Response/>" }
        xml += "<Response>"
        for message in messages {
            xml += "<Message to=\"\(XMLEscaping.escape(message.to))\" from=\"\(XMLEscaping.escape(message.from))\""
            if let action = message.action { xml += " action=\"\(XMLEscaping.escape(action))\"" }
            xml += ">" + XMLEscaping.escape(Self.truncated(message.body))
            for url in message.media.prefix(Self.maxMedia) {
                xml += "<Media>" + XMLEscaping.escape(url) + "</Media>"
            }
            xml += "</Message>"
        }
        return xml + "</Response>"
    }

    /// `render()` as UTF-8 bytes.
    public func renderBytes() -> [UInt8] { Array(render().utf8) }

    /// The longest prefix of whole characters that is at most `maxBodyLength` long however it is
    /// counted (characters, or UTF-16 units as carriers do), so an emoji is never split.
    static func truncated(_ body: String) -> String {
        var units = 0
        var end = body.startIndex
        for index in body.indices {
            let character = body[index]
            units += character.utf16.count
            if units > maxBodyLength { break }
            end = body.index(after: index)
        }
        return String(body[..<end])
    }
}
