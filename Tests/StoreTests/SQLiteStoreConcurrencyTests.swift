import Foundation
import Routing
import TestSupport
import Testing
@testable import Store

@Suite struct SQLiteStoreConcurrencyTests {
    static let members = ["+15551111111", "+15551111112", "+15551111113"]
    static let total = 1_000
    static let threads = 16

    /// The stored decisions form one unbroken rotation: 334/333/333, nobody twice in a row.
    static func expectPerfectRotation(_ store: SQLiteStore, count: Int = total) throws {
        let order = try membersInOrder(store)
        #expect(order.count == count)
        let counts = Dictionary(order.map { ($0, 1) }, uniquingKeysWith: +)
        #expect(counts.values.sorted() == [count / 3, count / 3, count - 2 * (count / 3)].sorted())
        #expect(zip(order, order.dropFirst()).allSatisfy { $0 != $1 })
        #expect(order.enumerated().allSatisfy { $0.element == members[$0.offset % 3] })
        #expect(try store.integrityCheck() == "ok")
    }

    /// Runs `total` round-robin decisions from `threads` threads, thread `t` using `stores[t % n]`.
    /// Returns how many calls failed and the first failure.
    static func hammer(_ stores: [SQLiteStore]) -> (failures: Int, first: String?) {
        let errors = Locked<[String]>([])
        let finished = runThreads(threads, timeout: 120) { thread in
            let store = stores[thread % stores.count]
            for _ in stride(from: thread, to: total, by: threads) {
                do {
                    _ = try store.route(positionQuery(), roundRobin(members))
                } catch {
                    errors.withLock { $0.append("\(error)") }
                }
            }
        }
        if !finished { errors.withLock { $0.append("the threads did not finish in 120 s") } }
        let failures = errors.current
        return (failures.count, failures.first)
    }

    @Test(arguments: [SQLiteStore.Durability.normal, .full])
    func concurrentRoutesNeverShareATurn(durability: SQLiteStore.Durability) throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try SQLiteStore(path: db.path, durability: durability)
        defer { store.close() }
        let outcome = Self.hammer([store])
        #expect(outcome.failures == 0, "first failure: \(outcome.first ?? "")")
        try Self.expectPerfectRotation(store)
    }

    @Test(arguments: [SQLiteStore.Durability.normal, .full])
    func twoStoresOnOneFileNeverShareATurn(durability: SQLiteStore.Durability) throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let first = try SQLiteStore(path: db.path, durability: durability)
        let second = try SQLiteStore(path: db.path, durability: durability)
        defer {
            first.close()
            second.close()
        }
        let outcome = Self.hammer([first, second])
        #expect(outcome.failures == 0, "first failure: \(outcome.first ?? "")")
        try Self.expectPerfectRotation(first)
        #expect(try second.decisionCount() == Self.total)
    }

    /// Group commit: every caller gets its own decision back, committed (visible to a separate read
    /// connection) by the time it returns; a throwing choose fails only itself.
    @Test func groupCommitIsolatesFailuresAndCommitsBeforeReturning() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try SQLiteStore(path: db.path, durability: .full)
        defer { store.close() }
        #expect(store.groupCommit != nil)
        let outcomes = Locked<(ok: [String: String], failed: Int, unexpected: [String])>(([:], 0, []))
        let finished = runThreads(Self.threads, timeout: 120) { thread in
            for call in stride(from: thread, to: 400, by: Self.threads) {
                let id = "call-\(call)"
                let fails = call % 7 == 3
                do {
                    let member = try store.route(positionQuery()) { states in
                        if fails { throw TestFailure() }
                        return try roundRobin(Self.members, id: id)(states)
                    }
                    let visible = try store.read("test") { connection in
                        try connection.scalar("SELECT member FROM decisions WHERE id = ?", [.text(id)], "test")?.text
                    }
                    outcomes.withLock {
                        $0.ok[id] = member
                        if visible != member { $0.unexpected.append("\(id) not committed on return") }
                    }
                } catch is TestFailure where fails {
                    outcomes.withLock { $0.failed += 1 }
                } catch {
                    outcomes.withLock { $0.unexpected.append("\(id): \(error)") }
                }
            }
        }
        #expect(finished)
        let result = outcomes.current
        let failing = (0..<400).filter { $0 % 7 == 3 }.count
        #expect(result.unexpected == [])
        #expect(result.failed == failing)
        #expect(result.ok.count == 400 - failing)
        try Self.expectPerfectRotation(store, count: 400 - failing)
        let stored = try store.read("test") { connection in
            var rows: [String: String] = [:]
            try connection.query("SELECT id, member FROM decisions", [], "test") { rows[$0.text(0)!] = $0.text(1)! }
            return rows
        }
        #expect(stored == result.ok)
    }
}
