import Foundation
import FoundationXML
import Routing
import SignalWire
import Testing
@testable import Switchboard

/// A cXML document as a real XML parser reads it: every element with its attributes and text.
struct ParsedCXML {
    struct Element: Equatable {
        var name: String
        var attributes: [String: String]
        var text: String
        var children: [Element]
    }

    let root: Element

    init(_ xml: String) throws {
        let delegate = Collector()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = delegate
        guard parser.parse(), let root = delegate.root else {
            throw ParseFailure(description: "not well formed: \(parser.parserError.map { "\($0)" } ?? "no root") in \(xml)")
        }
        self.root = root
    }

    struct ParseFailure: Error, CustomStringConvertible { var description: String }

    var messages: [Element] { root.children.filter { $0.name == "Message" } }

    private final class Collector: NSObject, XMLParserDelegate {
        var stack: [Element] = []
        var root: Element?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String]) {
            stack.append(Element(name: name, attributes: attributes, text: "", children: []))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            let element = stack.removeLast()
            if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
        }
    }
}

/// cXML for every kind of SMS plan, read back with a real XML parser.
@Suite struct CXMLParsedTests {
    static let base = "https://sb.example.com"
    static let simultaneous = #"""
    {"numbers": {"+15550000001": {"sms": "all"}},
     "pools": {"all": {"members": ["+15551111111", "+15551111112", {"number": "+15551111113", "name": "Cy"}], "strategy": "simultaneous"}}}
    """#

    func render(_ routes: String, from: String = "+12135550123", body: String, media: [String] = []) throws -> ParsedCXML {
        try ParsedCXML(RenderingTests.sms(routes, from: from, body: body, media: media))
    }

    /// In cXML `action` is control flow: verbs after a `<Message>` with one never run. Every member of
    /// a simultaneous pool gets the text, and delivery status goes to `statusCallback`.
    @Test func everyMemberOfASimultaneousPoolGetsTheTextWithAStatusCallback() throws {
        let parsed = try render(Self.simultaneous, body: "Is the shop open?")
        #expect(parsed.root.name == "Response")
        let messages = parsed.messages
        #expect(messages.count == 3)
        #expect(messages.map { $0.attributes["to"] } == ["+15551111111", "+15551111112", "+15551111113"])
        for message in messages {
            #expect(message.attributes["action"] == nil)
            #expect(message.attributes["statusCallback"] == Self.base + "/status/message")
            #expect(message.attributes["from"] == "+15550000001")
            #expect(Set(message.attributes.keys) == ["to", "from", "statusCallback"])
            #expect(message.text == "From +12135550123: Is the shop open?")
        }
    }

    static let awkward: [(String, String)] = [
        ("markup", #"Fish & <chips> "now" 'please' ]]> done"#),
        ("emoji", "On my way 🚗💨 👍🏽 — ok"),
        ("line breaks", "line one\nline two\r\n\ttabbed"),
        ("cdata end alone", "]]>"),
        ("entities as text", "&amp; &lt; &#10;"),
    ]

    @Test(arguments: awkward)
    func bodiesComeBackExactlyAsSent(_ name: String, _ body: String) throws {
        let parsed = try render(RenderingTests.threeMembers, body: body)
        let message = try #require(parsed.messages.first, "\(name)")
        #expect(message.text == "From +12135550123: " + body, "\(name)")
    }

    @Test func controlCharactersAreDroppedAndTheDocumentStaysWellFormed() throws {
        let parsed = try render(RenderingTests.threeMembers, body: "a\u{0}b\u{7}c\u{1B}[31md\u{7F}e\u{85}f\u{FFFE}g")
        #expect(parsed.messages.first?.text == "From +12135550123: abc[31mdefg")
    }

    /// 1,600 however counted (UTF-16 units are the strictest for emoji), never splitting a grapheme.
    @Test func aLongBodyIsCutToSixteenHundredOfWholeGraphemes() throws {
        let long = String(repeating: "ab👍🏽", count: 700)
        let parsed = try render(RenderingTests.threeMembers, body: long)
        let text = try #require(parsed.messages.first?.text)
        #expect(text.utf16.count <= CXMLResponse.maxBodyLength)
        #expect(text.utf16.count > CXMLResponse.maxBodyLength - 6)
        #expect(text.hasSuffix("b") || text.hasSuffix("👍🏽"))
        #expect(("From +12135550123: " + long).hasPrefix(text))
    }

    @Test func mediaAreChildElementsInOrderUpToTen() throws {
        let urls = (1...12).map { "https://media.example.com/\($0).jpg?a=1&b=2" }
        let parsed = try render(RenderingTests.threeMembers, body: "", media: urls)
        let message = try #require(parsed.messages.first)
        #expect(message.children.map(\.name) == Array(repeating: "Media", count: 10))
        #expect(message.children.map(\.text) == Array(urls.prefix(10)))
    }

    @Test func aMemberReplyGoesToTheCustomerWithAStatusCallback() throws {
        let parsed = try ParsedCXML(RenderingTests.sms(RenderingTests.threeMembers, from: "+15551111112", body: "On my way",
                                                       customer: "+12135550123"))
        #expect(parsed.messages.count == 1)
        #expect(parsed.messages.first?.attributes == ["to": "+12135550123", "from": "+15550000001",
                                                      "statusCallback": Self.base + "/status/message"])
    }

    @Test func noPlanIsAnEmptyResponse() throws {
        let parsed = try ParsedCXML(CXMLRenderer(callbackBase: Self.base).render(.drop).render())
        #expect(parsed.root == ParsedCXML.Element(name: "Response", attributes: [:], text: "", children: []))
    }
}
