import Foundation
import Testing
@testable import Routing

/// Who is on duty: paused members and member shifts in every strategy, pools with nobody on duty
/// closed, holidays in the pool's zone across DST, and the OFF / ON texts.
@Suite struct DutyTests {
    static let members = (1...4).map { Member(address: "+1555111111\($0)", name: "M\($0)") }
    static let now = date("2026-03-04T15:00:00Z")  // Wednesday, 10:00 in New York
    static let newYork = testZones.zone(named: "America/New_York")!

    static func request(_ channel: Channel = .voice, to: String = "+15550000001", paused: [String: [String: Date?]] = [:],
                        at now: Date = now, from: String = "+12135550123", body: String = "") -> RouteRequest {
        RouteRequest(channel: channel, id: "x", from: from, to: to, now: now, body: body, availability: Availability(paused: paused))
    }

    static func order(_ pool: Pool, _ request: RouteRequest, state: PoolState = PoolState()) -> [String] {
        var random = SeededGenerator(seed: 7)
        return pool.order(state: state, channel: request.channel, random: &random, for: request).map { $0.name ?? "" }
    }

    @Test(arguments: Strategy.allCases)
    func aPausedMemberIsNeverOfferedWhateverTheStrategy(_ strategy: Strategy) {
        let pool = Pool(name: "p", members: Self.members, strategy: strategy, sticky: true)
        let state = PoolState(lastMember: Self.members[0].address, lastOffered: [Self.members[2].address: Self.now],
                              recentCounts: [Self.members[0].address: 9], stickyMember: Self.members[1].address,
                              conversationMember: Self.members[1].address)
        for channel in Channel.allCases {
            let paused = Self.request(channel, paused: ["p": [Self.members[1].address: nil, Self.members[3].address: Self.now + 60]])
            let ordered = Self.order(pool, paused, state: state)
            #expect(Set(ordered) == ["M1", "M3"], "\(strategy) \(channel): \(ordered)")
            // A pause whose time is up is over; another pool's pause is not this pool's.
            let later = Self.request(channel, paused: ["p": [Self.members[3].address: Self.now - 1], "q": [Self.members[0].address: nil]])
            #expect(Self.order(pool, later, state: state).count == 4, "\(strategy) \(channel)")
        }
    }

    @Test(arguments: Strategy.allCases)
    func aMemberOffShiftIsNeverOfferedWhateverTheStrategy(_ strategy: Strategy) {
        var members = Self.members
        // M2 works mornings, M3 Thursdays only.
        members[1].hours = Hours(timeZone: Self.newYork, open: Dictionary(uniqueKeysWithValues: Weekday.allCases.map { ($0, [TimeRange(parsing: "06:00-09:30")!]) }))
        members[2].hours = Hours(timeZone: Self.newYork, open: [.thu: [TimeRange(parsing: "00:00-24:00")!]])
        let pool = Pool(name: "p", members: members, strategy: strategy)
        #expect(Set(Self.order(pool, Self.request())) == ["M1", "M4"], "\(strategy)")
        #expect(Set(Self.order(pool, Self.request(at: date("2026-03-04T14:00:00Z")))) == ["M1", "M2", "M4"], "09:00 in New York")
        #expect(Set(Self.order(pool, Self.request(at: date("2026-03-05T15:00:00Z")))) == ["M1", "M3", "M4"], "Thursday")
    }

    @Test func roundRobinPassesOverAPausedMemberAndComesBackAfter() {
        let pool = Pool(name: "p", members: Self.members)
        let paused = Self.request(paused: ["p": [Self.members[1].address: nil]])
        #expect(Self.order(pool, paused, state: PoolState(lastMember: Self.members[0].address)) == ["M3", "M4", "M1"])
        // The paused member was last: their place still counts.
        #expect(Self.order(pool, paused, state: PoolState(lastMember: Self.members[1].address)) == ["M3", "M4", "M1"])
        #expect(Self.order(pool, Self.request(), state: PoolState(lastMember: Self.members[0].address)) == ["M2", "M3", "M4", "M1"])
    }

