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
                to: "+15551111111", from: "+15550000001", action: "https://sb.example.com/status/message",
                body: "From +15557654321: hi", media: ["https://media.example/a.jpg?x=1&y=2"]
            ),
        ])
        #expect(response.render() == header + """
        <Response><Message to="+15551111111" from="+15550000001" action="https://sb.example.com/status/message">\
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
