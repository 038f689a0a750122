import Foundation
import Testing
@testable import Routing

@Suite("routing engine: texts and relay")
struct EngineTextTests {
    private let customer = "+15557654321"
    private let poolNumber = "+15550000001"

    private func decide(_ engine: RoutingEngine, _ request: RouteRequest, states: [String: PoolState] = [:]) -> RouteOutcome {
        var random = SeededGenerator(seed: 5)
        return engine.decide(request, states: states, random: &random)
    }

    private func engine(_ pool: Pool) -> RoutingEngine {
        RoutingEngine(routes: .single(pool, number: poolNumber))
    }

    private let ann = Member(address: "+15551111111", name: "Ann")
    private let bob = Member(address: "+15551111112", name: "Bob")
    private let sip = Member(address: "sip:desk@example.com")

    @Test func forwardsToTheChosenMemberWithTheSenderPrefix() {
        let engine = engine(Pool(name: "sales", members: [ann, bob]))
        let request = RouteRequest.text(from: customer, body: "hello", media: ["https://media.example/1.jpg"])
        #expect(engine.stateQuery(for: request) == StateQuery(pools: ["sales": [.position, .conversation]], caller: customer, now: request.now,
                                                              dialed: poolNumber, conversationWindow: 24 * 3600))
        let outcome = decide(engine, request, states: ["sales": PoolState(lastMember: ann.address)])
        #expect(outcome.plan == .message([OutboundMessage(to: bob.address, from: poolNumber, body: "From +15557654321: hello",
                                                          mediaURLs: ["https://media.example/1.jpg"])]))
        #expect(outcome.records == [DecisionRecord(time: request.now, channel: .sms, id: "SM1", from: customer,
                                                   to: poolNumber, pool: "sales", member: bob.address)])
    }

    @Test func pictureWithoutTextKeepsJustThePrefix() {
        let outcome = decide(engine(Pool(name: "p", members: [ann])), .text(body: "", media: ["https://m/1.png", "https://m/2.png"]))
        #expect(outcome.plan == .message([OutboundMessage(to: ann.address, from: poolNumber, body: "From +15557654321:",
                                                          mediaURLs: ["https://m/1.png", "https://m/2.png"])]))
    }

    @Test func simultaneousTextsEveryoneWhoCanReceiveTexts() {
        let outcome = decide(engine(Pool(name: "p", members: [sip, ann, bob], strategy: .simultaneous)), .text())
        guard case .message(let messages) = outcome.plan else {
            Issue.record("not a message")
            return
        }
        #expect(messages.map(\.to) == [ann.address, bob.address])
        #expect(outcome.records.map(\.member) == [ann.address])
    }

    @Test func sipMembersNeverGetTexts() {
        let engine = engine(Pool(name: "p", members: [sip, ann]))
        for last in [nil, ann.address, sip.address] {
            let outcome = decide(engine, .text(), states: ["p": PoolState(lastMember: last)])
            #expect(outcome.records.map(\.member) == [ann.address])
        }
        let sipOnly = self.engine(Pool(name: "p", members: [sip]))
        #expect(decide(sipOnly, .text()) == RouteOutcome(plan: .drop, records: []))
    }

    @Test func stickyTexterReachesTheSameMember() {
        let engine = engine(Pool(name: "p", members: [ann, bob], sticky: true))
        let request = RouteRequest.text()
        #expect(engine.stateQuery(for: request)?.pools == ["p": [.position, .sticky, .conversation]])
        let outcome = decide(engine, request, states: ["p": PoolState(lastMember: ann.address, stickyMember: ann.address)])
        #expect(outcome.records.map(\.member) == [ann.address])
    }

    @Test func numbersWithoutATextPoolDropTexts() throws {
        let engine = RoutingEngine(routes: try loadRoutes(#"{"numbers": {"+15550000001": {"voice": "a"}}, "pools": {"a": {"members": ["+15551111111"]}}}"#))
        for request in [RouteRequest.text(to: "+15550000001"), .text(to: "+15550000002")] {
            #expect(engine.stateQuery(for: request) == nil)
            #expect(decide(engine, request) == RouteOutcome(plan: .drop, records: []))
        }
    }

    @Test func textsIgnoreOverflow() {
        var routes = Routes.single(Pool(name: "a", members: [ann], overflow: "b"), number: poolNumber)
        routes.pools["b"] = Pool(name: "b", members: [bob])
        #expect(RoutingEngine(routes: routes).stateQuery(for: .text())?.pools == ["a": [.position, .conversation]])
    }

    @Test(arguments: [ClosedAction.voicemail, .message("Closed.")])
    func closedPoolsStillGetTexts(_ action: ClosedAction) {
        let hours = Hours(timeZone: testZones.zone(named: "UTC")!, open: [:], closed: action)
        let engine = engine(Pool(name: "p", members: [ann], hours: hours))
        let outcome = decide(engine, .text())
        #expect(outcome.records.map(\.member) == [ann.address])
    }

    @Test func closedPoolActionSendsTextsToThatPool() {
        let hours = Hours(timeZone: testZones.zone(named: "UTC")!, open: [:], closed: .pool("night"))
        var routes = Routes.single(Pool(name: "day", members: [ann], hours: hours), number: poolNumber)
        routes.pools["night"] = Pool(name: "night", members: [bob], strategy: .fewestCalls)
        let engine = RoutingEngine(routes: routes)
        #expect(engine.stateQuery(for: .text())?.pools == ["night": [.recentCounts, .conversation]])
        #expect(decide(engine, .text()).records.map(\.pool) == ["night"])
        #expect(engine.relayMember(for: .text(from: bob.address)) == bob.address)
    }

    @Test func longTextsAreCutToFit() {
        let body = String(repeating: "x", count: 1600)
        let forwarded = RoutingEngine.forwardedBody(from: customer, body: body)
        #expect(forwarded.count == OutboundMessage.maxBodyLength)
        #expect(forwarded.hasPrefix("From +15557654321: xxx"))
        #expect(forwarded.hasSuffix("x…"))
        #expect(RoutingEngine.forwardedBody(from: customer, body: "hi") == "From +15557654321: hi")
    }

    @Test func memberReplyIsRelayedToTheCustomer() {
        let engine = engine(Pool(name: "p", members: [ann, Member(address: bob.address, enabled: false)]))
        let reply = RouteRequest.text(from: ann.address, body: "Sure, see you at 3", media: ["https://m/map.png"])
        #expect(engine.relayMember(for: reply) == ann.address)
        #expect(engine.relayMember(for: .text(from: bob.address)) == bob.address)
        #expect(engine.relay(reply, toCustomer: customer) == .message([
            OutboundMessage(to: customer, from: poolNumber, body: "Sure, see you at 3", mediaURLs: ["https://m/map.png"]),
        ]))
        #expect(engine.relay(.text(from: ann.address, body: "", media: ["https://m/1.png"]), toCustomer: customer)
                == .message([OutboundMessage(to: customer, from: poolNumber, body: "", mediaURLs: ["https://m/1.png"])]))
    }

    @Test func relayDropsWhenNoCustomerOrNothingToSend() {
        let engine = engine(Pool(name: "p", members: [ann]))
        let reply = RouteRequest.text(from: ann.address, body: "hi")
        #expect(engine.relay(reply, toCustomer: nil) == .drop)
        #expect(engine.relay(reply, toCustomer: "") == .drop)
        #expect(engine.relay(reply, toCustomer: ann.address) == .drop)
        #expect(engine.relay(.text(from: ann.address, body: ""), toCustomer: customer) == .drop)
    }

    @Test func customersAndOtherNumbersAreNotRelayed() throws {
        let engine = RoutingEngine(routes: try loadRoutes(specExample))
        #expect(engine.relayMember(for: .text(from: customer)) == nil)
        #expect(engine.relayMember(for: .text(to: "+15550000001", from: "+15551111112")) == "+15551111112")
        // A sales member texting the support number is a customer of support.
        #expect(engine.relayMember(for: .text(to: "+15550000002", from: "+15551111112")) == nil)
        // The default route covers other numbers, and its pool's members relay through them.
        #expect(engine.relayMember(for: .text(to: "+18005550100", from: "+15552222221")) == "+15552222221")
    }
}
