import Testing
@testable import SignalWire

@Suite struct CXMLResponseTests {
    let header = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"

    @Test func emptyResponse() {
        #expect(CXMLResponse.empty.render() == header + "<Response/>")
    }

    @Test func messageWithActionAndMedia() {
        let response = CXMLResponse(messages: [
            CXMLResponse.Message(
                to: "+15551111111", from: "+15550000001", statusCallback: "https://sb.example.com/status/message",
                body: "From +15557654321: hi", media: ["https://media.example/a.jpg?x=1&y=2"]
            ),
        ])
        #expect(response.render() == header + """
        <Response><Message to="+15551111111" from="+15550000001" statusCallback="https://sb.example.com/status/message">\
        From +15557654321: hi<Media>https://media.example/a.jpg?x=1&amp;y=2</Media></Message></Response>
        """)
    }

    @Test func everythingIsEscapedAndControlsDropped() {
        let response = CXMLResponse(messages: [
            CXMLResponse.Message(to: "a\"<b>'&", from: "+1\u{0}\u{7}\u{1B}", body: "<script>&'\"\u{8}\u{7F}\u{85}x\ny\tz\r"),
        ])
        #expect(response.render() == header + """
        <Response><Message to="a&quot;&lt;b&gt;&apos;&amp;" from="+1">&lt;script&gt;&amp;&apos;&quot;x&#10;y&#9;z&#13;\
        </Message></Response>
        """)
        #expect(XMLEscaping.escape("caf\u{E9} \u{1F600}\u{FFFE}") == "caf\u{E9} \u{1F600}")
    }

    /// The byte escaper against the rule stated over scalars, on random text full of the edge cases:
    /// the five specials, C0 and C1 controls, DEL, U+FFFE/U+FFFF and their neighbours, text beyond ASCII.
    @Test func escapingMatchesTheScalarRule() {
        func reference(_ text: String) -> String {
            var out = ""
            for scalar in text.unicodeScalars {
                switch scalar.value {
                case 0x26: out += "&amp;"
                case 0x3C: out += "&lt;"
                case 0x3E: out += "&gt;"
                case 0x22: out += "&quot;"
                case 0x27: out += "&apos;"
                case 0x09: out += "&#9;"
                case 0x0A: out += "&#10;"
                case 0x0D: out += "&#13;"
                case 0x00...0x1F, 0x7F...0x9F, 0xFFFE, 0xFFFF: continue
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out
        }
        let alphabet: [Unicode.Scalar] = ["a", "Z", "0", " ", "&", "<", ">", "\"", "'", "\t", "\n", "\r", "\u{0}", "\u{1F}",
                                          "\u{7E}", "\u{7F}", "\u{80}", "\u{85}", "\u{9F}", "\u{A0}", "\u{E9}", "\u{301}",
                                          "\u{FFBE}", "\u{FFBF}", "\u{FFFD}", "\u{FFFE}", "\u{FFFF}", "\u{EFBF}", "\u{1F600}", "\u{10FFFF}"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            var text = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...12, using: &generator) { text.append(alphabet.randomElement(using: &generator)!) }
            let string = String(text)
            #expect(XMLEscaping.escape(string) == reference(string), "\(string.unicodeScalars.map { $0.value })")
        }
    }

    /// Bodies longer than 1600 bytes but not 1600 characters or UTF-16 units are kept whole.
    @Test func byteLengthAloneDoesNotCut() {
        let accented = String(repeating: "\u{E9}", count: 1600)
        #expect(CXMLResponse.truncated(accented) == accented)
        #expect(CXMLResponse.truncated(accented + "x") == accented)
        let exact = String(repeating: "b", count: 1600)
        #expect(CXMLResponse.truncated(exact) == exact)
    }

    @Test func noActionAttributeWhenNil() {
        let response = CXMLResponse(messages: [CXMLResponse.Message(to: "+1", from: "+2", body: "")])
        #expect(response.render() == header + #"<Response><Message to="+1" from="+2"></Message></Response>"#)
    }

    @Test func bodyIsCutAt1600Characters() {
        let long = String(repeating: "a", count: 2000)
        #expect(CXMLResponse.truncated(long).count == 1600)
        #expect(CXMLResponse.truncated("short") == "short")
        // An emoji is two UTF-16 units: 800 fit, and none is split.
        let emoji = String(repeating: "\u{1F600}", count: 900)
        #expect(CXMLResponse.truncated(emoji) == String(repeating: "\u{1F600}", count: 800))
        let odd = "a" + emoji
        #expect(CXMLResponse.truncated(odd) == "a" + String(repeating: "\u{1F600}", count: 799))
        let rendered = CXMLResponse(messages: [CXMLResponse.Message(to: "+1", from: "+2", body: long)]).render()
        #expect(rendered.contains(String(repeating: "a", count: 1600) + "</Message>"))
        #expect(!rendered.contains(String(repeating: "a", count: 1601)))
    }

    @Test func atMostTenMedia() {
        let media = (0..<12).map { "https://m.example/\($0)" }
        let rendered = CXMLResponse(messages: [CXMLResponse.Message(to: "+1", from: "+2", body: "", media: media)]).render()
        #expect(rendered.components(separatedBy: "<Media>").count - 1 == 10)
        #expect(rendered.contains("https://m.example/9</Media>"))
        #expect(!rendered.contains("https://m.example/10"))
    }

    @Test func severalMessages() {
        let response = CXMLResponse(messages: [
            CXMLResponse.Message(to: "+1", from: "+2", body: "one"),
            CXMLResponse.Message(to: "+3", from: "+2", body: "two"),
        ])
        #expect(response.render() == header + """
        <Response><Message to="+1" from="+2">one</Message><Message to="+3" from="+2">two</Message></Response>
        """)
    }
}