    static func engine(closed: String = #"{ "action": "voicemail" }"#, extra: String = "") throws -> RoutingEngine {
        RoutingEngine(routes: try loadRoutes("""
        {
          "numbers": { "+15550000001": { "voice": "sales", "sms": "sales" } },
          "pools": {
            "sales": { "members": ["+15551111111", "+15551111112"], "overflow": "support", \(extra)
                       "hours": { "timezone": "America/New_York", "open": { "mon": "00:00-24:00", "tue": "00:00-24:00", "wed": "00:00-24:00" },
                                  "closed": \(closed) } },
            "support": { "members": ["+15552222221"] },
            "night": { "members": ["+15553333331"] }
          }
        }
        """))
    }

    static let allSales: [String: [String: Date?]] = ["sales": ["+15551111111": nil, "+15551111112": nil]]

    @Test func aPoolWithEveryMemberPausedFollowsItsClosedAction() throws {
        var random = SeededGenerator(seed: 1)
        // Voicemail: no ring step, the pool's voicemail.
        let voicemail = try Self.engine().decide(Self.request(paused: Self.allSales), states: [:], random: &random)
        guard case .call(let plan) = voicemail.plan else { Issue.record("\(voicemail.plan)"); return }
        #expect(plan.steps.isEmpty && plan.voicemail != nil && voicemail.records.isEmpty)
        #expect(try Self.engine().unrung(Self.request(paused: Self.allSales))?.closed == true)
        // A message.
        let message = try Self.engine(closed: #"{ "action": "message", "message": "Nobody is in." }"#)
            .decide(Self.request(paused: Self.allSales), states: [:], random: &random)
        #expect(message.plan == .call(CallPlan(closedMessage: "Nobody is in.")))
        // Another pool: calls and texts go there, and nobody paused is rung.
        let handOver = try Self.engine(closed: #"{ "action": "pool", "pool": "night" }"#)
        for channel in Channel.allCases {
            let outcome = handOver.decide(Self.request(channel, paused: Self.allSales), states: [:], random: &random)
            #expect(outcome.records.map(\.pool) == ["night"], "\(channel)")
        }
        // One member paused: the other is rung, then the overflow.
        let one = try Self.engine().decide(Self.request(paused: ["sales": ["+15551111111": nil]]), states: [:], random: &random)
        guard case .call(let ringing) = one.plan else { return }
        #expect(ringing.steps.map { $0.targets.map(\.address) } == [["+15551111112"], ["+15552222221"]])
        #expect(try Self.engine().explain(Self.request(paused: Self.allSales)).contains("sales: closed: nobody on duty (2 paused, 0 off shift, 0 disabled)"))
    }

    @Test func anOverflowPoolWithNobodyOnDutyIsSkipped() throws {
        var random = SeededGenerator(seed: 1)
        let outcome = try Self.engine().decide(Self.request(paused: ["support": ["+15552222221": nil]]), states: [:], random: &random)
        guard case .call(let plan) = outcome.plan else { return }
        #expect(plan.steps.map(\.pool) == ["sales"])
    }

    @Test func aTextToAPoolWithNobodyOnDutyGetsTheClosedReplyAndIsForwardedToNobody() throws {
        var random = SeededGenerator(seed: 1)
        let engine = try Self.engine(closed: #"{ "action": "voicemail", "sms_reply": "We are away." }"#)
        let outcome = engine.decide(Self.request(.sms, paused: Self.allSales, body: "hi"), states: [:], random: &random)
        #expect(outcome.plan == .message([OutboundMessage(to: "+12135550123", from: "+15550000001", body: "We are away.")]))
        #expect(outcome.records.isEmpty)
        let silent = try Self.engine().decide(Self.request(.sms, paused: Self.allSales, body: "hi"), states: [:], random: &random)
        #expect(silent.plan == .drop)
    }

    // MARK: Holidays

    @Test func dayRangesParseDatesAndRanges() {
        #expect(DayRange(parsing: "1970-01-01") == DayRange(first: 0, last: 0))
        #expect(DayRange(parsing: "2000-03-01") == DayRange(first: 11017, last: 11017))
        #expect(DayRange(parsing: "2026-12-24/2026-12-26").map { $0.last - $0.first } == 2)
        #expect(DayRange(parsing: "2024-02-29") != nil)
        for bad in ["2026-02-29", "2026-13-01", "2026-12-26/2026-12-24", "2026-1-01", "26-12-25", "2026-12-25/", "tomorrow", ""] {
            #expect(DayRange(parsing: bad) == nil, "\(bad)")
        }
        // Against Foundation's calendar, every 37th day over 60 years.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for day in stride(from: Int64(-3000), to: 20000, by: 37) {
            let date = Date(timeIntervalSince1970: TimeInterval(day * 86_400))
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            let text = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
            #expect(DayRange(parsing: text)?.first == day, "\(text)")
        }
    }

    /// New York's DST began on 2026-03-08 (a 23-hour day); a holiday then is that local day, whole.
    @Test func aHolidayIsTheWholeLocalDayAcrossDSTAndZones() throws {
        let routes = try loadRoutes("""
        {
          "numbers": { "+15550000001": { "voice": "ny" }, "+15550000002": { "voice": "sydney" } },
          "pools": {
            "ny": { "members": ["+15551111111"], "holidays": ["2026-03-08", "2026-11-01/2026-11-02"],
                    "hours": { "timezone": "America/New_York", "open": { "sun": "00:00-24:00", "mon": "00:00-24:00" } } },
            "sydney": { "members": ["+15551111112"], "holidays": ["2026-04-05"],
                        "hours": { "timezone": "Australia/Sydney", "open": { "sun": "00:00-24:00", "sat": "00:00-24:00" } } }
          }
        }
        """)
        let ny = try #require(routes.pools["ny"]?.hours)
        #expect(ny.isOpen(at: date("2026-03-08T04:59:59Z")) == false, "Saturday 23:59 EST: not open on Saturdays")
        #expect(!ny.isOpen(at: date("2026-03-08T05:00:00Z")), "the holiday's first second, 00:00 EST")
        #expect(!ny.isOpen(at: date("2026-03-09T03:59:59Z")), "its last, 23:59:59 EDT")
        #expect(ny.isOpen(at: date("2026-03-09T04:00:00Z")), "Monday 00:00 EDT")
        #expect(ny.isOpen(at: date("2026-03-01T12:00:00Z")), "an ordinary Sunday")
        // The range: Sunday 1 November (DST ends: a 25-hour day) and Monday 2.
        #expect(!ny.isOpen(at: date("2026-11-01T04:00:00Z")) && !ny.isOpen(at: date("2026-11-02T04:59:59Z")))
        #expect(!ny.isOpen(at: date("2026-11-03T04:59:59Z")), "Monday 23:59:59 EST")
        #expect(ny.isHoliday(at: date("2026-11-02T12:00:00Z")) && !ny.isHoliday(at: date("2026-11-03T12:00:00Z")))
        // Sydney's DST ended on 5 April 2026 (03:00 AEDT -> 02:00 AEST): that local day, whole.
        let sydney = try #require(routes.pools["sydney"]?.hours)
        #expect(sydney.isOpen(at: date("2026-04-04T12:59:59Z")), "Saturday 23:59:59 AEDT")
        #expect(!sydney.isOpen(at: date("2026-04-04T13:00:00Z")), "Sunday 00:00 AEDT")
        #expect(!sydney.isOpen(at: date("2026-04-05T13:59:59Z")), "Sunday 23:59:59 AEST")
        #expect(RoutingEngine(routes: routes).explain(Self.request(to: "+15550000001", at: date("2026-03-08T15:00:00Z")))
            .contains("ny: closed: a holiday, sun 11:00 America/New_York"))
    }

    @Test func holidaysShiftsAndKeywordsAreValidatedWithPaths() {
        func messages(_ pool: String) -> [String] {
            problems(#"{ "numbers": { "+15550000001": { "voice": "p" } }, "pools": { "p": \#(pool) } }"#).map { "\($0.path): \($0.message)" }
        }
        #expect(messages(#"{ "members": ["+15551111111"], "holidays": ["2026-12-25"] }"#).first?.hasPrefix("pools.p.holidays: holidays are days in the pool's time zone") == true)
        #expect(messages(#"{ "members": ["+15551111111"], "holidays": ["2026-12-32"], "hours": { "timezone": "UTC", "open": {} } }"#)
            .first?.hasPrefix("pools.p.holidays[0]: \"2026-12-32\" is not a date") == true)
        #expect(messages(#"{ "members": ["+15551111111"], "holidays": "2026-12-25", "hours": { "timezone": "UTC", "open": {} } }"#)
            .first?.hasPrefix("pools.p.holidays: expected a list of dates") == true)
        #expect(messages(#"{ "members": [{ "number": "+15551111111", "hours": { "timezone": "UTC", "open": {}, "closed": { "action": "voicemail" } } }] }"#)
            .first?.hasPrefix("pools.p.members[0].hours.closed") == true, "a shift has no closed action")
        #expect(messages(#"{ "members": [{ "number": "+15551111111", "hours": { "timezone": "Mars/Olympus", "open": {} } }] }"#)
            .first?.hasPrefix("pools.p.members[0].hours.timezone") == true)
        #expect(messages(#"{ "members": ["+15551111111"], "max_no_answer": 0 }"#).first?.hasPrefix("pools.p.max_no_answer") == true)
        #expect(messages(#"{ "members": ["+15551111111"], "duty_keywords": { "off": "BREAK", "on": ["BACK", "break"] } }"#)
            == [#"pools.p.duty_keywords: "BREAK" is both an off and an on keyword"#])
        #expect(messages(#"{ "members": ["+15551111111"], "duty_keywords": { "off": "go away" } }"#)
            .first?.hasPrefix("pools.p.duty_keywords.off: expected one word") == true)
        #expect(messages(#"{ "members": ["+15551111111"], "max_no_answer": 3, "duty_keywords": { "off": ["OFF", "BREAK"] } }"#).isEmpty)
    }

    // MARK: OFF and ON

    @Test func aMemberTextingOffOrOnToAPoolNumberIsADutyChangeForTheirPools() throws {
        let engine = try Self.engine(closed: #"{ "action": "pool", "pool": "night" }"#)
        let off = engine.dutyChange(in: Self.request(.sms, from: "+15551111112", body: " off\n"))
        #expect(off == DutyChange(off: true, member: "+15551111112", pools: ["sales"], undo: "ON"))
        #expect(engine.dutyChange(in: Self.request(.sms, from: "+15551111112", body: "On")) ==
            DutyChange(off: false, member: "+15551111112", pools: ["sales"], undo: "OFF"))
        // A member of the overflow and of the closed-hours pool, through the same number.
        #expect(engine.dutyChange(in: Self.request(.sms, from: "+15552222221", body: "OFF"))?.pools == ["support"])
        #expect(engine.dutyChange(in: Self.request(.sms, from: "+15553333331", body: "OFF"))?.pools == ["night"])
        // Not a member, not the word, not a text, not a pool number: none.
        #expect(engine.dutyChange(in: Self.request(.sms, from: "+12135550123", body: "OFF")) == nil)
        #expect(engine.dutyChange(in: Self.request(.sms, from: "+15551111112", body: "off to lunch")) == nil)
        #expect(engine.dutyChange(in: Self.request(.voice, from: "+15551111112", body: "OFF")) == nil)
        #expect(engine.dutyChange(in: Self.request(.sms, to: "+15559999999", from: "+15551111112", body: "OFF")) == nil)
        // Configured words replace the defaults.
        let custom = try Self.engine(extra: #""duty_keywords": { "off": ["BREAK", "PAUSE"], "on": "BACK" },"#)
        #expect(custom.dutyChange(in: Self.request(.sms, from: "+15551111111", body: "pause"))?.undo == "BACK")
        #expect(custom.dutyChange(in: Self.request(.sms, from: "+15551111111", body: "OFF")) == nil)
    }
}
