import Foundation
import Testing
@testable import Routing

@Suite("member replies: whom they are for; texts that keep their conversation")
struct ReplyTargetTests {
    static let number = "+15550000001"
    static let ann = Member(address: "+15551111111")
    static let bob = Member(address: "+15551111112")
    static let cy = Member(address: "+15551111113")
    let engine = RoutingEngine(routes: .single(Pool(name: "sales", members: [ann, bob, cy]), number: number))

    func reply(_ body: String, media: [String] = []) -> RouteRequest {
        .text(from: Self.ann.address, body: body, media: media)
    }

    @Test func oneOpenConversationGetsTheReply() {
        #expect(engine.replyTarget(reply("On my way"), open: ["+12135550123"]) == .customer("+12135550123", body: "On my way"))
    }

    @Test func severalGoToTheNewestUnlessAddressed() {
        let open = ["+12135550123", "+13105550456", "+14155550789"]
        #expect(engine.replyTarget(reply("Hi"), open: open) == .customer("+12135550123", body: "Hi"))
        #expect(engine.replyTarget(reply("@0456 Yes we deliver"), open: open) == .customer("+13105550456", body: "Yes we deliver"))
        #expect(engine.replyTarget(reply("@789: tomorrow"), open: open) == .customer("+14155550789", body: "tomorrow"))
        #expect(engine.replyTarget(reply("@+13105550456, ok"), open: open) == .customer("+13105550456", body: "ok"))
        #expect(engine.replyTarget(reply("@0456\nline two"), open: open) == .customer("+13105550456", body: "line two"))
    }

    @Test(arguments: ["@ 0456 hi", "@4 hi", "@abc hi", "email me @ home", "hi @0456"])
    func aReplyThatIsNotAnAddressGoesToTheNewestWhole(_ body: String) {
        #expect(engine.replyTarget(reply(body), open: ["+12135550123", "+13105550456"]) == .customer("+12135550123", body: body))
    }

    @Test func anAddressThatMatchesNoneOrSeveralIsExplained() {
        let open = ["+12135550123", "+13105550123"]
        guard case .notice(let ambiguous) = engine.replyTarget(reply("@0123 hi"), open: open),
              case .notice(let unknown) = engine.replyTarget(reply("@9999 hi"), open: open) else {
            Issue.record("sent")
            return
        }
        #expect(ambiguous.messages.map(\.to) == [Self.ann.address])
        #expect(ambiguous.messages.first?.body.contains("several of your conversations end 0123") == true)
        #expect(unknown.messages.first?.body.contains("no conversation of yours is with a number ending 9999") == true)
        #expect(unknown.messages.first?.body.contains("Open: +12135550123, +13105550123") == true)
        // More digits tell them apart; digits that end neither number are explained.
        guard case .notice(let stillAmbiguous) = engine.replyTarget(reply("@5550123 hi"), open: open),
              case .notice(let neither) = engine.replyTarget(reply("@15550123 hi"), open: open) else {
            Issue.record("sent")
            return
        }
        #expect(stillAmbiguous.messages.first?.body.contains("several of your conversations end 5550123") == true)
        #expect(neither.messages.first?.body.contains("ending 15550123") == true)
        #expect(engine.replyTarget(reply("@2135550123 hi"), open: open) == .customer("+12135550123", body: "hi"))
    }

    @Test func noConversationIsExplainedAndAnEmptyReplyIsDropped() {
        guard case .notice(let plan) = engine.replyTarget(reply("Hello?"), open: []) else {
            Issue.record("sent")
            return
        }
        #expect(plan.messages.map(\.to) == [Self.ann.address])
        #expect(plan.messages.first?.from == Self.number)
        #expect(plan.messages.first?.body.hasPrefix("Not sent: nobody has called or texted this number for you") == true)
        #expect(engine.replyTarget(reply(""), open: ["+12135550123"]) == .notice(.drop))
        #expect(engine.replyTarget(reply("", media: ["https://m/1.jpg"]), open: ["+12135550123"]) == .customer("+12135550123", body: ""))
        // The member's own number is never a conversation of theirs.
        guard case .notice = engine.replyTarget(reply("hi"), open: [Self.ann.address]) else {
            Issue.record("sent to the member")
            return
        }
    }

    @Test(arguments: Strategy.allCases)
    func aTextGoesToTheMemberOfItsConversationWhateverTheStrategy(_ strategy: Strategy) {
        let pool = Pool(name: "sales", members: [Self.ann, Self.bob, Self.cy], strategy: strategy)
        var random = SeededGenerator(seed: 9)
        let state = PoolState(lastMember: Self.bob.address, lastOffered: [Self.ann.address: Date()],
                              recentCounts: [Self.ann.address: 0, Self.bob.address: 5, Self.cy.address: 9],
                              conversationMember: Self.cy.address)
        #expect(pool.order(state: state, channel: .sms, random: &random).first == Self.cy)
        // Calls are not texts: the conversation does not move a call.
        var plain = state
        plain.conversationMember = nil
        var again = SeededGenerator(seed: 9)
        var other = SeededGenerator(seed: 9)
        #expect(pool.order(state: state, channel: .voice, random: &again) == pool.order(state: plain, channel: .voice, random: &other))
    }

    @Test func aConversationMemberWhoIsOffOrGoneIsPassedOver() {
        var off = Self.cy
        off.enabled = false
        let pool = Pool(name: "sales", members: [Self.ann, Self.bob, off])
        var random = SeededGenerator(seed: 1)
        #expect(pool.order(state: PoolState(conversationMember: off.address), channel: .sms, random: &random).first == Self.ann)
        #expect(pool.order(state: PoolState(conversationMember: "+19999999999"), channel: .sms, random: &random).first == Self.ann)
    }

    @Test func aPoolWithoutAConversationWindowAsksForNoConversation() throws {
        var pool = Pool(name: "sales", members: [Self.ann])
        pool.conversationHours = 0
        let engine = RoutingEngine(routes: .single(pool, number: Self.number))
        #expect(engine.stateQuery(for: .text())?.pools == ["sales": .position])
        #expect(engine.stateQuery(for: .text())?.conversationWindow == 0)
    }

    @Test func aTextWhileClosedGetsTheAutoReplyBesideTheForward() throws {
        let json = #"""
        {"numbers": {"+15550000001": {"sms": "sales"}},
         "pools": {"sales": {"members": ["+15551111111"],
                             "hours": {"timezone": "UTC", "open": {"mon": "09:00-17:00"},
                                       "closed": {"action": "voicemail", "sms_reply": "We are closed; back Monday at nine."}}}}}
        """#
        let engine = RoutingEngine(routes: try RoutesLoader.load(Array(json.utf8), zones: testZones).get())
        var random = SeededGenerator(seed: 2)
        // 1_750_000_000 is a Sunday afternoon (UTC): closed.
        let closed = engine.decide(.text(from: "+12135550123", body: "Open?"), states: [:], random: &random).plan.messages
        #expect(closed.map(\.to) == ["+15551111111", "+12135550123"])
        #expect(closed.last?.body == "We are closed; back Monday at nine.")
        let monday = Date(timeIntervalSince1970: 1_750_000_000 + 18 * 3600)
        let open = engine.decide(.text(from: "+12135550123", body: "Open?", at: monday), states: [:], random: &random).plan.messages
        #expect(open.map(\.to) == ["+15551111111"])
    }
}
