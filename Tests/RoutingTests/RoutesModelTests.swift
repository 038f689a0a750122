import Foundation
import Testing
@testable import Routing

@Suite("routes.json model")
struct RoutesModelTests {
    private let fullDocument = """
    {
      "numbers": {
        "+15550000001": { "voice": "sales", "sms": "sales", "greeting": "Thanks for calling Acme sales." },
        "+15550000003": { "voice": "sales", "sms": null }
      },
      "pools": {
        "sales": {
          "members": ["+15551111111", { "number": "+15551111113", "name": "Ann", "weight": 3, "enabled": false },
                      "sip:bob@example.sip.signalwire.com"],
          "strategy": "random",
          "ring_timeout": 15,
          "confirm": true,
          "caller_id": "number",
          "voicemail": { "greeting": "Leave a message.", "max_length": 300 },
          "hours": {
            "timezone": "America/New_York",
            "open": { "mon": "09:00-17:00", "tue": ["13:00-17:00", "09:00-12:00"], "sat": [] },
            "closed": { "action": "pool", "pool": "night" }
          },
          "overflow": "support",
          "sticky": true
        },
        "support": { "members": ["+15552222221"], "voicemail": false },
        "night": { "members": ["+15553333331"], "voicemail": true,
                   "hours": { "timezone": "UTC", "open": { "sun": "00:00-24:00" }, "closed": { "action": "message", "message": "Closed." } } }
      },
      "default": { "voice": "support" }
    }
    """

    @Test func decodesEveryField() throws {
        let routes = try loadRoutes(fullDocument)
        #expect(routes.numbers["+15550000001"] == NumberRoute(voice: "sales", sms: "sales", greeting: "Thanks for calling Acme sales."))
        #expect(routes.numbers["+15550000003"] == NumberRoute(voice: "sales"))
        #expect(routes.defaultRoute == NumberRoute(voice: "support"))
        let sales = try #require(routes.pools["sales"])
        #expect(sales.members == [
            Member(address: "+15551111111"),
            Member(address: "+15551111113", name: "Ann", weight: 3, enabled: false),
            Member(address: "sip:bob@example.sip.signalwire.com"),
        ])
        #expect(sales.strategy == .random)
        #expect(sales.ringTimeout == 15)
        #expect(sales.confirm)
        #expect(sales.callerID == .number)
        #expect(sales.voicemail == VoicemailConfig(greeting: "Leave a message.", maxLength: 300))
        #expect(sales.overflow == "support")
        #expect(sales.sticky)
        let hours = try #require(sales.hours)
        #expect(hours.timeZone.identifier == "America/New_York")
        #expect(hours.open[.mon] == [TimeRange(start: 540, end: 1020)])
        #expect(hours.open[.tue] == [TimeRange(start: 540, end: 720), TimeRange(start: 780, end: 1020)])
        #expect(hours.open[.sat] == [])
        #expect(hours.open[.sun] == nil)
        #expect(hours.closed == .pool("night"))
        #expect(routes.pools["support"]?.voicemail == nil)
        #expect(routes.pools["night"]?.voicemail == VoicemailConfig())
        #expect(routes.pools["night"]?.hours?.closed == .message("Closed."))
    }

    @Test func appliesDefaults() throws {
        let routes = try loadRoutes(#"{"default": {"voice": "a"}, "pools": {"a": {"members": ["+15551111111"]}}}"#)
        let pool = try #require(routes.pools["a"])
        #expect(pool == Pool(name: "a", members: [Member(address: "+15551111111")]))
        #expect(pool.strategy == .roundRobin)
        #expect(pool.ringTimeout == 20)
        #expect(!pool.confirm)
        #expect(pool.callerID == .caller)
        #expect(pool.voicemail == VoicemailConfig(greeting: VoicemailConfig.defaultGreeting, maxLength: 120))
        #expect(pool.hours == nil && pool.overflow == nil && !pool.sticky)
    }

    @Test func closedActionDefaultsToVoicemail() throws {
        let routes = try loadRoutes("""
        {"default": {"voice": "a"}, "pools": {"a": {"members": ["+15551111111"], "hours": {"timezone": "Europe/Berlin", "open": {}}}}}
        """)
        #expect(routes.pools["a"]?.hours?.closed == .voicemail)
    }

    @Test func routeFallsBackToDefault() throws {
        let routes = try loadRoutes(fullDocument)
        #expect(routes.route(for: "+15550000001")?.voice == "sales")
        #expect(routes.route(for: "+19998887777") == NumberRoute(voice: "support"))
        #expect(routes.route(for: "+15550000003")?.pool(for: .sms) == nil)
    }

    @Test func stateNeedsFollowStrategyAndStickiness() {
        let expected: [Strategy: StateNeeds] = [
            .roundRobin: .position, .sequential: [], .simultaneous: [], .random: [],
            .leastRecent: .lastOffered, .fewestCalls: .recentCounts,
        ]
        for strategy in Strategy.allCases {
            let pool = Pool(name: "p", members: [], strategy: strategy)
            #expect(pool.stateNeeds == expected[strategy])
            var sticky = pool
            sticky.sticky = true
            #expect(sticky.stateNeeds == expected[strategy]!.union(.sticky))
        }
    }

    @Test(arguments: [
        ("+15551234567", true), ("+1555123", true), ("+123456789012345", true), ("+1234567890123456", false),
        ("+155512", false), ("+05551234567", false), ("15551234567", false), ("+1555123456a", false), ("", false),
    ])
    func e164(_ text: String, valid: Bool) {
        #expect(Address.isE164(text) == valid)
    }

    @Test(arguments: [
        ("sip:bob@example.com", true), ("sip:example.com", true), ("sip:", false), ("sip:@example.com", false),
        ("sip:bob@", false), ("sip:bob smith@example.com", false), ("sips:bob@example.com", false), ("tel:+1555", false),
    ])
    func sipURI(_ text: String, valid: Bool) {
        #expect(Address.isSIP(text) == valid)
    }

    @Test func suggestsCloseKeys() {
        let known = RoutesDecoder.poolKeys
        #expect(KeySuggestion.closest(to: "stratgy", among: known) == "strategy")
        #expect(KeySuggestion.closest(to: "RingTimeout", among: known) == "ring_timeout")
        #expect(KeySuggestion.closest(to: "timeout", among: known) == "ring_timeout")
        #expect(KeySuggestion.closest(to: "member", among: known) == "members")
        #expect(KeySuggestion.closest(to: "colour", among: known) == nil)
        #expect(KeySuggestion.editDistance(Array("slaes"), Array("sales")) == 1)
        #expect(KeySuggestion.editDistance(Array(""), Array("abc")) == 3)
        #expect(KeySuggestion.editDistance(Array("kitten"), Array("sitting")) == 3)
    }
}

@Suite("routes.json documentation")
struct RoutesDocumentationTests {
    /// The example in `Routes`' doc comment (copied into the README) must validate.
    @Test func documentedExampleValidates() throws {
        let source = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Routing/Model/Routes.swift")
        let lines = try String(contentsOf: source, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex { $0.hasPrefix("/// ```json") })
        let end = try #require(lines[(start + 1)...].firstIndex { $0.hasPrefix("/// ```") })
        let example = lines[(start + 1)..<end].map { $0.dropFirst(4) }.joined(separator: "\n")
        let routes = try loadRoutes(example)
        #expect(routes.summary == "routes.json ok: 2 numbers, 2 pools, 5 members, default voice=support sms=support")
        #expect(routes.pools["sales"]?.hours?.closed == .message("We are open weekdays from nine to five."))
    }
}
