import Foundation
import Testing
@testable import Routing

/// A deterministic generator (SplitMix64) so strategy tests repeat exactly.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The README's routes.json example, which must always validate.
let specExample = """
{
  "numbers": {
    "+15550000001": { "voice": "sales", "sms": "sales", "greeting": "Thanks for calling Acme sales." },
    "+15550000002": { "voice": "support", "sms": "support" }
  },
  "pools": {
    "sales":   { "members": ["+15551111111", "+15551111112", "+15551111113"], "strategy": "round_robin", "ring_timeout": 20 },
    "support": { "members": ["+15552222221", {"number": "sip:bob@example.sip.signalwire.com", "name": "Bob"}] }
  },
  "default": { "voice": "support", "sms": "support" }
}
"""

/// The time zones Routing's tests use, as POSIX rules: the same on every host, with or without tzdata.
let testZones = RuleZones([
    "UTC": "UTC0",
    "America/New_York": "EST5EDT,M3.2.0,M11.1.0",
    "America/Los_Angeles": "PST8PDT,M3.2.0,M11.1.0",
    "Europe/London": "GMT0BST,M3.5.0/1,M10.5.0",
    "Europe/Berlin": "CET-1CEST,M3.5.0,M10.5.0/3",
    "Australia/Sydney": "AEST-10AEDT,M10.1.0,M4.1.0/3",
    "Asia/Kolkata": "IST-5:30",
])

/// Loads routes from a string, failing the test with every problem when it does not validate.
func loadRoutes(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Routes {
    switch RoutesLoader.load(Array(text.utf8), zones: testZones) {
    case .success(let routes):
        return routes
    case .failure(let error):
        Issue.record("routes did not validate:\n\(error)", sourceLocation: sourceLocation)
        throw error
    }
}

/// The problems of a document expected not to validate (empty when it unexpectedly does).
func problems(_ text: String) -> [RoutesProblem] {
    switch RoutesLoader.load(Array(text.utf8), zones: testZones) {
    case .success: []
    case .failure(let error): error.problems
    }
}

/// `+1555000NNNN`-style member numbers for generated pools.
func memberNumber(_ index: Int) -> String {
    "+1555" + String(1_000_000 + index)
}

/// A UTC date from ISO 8601 text (`2025-03-10T14:00:00Z`).
func date(_ text: String) -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.date(from: text)!
}

extension Routes {
    /// One number routed to one pool for both channels.
    static func single(_ pool: Pool, number: String = "+15550000001", greeting: String? = nil) -> Routes {
        Routes(numbers: [number: NumberRoute(voice: pool.name, sms: pool.name, greeting: greeting)],
               pools: [pool.name: pool])
    }
}

extension RouteRequest {
    static func call(to: String = "+15550000001", from: String = "+15557654321", at now: Date = Date(timeIntervalSince1970: 1_750_000_000)) -> RouteRequest {
        RouteRequest(channel: .voice, id: "call-1", from: from, to: to, now: now)
    }

    static func text(to: String = "+15550000001", from: String = "+15557654321", body: String = "hello",
                     media: [String] = [], at now: Date = Date(timeIntervalSince1970: 1_750_000_000)) -> RouteRequest {
        RouteRequest(channel: .sms, id: "SM1", from: from, to: to, now: now, body: body, mediaURLs: media)
    }
}
