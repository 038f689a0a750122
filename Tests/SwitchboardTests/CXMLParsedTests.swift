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

    static func request(_ body: String, from: String = "+12135550123") -> RouteRequest {
        RouteRequest(channel: .sms, id: "SM1", from: from, to: "+15550000001", now: RenderingTests.sunday, body: body)
    }

    func parsed(_ plan: RoutePlan) throws -> ParsedCXML {
        try ParsedCXML(CXMLRenderer(callbackBase: Self.base).render(plan).render())
    }

    /// STOP: the confirmation to the customer first, then one notice per member, nothing forwarded.
    @Test(arguments: [TextKeyword.optOut, .optIn, .help])
    func aKeywordIsAnsweredAndEveryMemberIsToldOnce(_ keyword: TextKeyword) throws {
        let engine = try RenderingTests.engine(Self.simultaneous)
        let request = Self.request(keyword == .optOut ? " stop " : keyword == .optIn ? "START" : "help")
        #expect(engine.keyword(in: request) == keyword)
        let messages = try parsed(engine.keywordPlan(request, keyword)).messages
        #expect(messages.map { $0.attributes["to"] } == ["+12135550123", "+15551111111", "+15551111112", "+15551111113"])
        #expect(messages.allSatisfy { $0.attributes["action"] == nil && $0.attributes["from"] == "+15550000001" })
        #expect(messages.dropFirst().allSatisfy { $0.text.hasPrefix("+12135550123 ") && !$0.text.hasPrefix("From ") })
        #expect(!messages[0].text.isEmpty)
    }

    /// Closed hours with `sms_reply`: the forward to the member and the auto-reply to the customer.
    @Test func afterHoursTheCustomerGetsTheAutoReplyBesideTheForward() throws {
        let routes = #"""
        {"numbers": {"+15550000001": {"sms": "sales"}},
         "pools": {"sales": {"members": ["+15551111111"],
           "hours": {"timezone": "UTC", "open": {"mon": "09:00-17:00"},
                     "closed": {"action": "voicemail", "sms_reply": "Closed & back Monday <9am>."}}}}}
        """#
        let messages = try render(routes, body: "Open?").messages
        #expect(messages.map { $0.attributes["to"] } == ["+15551111111", "+12135550123"])
        #expect(messages[0].text == "From +12135550123: Open?")
        #expect(messages[1].text == "Closed & back Monday <9am>.")
        #expect(messages.allSatisfy { $0.attributes["action"] == nil })
    }

    /// The notices a member gets instead of a relayed reply are well formed and go to the member.
    @Test func noticesToAMemberGoBackToThatMember() throws {
        let engine = try RenderingTests.engine(RenderingTests.threeMembers)
        let request = Self.request("@99 hello & bye", from: "+15551111112")
        var plans = [engine.optedOutNotice(request, customer: "+12135550123"), engine.optOutsUnavailableNotice(request)]
        if case .notice(let plan) = engine.replyTarget(request, open: ["+12135550123", "+13105550100"]) { plans.append(plan) }
        if case .notice(let plan) = engine.replyTarget(request, open: []) { plans.append(plan) }
        #expect(plans.count == 4)
        for plan in plans {
            let messages = try parsed(plan).messages
            #expect(messages.count == 1)
            #expect(messages.first?.attributes["to"] == "+15551111112")
            #expect(messages.first?.text.hasPrefix("Not sent: ") == true)
        }
    }

    @Test func noPlanIsAnEmptyResponse() throws {
        let parsed = try ParsedCXML(CXMLRenderer(callbackBase: Self.base).render(.drop).render())
        #expect(parsed.root == ParsedCXML.Element(name: "Response", attributes: [:], text: "", children: []))
    }
}
