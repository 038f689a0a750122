import Foundation
import Testing
@testable import Routing

/// `switchboard route`'s account of a decision: the rule, the pool, the hours as the pool's clock
/// reads them, the overflow chain, and the result.
@Suite struct EngineExplainTests {
    let engine: RoutingEngine

    init() throws {
        engine = RoutingEngine(routes: try loadRoutes("""
        {
          "numbers": {
            "+15550000001": { "voice": "sales", "sms": "sales" },
            "+15550000002": { "voice": "night" },
            "+15550000003": { "sms": "sales" }
          },
          "pools": {
            "sales": { "members": ["+15551111111", "+15551111112"], "overflow": "support",
                       "hours": { "timezone": "America/New_York", "open": { "mon": "09:00-17:00" }, "closed": { "action": "pool", "pool": "night" } } },
            "support": { "members": ["+15552222221"], "strategy": "sequential",
                         "hours": { "timezone": "Europe/Berlin", "open": { "mon": "09:00-12:00" }, "closed": { "action": "message", "message": "Closed." } } },
            "night": { "members": ["+15553333331"], "strategy": "simultaneous",
                       "hours": { "timezone": "UTC", "open": { "sat": "00:00-24:00", "mon": "14:00-15:00" }, "closed": { "action": "voicemail" } } }
          },
          "default": { "voice": "support" }
        }
        """))
    }

    func explain(_ channel: Channel = .voice, to: String, at time: String) -> [String] {
        engine.explain(RouteRequest(channel: channel, id: "x", from: "+12135550123", to: to, now: date(time)))
    }

    @Test func anOpenPoolRingsWithItsOverflowOpenOrSkipped() {
        // Monday 10:00 in New York is 16:00 in Berlin: support is closed, so skipped.
        #expect(explain(to: "+15550000001", at: "2026-03-02T15:00:00Z") == [
            "+15550000001: its own entry in routes.json",
            "calls go to pool sales",
            "sales: open (mon 10:00 America/New_York)",
            "result: rings pool sales (round_robin)",
            "overflow pool support skipped: closed: outside hours, mon 16:00 Europe/Berlin",
        ])
        // Tuesday is closed in New York: the closed action hands the call to night, closed too.
        #expect(explain(to: "+15550000001", at: "2026-03-03T15:00:00Z") == [
            "+15550000001: its own entry in routes.json",
            "calls go to pool sales",
            "sales: closed: outside hours, tue 10:00 America/New_York",
            "sales: closed action hands calls to pool night",
            "night: closed: outside hours, tue 15:00 UTC",
            "result: closed: night's voicemail",
        ])
    }

    @Test func theDefaultRouteAndAClosedMessage() {
        #expect(explain(to: "+15559999999", at: "2026-03-02T08:30:00Z") == [
            "+15559999999: not in routes.json, so the default route",
            "calls go to pool support",
            "support: open (mon 09:30 Europe/Berlin)",
            "result: rings pool support (sequential)",
        ])
        #expect(explain(to: "+15559999999", at: "2026-03-02T12:30:00Z").suffix(2) == [
            "support: closed: outside hours, mon 13:30 Europe/Berlin",
            "result: closed: support's closed message, then hang up",
        ])
    }

    @Test func textsAreForwardedEvenWhenThePoolIsClosedOrSayWhyNot() {
        #expect(explain(.sms, to: "+15550000003", at: "2026-03-07T12:00:00Z") == [
            "+15550000003: its own entry in routes.json",
            "texts go to pool sales",
            "sales: closed: outside hours, sat 07:00 America/New_York",
            "sales: closed action hands texts to pool night",
            "night: open (sat 12:00 UTC)",
            "result: forwarded to pool night (all at once)",
        ])
        #expect(explain(.sms, to: "+15550000002", at: "2026-03-07T12:00:00Z") == [
            "+15550000002: its own entry in routes.json",
            "no pool for texts to this number: result: no reply, nothing forwarded",
        ])
        let bare = RoutingEngine(routes: Routes(numbers: [:], pools: [:], defaultRoute: nil))
        #expect(bare.explain(RouteRequest(channel: .voice, id: "x", from: "+1", to: "+15550000009", now: Date())) == [
            "+15550000009: not in routes.json, and there is no default route: result: not in service",
        ])
    }

    @Test func aTextToAClosedPoolThatDoesNotHandOverIsStillForwarded() {
        // support closes with a message: a text is forwarded anyway.
        let routes = engine.routes
        var withText = routes
        withText.numbers["+15550000004"] = NumberRoute(voice: nil, sms: "support")
        let explained = RoutingEngine(routes: withText).explain(
            RouteRequest(channel: .sms, id: "x", from: "+1", to: "+15550000004", now: date("2026-03-07T12:00:00Z")))
        #expect(explained.last == "result: forwarded to pool support (sequential), though it is closed: a text waits for whoever reads it")
        // Open all week, support is the overflow rung after sales.
        withText.pools["support"]?.hours = nil
        #expect(RoutingEngine(routes: withText).explain(
            RouteRequest(channel: .voice, id: "x", from: "+1", to: "+15550000001", now: date("2026-03-02T15:00:00Z"))).suffix(2) == [
            "result: rings pool sales (round_robin)", "then overflow pool support",
        ])
    }
}
