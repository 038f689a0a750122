import Foundation
import Testing
@testable import Routing

@Suite("text keywords and opt-outs")
struct TextKeywordTests {
    static let words: [(String, TextKeyword)] = [
        ("STOP", .optOut), ("STOPALL", .optOut), ("UNSUBSCRIBE", .optOut), ("CANCEL", .optOut), ("END", .optOut),
        ("QUIT", .optOut), ("START", .optIn), ("UNSTOP", .optIn), ("YES", .optIn), ("HELP", .help), ("INFO", .help),
    ]
    static let spellings: [@Sendable (String) -> String] = [
        { $0 }, { $0.lowercased() }, { $0.capitalized }, { " \($0) " }, { "\($0)\n" }, { "\t\($0)\r\n" },
        { "\u{00A0}\($0)\u{2003}" }, { "\n\n\($0.lowercased())  " },
    ]

    @Test func everyKeywordInEverySpelling() {
        var checked = 0
        for (word, keyword) in Self.words {
            for spell in Self.spellings {
                #expect(TextKeyword.classify(spell(word)) == keyword, "\(spell(word).debugDescription)")
                checked += 1
            }
        }
        #expect(checked == 88)
    }

    @Test(arguments: ["", " ", "stop by at 5", "STOP!", "STOP.", "Stopp", "please stop", "S T O P", "STOP STOP",
                      "yes please", "helpful", "information", "ending", "cancelled", "START\u{200B}", "🛑",
                      String(repeating: " ", count: 40) + "STOP", "ＳＴＯＰ"])
    func ordinaryTextsAreNotKeywords(_ body: String) {
        #expect(TextKeyword.classify(body) == nil)
    }

    static let customer = "+12135550123"
    static let number = "+15550000001"
    static let ann = Member(address: "+15551111111")
    static let bob = Member(address: "+15551111112")
    static let off = Member(address: "+15551111113", enabled: false)
    static let desk = Member(address: "sip:desk@example.com")

    func engine(replies: TextReplies = TextReplies()) -> RoutingEngine {
        var pool = Pool(name: "sales", members: [Self.ann, Self.bob, Self.off, Self.desk])
        pool.replies = replies
        return RoutingEngine(routes: .single(pool, number: Self.number))
    }

    @Test func keywordsAreOnlyACustomersWholeTextToARoutedNumber() {
        let engine = engine()
        #expect(engine.keyword(in: .text(from: Self.customer, body: "stop")) == .optOut)
        #expect(engine.keyword(in: .text(from: Self.ann.address, body: "STOP")) == nil, "a member's text is a reply")
        #expect(engine.keyword(in: .text(to: "+15559999999", from: Self.customer, body: "STOP")) == nil, "unrouted")
        #expect(engine.keyword(in: .text(from: Self.customer, body: "STOP", media: ["https://m/1.jpg"])) == nil)
        #expect(engine.keyword(in: .call(from: Self.customer)) == nil)
    }

    @Test(arguments: [(TextKeyword.optOut, "stop", "You have been unsubscribed", "\(customer) opted out (texted STOP)"),
                      (.optIn, "Unstop", "You have been resubscribed", "\(customer) opted back in to texts (UNSTOP)."),
                      (.help, " info", "Reply STOP to unsubscribe", "\(customer) texted INFO and got the help text")])
    func aKeywordIsAnsweredAndEveryMemberWhoTakesTextsIsTold(_ keyword: TextKeyword, _ body: String, _ reply: String, _ notice: String) throws {
        guard case .message(let messages) = engine().keywordPlan(.text(from: Self.customer, body: body), keyword) else {
            Issue.record("not a message plan")
            return
        }
        #expect(messages.map(\.to) == [Self.customer, Self.ann.address, Self.bob.address])
        #expect(messages.allSatisfy { $0.from == Self.number && $0.mediaURLs.isEmpty })
        #expect(messages[0].body.hasPrefix(reply))
        #expect(messages.dropFirst().allSatisfy { $0.body.hasPrefix(notice) }, "\(messages)")
    }

    @Test func repliesComeFromTheRoutes() throws {
        let json = #"""
        {"numbers": {"+15550000001": {"sms": "sales"}},
         "pools": {"sales": {"members": ["+15551111111"], "sms_replies": {"opt_out": "Bye from Acme.", "help": "Call 555-0100."}}}}
        """#
        let routes = try RoutesLoader.load(Array(json.utf8), zones: testZones).get()
        let engine = RoutingEngine(routes: routes)
        let request = RouteRequest.text(from: Self.customer, body: "STOP")
        #expect(engine.keywordPlan(request, .optOut).messages.first?.body == "Bye from Acme.")
        #expect(engine.keywordPlan(request, .help).messages.first?.body == "Call 555-0100.")
        #expect(engine.keywordPlan(request, .optIn).messages.first?.body == TextReplies().optIn, "the default stays")
    }

    @Test func aMemberReplyToAnOptedOutCustomerIsExplainedToTheMember() {
        let request = RouteRequest.text(from: Self.ann.address, body: "Hi again")
        #expect(engine().optedOutNotice(request, customer: Self.customer).messages
            == [OutboundMessage(to: Self.ann.address, from: Self.number,
                                body: "Not sent: \(Self.customer) has opted out of texts from this number (STOP). They can text START to opt back in.")])
        #expect(engine().optOutsUnavailableNotice(request).messages.map(\.to) == [Self.ann.address])
    }
}

extension RoutePlan {
    var messages: [OutboundMessage] {
        if case .message(let messages) = self { return messages }
        return []
    }
}
