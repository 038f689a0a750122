// The invariants of the `routes` fuzz target, in one place: fuzz/run.sh compiles this file into the
// libFuzzer harness with `-D FUZZ` (so only the invariants below are built), and `make test` runs them
// over every committed seed (fuzz/corpus/routes/) and crash input (fuzz/regressions/routes/).
import JSON
#if !FUZZ
import Foundation
import Testing
import TestSupport
import Routing
#endif

/// What must hold for any bytes handed to `RoutesLoader.load`.
enum RoutesFuzzInvariants {
    /// A few zones by rule: the harness reads no tz database.
    static let zones = RuleZones(["UTC": "UTC0", "America/New_York": "EST5EDT,M3.2.0,M11.1.0", "Europe/Berlin": "CET-1CEST,M3.5.0,M10.5.0/3"])

    /// Every broken invariant, described; empty when all hold.
    static func violations(_ bytes: [UInt8]) -> [String] {
        let selection = selectionProblems(bytes)
        let result = RoutesLoader.load(bytes, zones: zones)
        guard result == RoutesLoader.load(bytes, zones: zones) else { return selection + ["loading twice gives different results"] }
        switch result {
        case .failure(let error):
            if error.problems.isEmpty { return selection + ["a failure without problems"] }
            return selection + error.problems.filter { $0.message.isEmpty }.map { "a problem without a message at \($0.path)" }
        case .success(let routes):
            return selection + check(routes)
        }
    }

    /// `JSONParser.select` (webhook bodies) refuses exactly what `parse` refuses, with the same error,
    /// and finds at every path what the parsed tree holds there.
    static func selectionProblems(_ bytes: [UInt8]) -> [String] {
        let parsed = Result { () throws(JSONSyntaxError) in try JSONParser.parse(bytes) }
        var paths: [[String]] = []
        if case .success(let root) = parsed { collectPaths(root, prefix: [], into: &paths) }
        // Absent keys, and a key below every scalar found.
        paths += paths.prefix(8).map { $0 + ["\u{0}absent"] } + [["\u{0}absent"]]
        paths = Array(paths.prefix(64))
        let selected = Result { () throws(JSONSyntaxError) in try JSONParser.select(paths, in: bytes) }
        switch (parsed, selected) {
        case (.failure(let a), .failure(let b)):
            return a == b ? [] : ["select failed with \(b), parse with \(a)"]
        case (.failure(let error), .success):
            return ["select accepted what parse refused (\(error))"]
        case (.success, .failure(let error)):
            return ["select refused what parse accepted (\(error))"]
        case (.success(let root), .success(let selection)):
            var problems: [String] = []
            if case .object = root.kind { if !selection.isObject { problems.append("an object not seen as one") } }
            else if selection.isObject { problems.append("a non-object seen as an object") }
            for (path, found) in zip(paths, selection.values) where found != scalar(root, at: path) {
                problems.append("select found \(String(describing: found)) at \(path)")
            }
            return problems
        }
    }

    /// Every path of keys in `value`'s objects (up to 56), duplicates included.
    static func collectPaths(_ value: JSONValue, prefix: [String], into paths: inout [[String]]) {
        guard case .object(let members) = value.kind else { return }
        for member in members where paths.count < 56 {
            paths.append(prefix + [member.key])
            collectPaths(member.value, prefix: prefix + [member.key], into: &paths)
        }
    }

    /// The scalar the tree holds at `path`, following the first member of each key.
    static func scalar(_ root: JSONValue, at path: [String]) -> JSONScalar? {
        var node: JSONValue? = root
        for key in path { node = node?[key] }
        switch node?.kind {
        case .string(let s)?: return .string(s)
        case .number(let n)?: return .number(n)
        case .bool(let b)?: return .bool(b)
        case .null?: return .null
        default: return nil
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
        let results = try FuzzInputs.files("corpus", target: "routes").map { RoutesLoader.load($0.bytes, zones: RoutesFuzzInvariants.zones) }
        #expect(results.contains { if case .success = $0 { true } else { false } })
        #expect(results.contains { if case .failure = $0 { true } else { false } })
    }
}
#endif
