import Foundation
import Testing
@testable import Routing

@Suite("routing engine: calls")
struct EngineCallTests {
    private let monday10am = date("2025-03-03T15:00:00Z")     // 10:00 in New York
    private let monday8pm = date("2025-03-04T01:00:00Z")      // 20:00 in New York

    private func decide(_ engine: RoutingEngine, _ request: RouteRequest, states: [String: PoolState] = [:]) -> RouteOutcome {
        var random = SeededGenerator(seed: 3)
        return engine.decide(request, states: states, random: &random)
    }

    private func callPlan(_ outcome: RouteOutcome, sourceLocation: SourceLocation = #_sourceLocation) throws -> CallPlan {
        guard case .call(let plan) = outcome.plan else {
            Issue.record("not a call: \(outcome.plan)", sourceLocation: sourceLocation)
            throw RoutesError(problems: [])
        }
        return plan
    }

    private func officeRoutes(closed: String) throws -> RoutingEngine {
        RoutingEngine(routes: try loadRoutes("""
        {
          "numbers": { "+15550000001": { "voice": "sales", "sms": "sales", "greeting": "Hi." } },
          "pools": {
            "sales": { "members": ["+15551111111", "+15551111112"], "overflow": "support",
                       "hours": { "timezone": "America/New_York", "open": { "mon": "09:00-17:00" }, "closed": \(closed) } },
            "support": { "members": ["+15552222221"], "strategy": "sequential" },
            "night": { "members": ["+15553333331", "+15553333332"], "strategy": "least_recent", "overflow": "backup",
                       "voicemail": { "greeting": "Night voicemail.", "max_length": 60 } },
            "backup": { "members": ["+15554444441"] }
          }
        }
        """))
    }

    /// Strategies that read per-member state name the members to read; round-robin names none.
    @Test func stateQueryNamesTheMembersWhoseStateIsRead() throws {
        let engine = RoutingEngine(routes: try loadRoutes("""
        {
          "numbers": { "+15550000001": { "voice": "quiet" }, "+15550000002": { "voice": "busy" }, "+15550000003": { "voice": "turns" } },
          "pools": {
            "quiet": { "members": ["+15551111111", "+15551111112"], "strategy": "least_recent" },
            "busy": { "members": ["+15552222221", "+15552222222", "+15552222223"], "strategy": "fewest_calls" },
            "turns": { "members": ["+15553333331"] }
          }
        }
        """))
        let quiet = try #require(engine.stateQuery(for: .call(to: "+15550000001")))
        #expect(quiet.members == ["quiet": ["+15551111111", "+15551111112"]])
        let busy = try #require(engine.stateQuery(for: .call(to: "+15550000002")))
        #expect(busy.members == ["busy": ["+15552222221", "+15552222222", "+15552222223"]])
        #expect(try #require(engine.stateQuery(for: .call(to: "+15550000003"))).members == [:])
    }

