import Foundation
import Routing
import Testing
@testable import Store

/// The route contract, for every store (`StoreKind.available`).
@Suite struct SQLiteStoreRouteTests {
    static let members = ["+15551111111", "+15551111112", "+15551111113"]

    @Test(arguments: StoreKind.available) func roundRobinAdvancesAndSurvivesReopen(kind: StoreKind) throws {
        let db = try TestDatabase(kind)
        defer { db.remove() }
        var chosen: [String] = []
        do {
            let store = try db.open()
            for _ in 0..<4 { chosen.append(try store.route(positionQuery(), roundRobin(Self.members))) }
            store.close()
        }
        let store = try db.open()
        defer { store.close() }
        chosen.append(try store.route(positionQuery(), roundRobin(Self.members)))
        let m = Self.members
        #expect(chosen == [m[0], m[1], m[2], m[0], m[1]])
        #expect(try decisionCount(store) == 5)
        #expect(try store.poolStates(positionQuery())["sales"]?.lastMember == m[1])
    }

    @Test(arguments: StoreKind.available) func throwingChooseWritesNothing(kind: StoreKind) throws {
        try withTemporaryStore(kind) { store in
        _ = try store.route(positionQuery(), roundRobin(Self.members))
        #expect(throws: TestFailure.self) {
            _ = try store.route(positionQuery()) { _ -> (String, [DecisionRecord]) in throw TestFailure() }
        }
        // Nor does one that throws after reading state for several pools.
        #expect(throws: TestFailure.self) {
            _ = try store.route(StateQuery(pools: ["sales": .all, "other": .all], caller: "+1", now: Date())) {
                states -> (Int, [DecisionRecord]) in
                if states.count == 2 { throw TestFailure() }
                return (0, [])
            }
        }
        #expect(try decisionCount(store) == 1)
        #expect(try store.poolStates(positionQuery())["sales"]?.lastMember == Self.members[0])
        if let store = store as? SQLiteStore { #expect(try store.integrityCheck() == "ok") }
        }
    }

    @Test(arguments: StoreKind.available) func loadsOnlyTheNeededState(kind: StoreKind) throws {
        try withTemporaryStore(kind) { store in
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let day: TimeInterval = 86_400
        func record(_ member: String, _ age: TimeInterval, from: String = "+1999") -> DecisionRecord {
            DecisionRecord(time: now - age, channel: .voice, id: UUID().uuidString, from: from, to: "+1000",
                           pool: "p", member: member)
        }
        let history = [
            record("a", 40 * day, from: "+1777"), record("a", 2 * day), record("b", 3600),
            record("a", 600), record("b", 60, from: "+1777"), record("c", 31 * day, from: "+1888"),
            DecisionRecord(time: now, channel: .sms, id: "other", from: "+1777", to: "+1000", pool: "q", member: "z"),
        ]
        _ = try store.route(positionQuery(pool: "p", now: now)) { _ in ((), history) }

        let all = try store.poolStates(StateQuery(pools: ["p": .all, "q": []], caller: "+1777", now: now))
        let p = try #require(all["p"])
        #expect(p.lastMember == "c")  // the last record stored for pool p
        #expect(p.lastOffered == ["a": now - 600, "b": now - 60, "c": now - 31 * day])
        #expect(p.recentCounts == ["a": 1, "b": 2])
        #expect(p.stickyMember == "b")
        #expect(all["q"] == PoolState())

        let none = try store.poolStates(StateQuery(pools: ["p": .sticky], caller: "+1888", now: now))
        #expect(none["p"] == PoolState())  // +1888's decision is older than 30 days
        let onlyCounts = try store.poolStates(StateQuery(pools: ["p": .recentCounts], caller: "", now: now - 2 * day))
        #expect(onlyCounts["p"] == PoolState(recentCounts: ["a": 1]))
        }
    }

    /// Reading only the members a decision orders gives their part of what reading every member
    /// the decisions name gives, over random histories (members without decisions, others not asked for).
    @Test(arguments: StoreKind.available) func membersAskedForGetWhatTheWholePoolReadGives(kind: StoreKind) throws {
        var generator = SystemRandomNumberGenerator()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let seen = ["a", "b", "c", "d", "e"]
        try withTemporaryStore(kind) { store in
            for round in 0..<20 {
                let history = (0..<Int.random(in: 0...30, using: &generator)).map { i in
                    DecisionRecord(time: now - Double.random(in: -60...(7 * 86_400), using: &generator), channel: .voice,
                                   id: "r\(round)-\(i)", from: "+1999", to: "+1000", pool: round % 2 == 0 ? "p" : "q",
                                   member: seen.randomElement(using: &generator)!)
                }
                _ = try store.route(positionQuery(pool: "p", now: now)) { _ in ((), history) }
                let asked = ["a", "c", "x"].filter { _ in Bool.random(using: &generator) }
                for pool in ["p", "q"] {
                    let needs: StateNeeds = [.lastOffered, .recentCounts]
                    let whole = try #require(try store.poolStates(StateQuery(pools: [pool: needs], caller: "", now: now))[pool])
                    let part = try #require(try store.poolStates(StateQuery(pools: [pool: needs], caller: "", now: now,
                                                                            members: [pool: asked]))[pool])
                    #expect(part.lastOffered == whole.lastOffered.filter { asked.contains($0.key) })
                    #expect(part.recentCounts == whole.recentCounts.filter { asked.contains($0.key) })
                }
            }
        }
    }

    @Test(arguments: StoreKind.available) func recordsForSeveralPoolsInOneDecision(kind: StoreKind) throws {
        try withTemporaryStore(kind) { store in
        let now = Date()
        let records = ["sales", "support"].map {
            DecisionRecord(time: now, channel: .voice, id: "c1", from: "+1", to: "+2", pool: $0, member: "m-\($0)")
        }
        let value = try store.route(StateQuery(pools: ["sales": .position, "support": .position], caller: "+1", now: now)) {
            states in (states.count, records)
        }
        #expect(value == 2)
        let states = try store.poolStates(StateQuery(pools: ["sales": .position, "support": .position], caller: "+1", now: now))
        #expect(states["sales"]?.lastMember == "m-sales")
        #expect(states["support"]?.lastMember == "m-support")
        }
    }
}
