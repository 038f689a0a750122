// The invariants of the `routes` fuzz target, in one place: fuzz/run.sh compiles this file into the
// libFuzzer harness with `-D FUZZ` (so only the invariants below are built), and `make test` runs them
// over every committed seed (fuzz/corpus/routes/) and crash input (fuzz/regressions/routes/).
#if !FUZZ
import Foundation
import Testing
import TestSupport
import Routing
#endif

/// What must hold for any bytes handed to `RoutesLoader.load`.
enum RoutesFuzzInvariants {
    /// Every broken invariant, described; empty when all hold.
    static func violations(_ bytes: [UInt8]) -> [String] {
        let result = RoutesLoader.load(bytes)
        guard result == RoutesLoader.load(bytes) else { return ["loading twice gives different results"] }
        switch result {
        case .failure(let error):
            if error.problems.isEmpty { return ["a failure without problems"] }
            return error.problems.filter { $0.message.isEmpty }.map { "a problem without a message at \($0.path)" }
        case .success(let routes):
            return check(routes)
        }
    }

    /// What validation promises about routes it accepts.
    static func check(_ routes: Routes) -> [String] {
        var problems: [String] = []
        if routes.summary.isEmpty { problems.append("empty summary") }
        let named = routes.numbers.map { ($0.key, $0.value) } + (routes.defaultRoute.map { [("default", $0)] } ?? [])
        for (number, route) in named {
            if number != "default", !Address.isE164(number) { problems.append("number \(number) is not E.164") }
            for pool in [route.voice, route.sms].compactMap({ $0 }) where routes.pools[pool] == nil {
                problems.append("\(number) names a missing pool \(pool)")
            }
        }
        for (name, pool) in routes.pools {
            if !Pool.ringTimeoutRange.contains(pool.ringTimeout) { problems.append("\(name): ring_timeout \(pool.ringTimeout)") }
            if let voicemail = pool.voicemail, !VoicemailConfig.maxLengthRange.contains(voicemail.maxLength) {
                problems.append("\(name): voicemail max_length \(voicemail.maxLength)")
            }
            for member in pool.members {
                if !(Address.isE164(member.address) || Address.isSIP(member.address)) {
                    problems.append("\(name): member \(member.address) is neither E.164 nor sip:")
                }
                if member.weight < 1 { problems.append("\(name): member \(member.address) has weight \(member.weight)") }
                if routes.numbers[member.address] != nil { problems.append("\(name): member \(member.address) is routed here") }
            }
            problems += chainProblems(from: name, in: routes, kind: "overflow") { $0.overflow }
            problems += chainProblems(from: name, in: routes, kind: "closed-hours") {
                if case .pool(let next) = $0.hours?.closed { next } else { nil }
            }
        }
        return problems
    }

    /// Following `next` from `start` reaches only existing pools and ends (no cycle).
    static func chainProblems(from start: String, in routes: Routes, kind: String, next: (Pool) -> String?) -> [String] {
        var seen: Set = [start]
        var current = start
        while let pool = routes.pools[current], let following = next(pool) {
            if routes.pools[following] == nil { return ["\(kind) of \(current) names a missing pool \(following)"] }
            if !seen.insert(following).inserted { return ["\(kind) cycle through \(start)"] }
            current = following
        }
        return []
    }
}

#if !FUZZ
@Suite("Fuzz regressions: routes.json")
struct RoutesFuzzRegressionTests {
    @Test func seedCorpusKeepsTheInvariants() throws {
        let seeds = try FuzzInputs.files("corpus", target: "routes")
        #expect(seeds.count >= 10)
        for seed in seeds {
            #expect(RoutesFuzzInvariants.violations(seed.bytes) == [], "fuzz/corpus/routes/\(seed.name)")
        }
    }

    @Test func crashInputsKeepTheInvariants() throws {
        for input in try FuzzInputs.files("regressions", target: "routes") {
            #expect(RoutesFuzzInvariants.violations(input.bytes) == [], "fuzz/regressions/routes/\(input.name)")
        }
    }

    /// The seeds cover both outcomes, so the invariants of each are exercised.
    @Test func seedCorpusHoldsValidAndInvalidDocuments() throws {
        let results = try FuzzInputs.files("corpus", target: "routes").map { RoutesLoader.load($0.bytes) }
        #expect(results.contains { if case .success = $0 { true } else { false } })
        #expect(results.contains { if case .failure = $0 { true } else { false } })
    }
}
#endif