    @Test func specExampleRingsTheNextMemberInTurn() throws {
        let engine = RoutingEngine(routes: try loadRoutes(specExample))
        let request = RouteRequest.call()
        #expect(engine.stateQuery(for: request) == StateQuery(pools: ["sales": .position], caller: request.from, now: request.now))
        let outcome = decide(engine, request, states: ["sales": PoolState(lastMember: "+15551111111")])
        let plan = try callPlan(outcome)
        #expect(plan == CallPlan(
            greeting: "Thanks for calling Acme sales.",
            steps: [RingStep(pool: "sales", parallel: false, targets: [
                RingTarget(address: "+15551111112", timeout: 20),
                RingTarget(address: "+15551111113", timeout: 20),
                RingTarget(address: "+15551111111", timeout: 20),
            ], confirm: false, callerID: .caller)],
            voicemail: VoicemailPlan()))
        #expect(outcome.records == [DecisionRecord(time: request.now, channel: .voice, id: "call-1", from: "+15557654321",
                                                   to: "+15550000001", pool: "sales", member: "+15551111112")])
    }

    @Test func defaultRouteCoversOtherNumbersAndKeepsNames() throws {
        let engine = RoutingEngine(routes: try loadRoutes(specExample))
        let outcome = decide(engine, .call(to: "+18005550100"))
        let plan = try callPlan(outcome)
        #expect(plan.greeting == nil)
        #expect(plan.steps.map(\.pool) == ["support"])
        #expect(plan.steps[0].targets[1] == RingTarget(address: "sip:bob@example.sip.signalwire.com", name: "Bob", timeout: 20))
        #expect(outcome.records.map(\.member) == ["+15552222221"])
    }

    @Test func unroutedNumberIsNotInService() throws {
        let engine = RoutingEngine(routes: try loadRoutes(#"{"numbers": {"+15550000001": {"sms": "a"}}, "pools": {"a": {"members": ["+15551111111"]}}}"#))
        for request in [RouteRequest.call(to: "+15550000001"), .call(to: "+15550000009")] {
            #expect(engine.stateQuery(for: request) == nil)
            #expect(decide(engine, request) == RouteOutcome(plan: .notInService, records: []))
        }
    }

    @Test func simultaneousRingsEveryoneInOneParallelStep() throws {
        let pool = Pool(name: "all", members: [Member(address: "+15551111111"), Member(address: "+15551111112", enabled: false),
                                               Member(address: "sip:c@example.com")],
                        strategy: .simultaneous, ringTimeout: 30, confirm: true, callerID: .number, voicemail: nil)
        let engine = RoutingEngine(routes: .single(pool))
        #expect(engine.stateQuery(for: .call())?.pools == ["all": []])
        let outcome = decide(engine, .call())
        #expect(try callPlan(outcome) == CallPlan(steps: [RingStep(pool: "all", parallel: true, targets: [
            RingTarget(address: "+15551111111", timeout: 30), RingTarget(address: "sip:c@example.com", timeout: 30),
        ], confirm: true, callerID: .number)]))
        #expect(outcome.records.map(\.member) == ["+15551111111"])
    }

    @Test func overflowChainRingsEachOpenPoolAndRecordsOnlyTheFirst() throws {
        let routes = try loadRoutes("""
        {
          "numbers": { "+15550000001": { "voice": "a" } },
          "pools": {
            "a": { "members": ["+15551111111", "+15551111112"], "overflow": "b", "ring_timeout": 10, "voicemail": { "greeting": "A." } },
            "b": { "members": ["+15552222221", "+15552222222"], "overflow": "closed", "confirm": true, "sticky": true },
            "closed": { "members": ["+15553333331"], "overflow": "d",
                        "hours": { "timezone": "UTC", "open": {}, "closed": { "action": "message", "message": "Never." } } },
            "d": { "members": ["+15554444441", "+15554444442"], "strategy": "fewest_calls", "caller_id": "number" }
          }
        }
        """)
        let engine = RoutingEngine(routes: routes)
        let request = RouteRequest.call()
        #expect(engine.stateQuery(for: request)?.pools == ["a": .position, "b": [.position, .sticky], "d": .recentCounts])
        let states = [
            "a": PoolState(lastMember: "+15551111112"),
            "b": PoolState(lastMember: "+15552222221", stickyMember: "+15552222221"),
            "d": PoolState(recentCounts: ["+15554444441": 3]),
        ]
        let outcome = decide(engine, request, states: states)
        let plan = try callPlan(outcome)
        #expect(plan.steps.map(\.pool) == ["a", "b", "d"])
        #expect(plan.steps.map { $0.targets.map(\.address) } == [
            ["+15551111111", "+15551111112"], ["+15552222221", "+15552222222"], ["+15554444442", "+15554444441"],
        ])
        #expect(plan.steps.map(\.confirm) == [false, true, false])
        #expect(plan.steps.map(\.callerID) == [.caller, .caller, .number])
        #expect(plan.steps.map { $0.targets[0].timeout } == [10, 20, 20])
        #expect(plan.voicemail == VoicemailPlan(greeting: "A.", maxLength: 120))
        #expect(outcome.records.map(\.pool) == ["a"])
        #expect(outcome.records.map(\.member) == ["+15551111111"])
    }

    @Test func openPoolRingsAsUsual() throws {
        let engine = try officeRoutes(closed: #"{"action": "voicemail"}"#)
        let request = RouteRequest.call(at: monday10am)
        #expect(engine.stateQuery(for: request)?.pools == ["sales": .position, "support": []])
        #expect(try callPlan(decide(engine, request)).steps.map(\.pool) == ["sales", "support"])
    }

    @Test func closedWithVoicemailGoesStraightToVoicemail() throws {
        let engine = try officeRoutes(closed: #"{"action": "voicemail"}"#)
        let request = RouteRequest.call(at: monday8pm)
        #expect(engine.stateQuery(for: request) == nil)
        #expect(decide(engine, request) == RouteOutcome(plan: .call(CallPlan(greeting: "Hi.", voicemail: VoicemailPlan())), records: []))
    }

    @Test func closedWithMessagePlaysItAndHangsUp() throws {
        let engine = try officeRoutes(closed: #"{"action": "message", "message": "We open at nine."}"#)
        let request = RouteRequest.call(at: monday8pm)
        #expect(engine.stateQuery(for: request) == nil)
        #expect(decide(engine, request) == RouteOutcome(plan: .call(CallPlan(greeting: "Hi.", closedMessage: "We open at nine.")),
                                                      records: []))
    }

    @Test func closedWithPoolHandsOverToThatPoolAndItsOverflow() throws {
        let engine = try officeRoutes(closed: #"{"action": "pool", "pool": "night"}"#)
        let request = RouteRequest.call(at: monday8pm)
        #expect(engine.stateQuery(for: request)?.pools == ["night": .lastOffered, "backup": .position])
        let outcome = decide(engine, request, states: ["night": PoolState(lastOffered: ["+15553333331": monday10am])])
        let plan = try callPlan(outcome)
        #expect(plan.steps.map(\.pool) == ["night", "backup"])
        #expect(plan.steps[0].targets.map(\.address) == ["+15553333332", "+15553333331"])
        #expect(plan.voicemail == VoicemailPlan(greeting: "Night voicemail.", maxLength: 60))
        #expect(outcome.records.map(\.pool) == ["night"])
        #expect(outcome.records.map(\.member) == ["+15553333332"])
    }

    @Test func closedPoolThatIsAlsoClosedFollowsItsOwnAction() throws {
        var routes = try loadRoutes(specExample)
        let utc = testZones.zone(named: "UTC")!
        routes.pools["sales"]?.hours = Hours(timeZone: utc, open: [:], closed: .pool("support"))
        routes.pools["support"]?.hours = Hours(timeZone: utc, open: [:], closed: .message("Gone fishing."))
        let outcome = decide(RoutingEngine(routes: routes), .call())
        #expect(try callPlan(outcome).closedMessage == "Gone fishing.")
    }

    @Test func poolWithoutVoicemailHasNoVoicemailPlan() throws {
        let engine = RoutingEngine(routes: .single(Pool(name: "p", members: [Member(address: "+15551111111")], voicemail: nil)))
        #expect(try callPlan(decide(engine, .call())).voicemail == nil)
    }

    @Test func feedingRecordsBackRotatesThroughEveryMember() throws {
        let engine = RoutingEngine(routes: try loadRoutes(specExample))
        var state = PoolState()
        var firsts: [String] = []
        for index in 0..<9 {
            var request = RouteRequest.call()
            request.id = "call-\(index)"
            let outcome = decide(engine, request, states: ["sales": state])
            let record = try #require(outcome.records.first)
            firsts.append(record.member)
            state.lastMember = record.member
        }
        #expect(firsts == Array(repeating: ["+15551111111", "+15551111112", "+15551111113"], count: 3).flatMap { $0 })
    }

    @Test func everyRequestGetsAtMostOneRecordForTheFirstTarget() throws {
        let routes = try loadRoutes(specExample)
        let engine = RoutingEngine(routes: routes)
        var random = SeededGenerator(seed: 31)
        let numbers = ["+15550000001", "+15550000002", "+18005550100"]
        for index in 0..<1000 {
            let channel = Channel.allCases.randomElement(using: &random)!
            let request = RouteRequest(channel: channel, id: "r\(index)", from: "+15557654321",
                                       to: numbers.randomElement(using: &random)!, now: Date(), body: "x")
            let members = routes.pools.values.flatMap(\.members).map(\.address)
            let state = PoolState(lastMember: members.randomElement(using: &random))
            let outcome = engine.decide(request, states: ["sales": state, "support": state], random: &random)
            #expect(outcome.records.count == 1)
            switch outcome.plan {
            case .call(let plan): #expect(outcome.records.first?.member == plan.steps.first?.targets.first?.address)
            case .message(let messages): #expect(outcome.records.first?.member == messages.first?.to)
            default: Issue.record("unexpected \(outcome.plan)")
            }
        }
    }
}
