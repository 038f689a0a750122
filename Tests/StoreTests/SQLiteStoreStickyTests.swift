import Dispatch
import Foundation
import Routing
import TestSupport
import Testing
@testable import Store

/// Sticky pools: each caller's newest member kept in the `sticky` table, filled from the decisions
/// when a pool is first routed as sticky, and the same answer as searching the decisions.
@Suite struct SQLiteStoreStickyTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let day: TimeInterval = 86_400

    static func record(_ member: String, from caller: String, age: TimeInterval, pool: String = "p") -> DecisionRecord {
        DecisionRecord(time: now - age, channel: .voice, id: UUID().uuidString, from: caller, to: "+1000", pool: pool, member: member)
    }

    /// Routes one decision for `caller` in pool p (sticky or not) and returns the sticky member it saw.
    @discardableResult
    static func route(_ store: SQLiteStore, caller: String, sticky: Bool, member: String = "z", at time: Date = now) throws -> String? {
        let needs: StateNeeds = sticky ? [.position, .sticky] : .position
        return try store.route(StateQuery(pools: ["p": needs], caller: caller, now: time)) { states in
            (states["p"]?.stickyMember, [DecisionRecord(time: time, channel: .voice, id: UUID().uuidString, from: caller,
                                                         to: "+1000", pool: "p", member: member)])
        }
    }

    /// Stores `records` as decisions made while pool p was not sticky.
    static func seed(_ store: SQLiteStore, _ records: [DecisionRecord]) throws {
        _ = try store.route(StateQuery(pools: ["p": .position], caller: "", now: now)) { _ in ((), records) }
    }

    @Test func aPoolThatBecomesStickyFindsItsCallersFromBefore() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try SQLiteStore(path: db.path)
        defer { store.close() }
        try Self.seed(store, [Self.record("a", from: "+1777", age: 3 * Self.day), Self.record("b", from: "+1777", age: Self.day),
                              Self.record("c", from: "+1888", age: 40 * Self.day), Self.record("d", from: "+1999", age: 60)])
        // (Each decision a little later than the one before, so "newest" is never a tie.)
        #expect(try Self.route(store, caller: "+1777", sticky: true, member: "b", at: Self.now - 30) == "b")
        #expect(try Self.route(store, caller: "+1888", sticky: true, member: "x", at: Self.now - 20) == nil, "older than 30 days")
        #expect(try Self.route(store, caller: "+1888", sticky: true, at: Self.now - 10) == "x", "remembered by the decision before")
        #expect(try Self.route(store, caller: "+1999", sticky: true) == "d")
        // The table and the search over the decisions agree.
        for caller in ["+1777", "+1888", "+1999", "+1000"] {
            let query = StateQuery(pools: ["p": .sticky], caller: caller, now: Self.now)
            let searched = try store.poolStates(query)["p"]?.stickyMember
            let kept = try store.route(query) { states in (states["p"]?.stickyMember, []) }
            #expect(kept == searched, "\(caller)")
        }
    }

    @Test func decisionsMadeWhileNotStickyAreFoundWhenItIsStickyAgain() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try SQLiteStore(path: db.path)
        defer { store.close() }
        try Self.route(store, caller: "+1777", sticky: true, member: "a", at: Self.now - 100)
        try Self.route(store, caller: "+1777", sticky: false, member: "b", at: Self.now - 50)
        #expect(try Self.route(store, caller: "+1777", sticky: true, member: "c") == "b")
    }

    @Test func aFailedBatchDoesNotLeaveTheTableHalfKnown() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try SQLiteStore(path: db.path)
        defer { store.close() }
        try Self.seed(store, [Self.record("a", from: "+1777", age: 60)])
        // The first sticky decision fills the table, then fails: its transaction, filling included, is undone.
        #expect(throws: TestFailure.self) {
            _ = try store.route(StateQuery(pools: ["p": [.position, .sticky]], caller: "+1777", now: Self.now)) {
                _ -> (Int, [DecisionRecord]) in throw TestFailure()
            }
        }
        #expect(try Self.route(store, caller: "+1777", sticky: true) == "a")
    }

    /// One batch: a sticky decision that fills the table, then a failing job. The batch is rolled back
    /// and run again job by job: the sticky decision must fill the table again, not trust the first fill.
    @Test func aBatchRunAgainFillsTheTableAgain() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try SQLiteStore(path: db.path)
        defer { store.close() }
        try Self.seed(store, [Self.record("a", from: "+1777", age: 60)])
        let seen = Locked<[String?]>([])
        let done = DispatchGroup()
        store.holdCommits()
        done.enter()
        store.route(StateQuery(pools: ["p": [.position, .sticky]], caller: "+1777", now: Self.now), { states in
            (states["p"]?.stickyMember ?? "none", [Self.record("b", from: "+1777", age: 0)])
        }, completion: { result in
            seen.withLock { $0.append(try? result.get()) }
            done.leave()
        })
        done.enter()
        store.route(StateQuery(pools: ["q": .position], caller: "", now: Self.now), { _ -> (String, [DecisionRecord]) in
            throw TestFailure()
        }, completion: { result in
            seen.withLock { $0.append(try? result.get()) }
            done.leave()
        })
        store.releaseCommits()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(seen.current == ["a", nil])
    }

    @Test func pruneForgetsOldCallers() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try SQLiteStore(path: db.path)
        defer { store.close() }
        try Self.route(store, caller: "+1777", sticky: true, member: "a", at: Self.now - 10 * Self.day)
        try Self.route(store, caller: "+1888", sticky: true, member: "b", at: Self.now - Self.day)
        #expect(try store.prune(olderThan: Self.now - 5 * Self.day) == 2, "one decision and one sticky row (a call opens no thread)")
        let rows = try store.read("test") { try $0.scalar("SELECT group_concat(caller) FROM sticky", [], "test")?.text }
        #expect(rows == "+1888")
    }
}
