/// A cXML messaging answer for `POST /sms` (`Content-Type: application/xml`).
///
/// Renders `<?xml version="1.0" encoding="UTF-8"?>` and `<Response>` with one `<Message>` per
/// message, or `<Response/>` ("do nothing") when there is none. Every text and attribute value
/// is escaped; bodies are cut to `maxBodyLength` and media to `maxMedia` URLs.
package struct CXMLResponse: Sendable, Equatable {
    package static let contentType = "application/xml"
    /// SignalWire's limit for one message body.
    package static let maxBodyLength = 1600
    /// SignalWire's limit of `<Media>` per message.
    package static let maxMedia = 10

    /// `<Message to="..." from="..." statusCallback="...">body<Media>url</Media></Message>`.
    ///
    /// Never `action`: in cXML (as in TwiML) `action` is control flow. The platform requests that URL
    /// after the message and runs the cXML it answers, so the verbs after a `<Message>` with `action`
    /// never run, and a text forwarded to every member of a pool reached only the first.
    package struct Message: Sendable, Equatable {
        package var to: String
        package var from: String
        /// Where SignalWire sends this message's delivery status (`/status/message`).
        package var statusCallback: String?
        package var body: String
        package var media: [String]

        package init(to: String, from: String, statusCallback: String? = nil, body: String, media: [String] = []) {
            self.to = to
            self.from = from
            self.statusCallback = statusCallback
            self.body = body
            self.media = media
        }
    }

    package var messages: [Message]

    package init(messages: [Message] = []) {
        self.messages = messages
    }

    /// The empty answer: `<Response/>`.
    package static let empty = CXMLResponse()

    /// The XML document.
    package func render() -> String {
        String(decoding: renderBytes(), as: UTF8.self)
    }

    /// `render()` as UTF-8 bytes, written as bytes.
    package func renderBytes() -> [UInt8] {
        var xml: [UInt8] = []
        xml.reserveCapacity(160 + messages.reduce(0) { $0 + $1.body.utf8.count + 96 })
        xml += #"<?xml version="1.0" encoding="UTF-8"?>"#.utf8
        xml.append(UInt8(ascii: "\n"))
        guard !messages.isEmpty else {
            xml += "<Response/>".utf8
            return xml
        }
        xml += "<Response>".utf8
        for message in messages {
            xml += "<Message to=\"".utf8
            XMLEscaping.append(message.to, to: &xml)
            xml += "\" from=\"".utf8
            XMLEscaping.append(message.from, to: &xml)
            xml += "\"".utf8
            if let statusCallback = message.statusCallback {
                xml += " statusCallback=\"".utf8
                XMLEscaping.append(statusCallback, to: &xml)
                xml += "\"".utf8
            }
            xml += ">".utf8
            XMLEscaping.append(Self.truncated(message.body), to: &xml)
            for url in message.media.prefix(Self.maxMedia) {
                xml += "<Media>".utf8
                XMLEscaping.append(url, to: &xml)
                xml += "</Media>".utf8
            }
            xml += "</Message>".utf8
        }
        xml += "</Response>".utf8
        return xml
    }

    /// The longest prefix of whole characters that is at most `maxBodyLength` long however it is
    /// counted (characters, or UTF-16 units as carriers do), so an emoji is never split.
    static func truncated(_ body: String) -> String {
        // No character or UTF-16 unit is shorter than a UTF-8 byte: a body of at most
        // `maxBodyLength` bytes is within the limit however it is counted.
        if body.utf8.count <= maxBodyLength { return body }
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
