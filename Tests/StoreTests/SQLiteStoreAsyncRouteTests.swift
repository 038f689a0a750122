import Dispatch
import Foundation
import Routing
import Testing
import TestSupport
@testable import Store

/// `route(_:_:completion:)`: decisions that join the next batch without holding the caller's thread.
@Suite struct SQLiteStoreAsyncRouteTests {
    static let members = ["+15551111111", "+15551111112", "+15551111113"]

    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var members: [String] = []
        private(set) var errors = 0
        private(set) var committedAtCompletion: [Int] = []
        let done = DispatchGroup()
        /// Routes one decision into these results.
        func route(_ store: any SwitchboardStore, _ choose: @escaping @Sendable ([String: PoolState]) throws -> (String, [DecisionRecord])) {
            done.enter()
            store.route(positionQuery(), choose) { result in
                self.add(result, committed: 0)
                self.done.leave()
            }
        }

        func add(_ result: Result<String, any Error>, committed: Int) {
            lock.withLock {
                switch result {
                case .success(let member): members.append(member)
                case .failure: errors += 1
                }
                committedAtCompletion.append(committed)
            }
        }
    }

    /// The test round robin, or a decision that throws instead when `refusing`.
    static func refusable(id: String, refusing: Bool) -> @Sendable ([String: PoolState]) throws -> (String, [DecisionRecord]) {
        let next = roundRobin(Self.members, id: id)
        return { states in
            if refusing { throw StoreError(operation: "test", code: 1, message: "refused") }
            return try next(states)
        }
    }

    @Test(arguments: StoreKind.available)
    func thousandConcurrentDecisionsShareTheTurnsAndCompleteAfterTheirCommit(kind: StoreKind) throws {
        let db = try TestDatabase(kind)
        defer { db.remove() }
        let store = try db.open()
        defer { store.close() }
        // A second connection sees only committed rows: each completion must find its own decision there.
        let observer = try db.open()
        defer { observer.close() }
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 1000) { i in
            results.done.enter()
            store.route(positionQuery(), roundRobin(Self.members, id: "call-\(i)")) { result in
                results.add(result, committed: (try? decisionCount(observer)) ?? -1)
                results.done.leave()
            }
        }
        #expect(results.done.wait(timeout: .now() + 30) == .success)
        #expect(results.errors == 0)
        #expect(try decisionCount(store) == 1000)
        for member in Self.members {
            #expect([333, 334].contains(results.members.filter { $0 == member }.count))
        }
        // Every completion ran after at least as many commits as completions before it.
        #expect(results.committedAtCompletion.enumerated().allSatisfy { $0.element >= $0.offset + 1 })
    }

    @Test(arguments: StoreKind.available) func aThrowingChooseFailsOnlyItself(kind: StoreKind) throws {
        let db = try TestDatabase(kind)
        defer { db.remove() }
        let store = try db.open()
        defer { store.close() }
        let results = Results()
        for i in 0..<20 {
            results.route(store, Self.refusable(id: "c\(i)", refusing: i % 4 == 0))
        }
        #expect(results.done.wait(timeout: .now() + 10) == .success)
        #expect(results.errors == 5)
        #expect(try decisionCount(store) == 15)
    }

    /// Held commits: nothing is decided until the release, then the whole batch commits at once. A
    /// throwing job in it sends the batch down the savepoint path, which refuses that job alone.
    @Test(arguments: StoreKind.available) func heldDecisionsWaitForTheReleaseAndShareOneBatch(kind: StoreKind) throws {
        let db = try TestDatabase(kind)
        defer { db.remove() }
        let batches = Locked<[StoreBatchTiming]>([])
        let store = try db.open(batchObserver: { timing in batches.withLock { $0.append(timing) } })
        defer { store.close() }
        let results = Results()
        store.holdCommits()
        store.holdCommits()  // holds nest
        for i in 0..<20 {
            results.route(store, Self.refusable(id: "held-\(i)", refusing: i == 7))
        }
        store.releaseCommits()
        #expect(results.done.wait(timeout: .now() + 0.3) == .timedOut, "one hold is still open")
        #expect(try decisionCount(store) == 0)
        store.releaseCommits()
        #expect(results.done.wait(timeout: .now() + 10) == .success)
        #expect(results.errors == 1)
        #expect(try decisionCount(store) == 19)
        // The 19 decisions went round in order, as if made one by one.
        #expect(results.members == (0..<19).map { Self.members[$0 % 3] })
        // One batch, observed once with all its jobs (the refused one too), after their completions.
        let observed = ContinuousClock.now + .seconds(10)
        while batches.withLock({ $0.isEmpty }), ContinuousClock.now < observed { Thread.sleep(forTimeInterval: 0.001) }
        #expect(batches.withLock { $0.map(\.jobs) } == [20])
        #expect(batches.withLock { $0.allSatisfy { $0.seconds >= 0 && $0.seconds < 10 } })
        // The batch stored its last position once, before committing.
        #expect(try store.poolStates(positionQuery())["sales"]?.lastMember == Self.members[18 % 3])
    }

    /// A job that moved a position and then failed (after its decision was inserted) is undone with
    /// its position: the next decision of the batch goes on from the one before, and `pool_state`
    /// holds the last decision that stayed.
    @Test func aFailedJobTakesItsPositionWithIt() throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try SQLiteStore(path: db.path)
        defer { store.close() }
        let results = Results()
        store.holdCommits()
        for i in 0..<4 {
            results.route(store, roundRobin(Self.members, id: "before-\(i)"))
        }
        results.done.enter()
        let broken = DecisionRecord(time: Date(), channel: .voice, id: "broken", from: "+15550001000", to: "+15550000001",
                                    pool: "sales", member: "+15559999999")
        store.enqueue("test", completion: { (result: Result<String, any Error>) in
            results.add(result, committed: 0)
            results.done.leave()
        }) { connection in
            try connection.insertDecision(broken, "test")
            throw StoreError(operation: "test", code: 1, message: "failed after its insert")
        }
        for i in 0..<2 {
            results.route(store, roundRobin(Self.members, id: "after-\(i)"))
        }
        store.releaseCommits()
        #expect(results.done.wait(timeout: .now() + 10) == .success)
        #expect(results.errors == 1)
        #expect(results.members == (0..<6).map { Self.members[$0 % 3] })
        #expect(try membersInOrder(store) == (0..<6).map { Self.members[$0 % 3] })
        #expect(try store.poolStates(positionQuery())["sales"]?.lastMember == Self.members[5 % 3])
    }

    @Test(arguments: StoreKind.available) func aClosedStoreAnswersWithAnError(kind: StoreKind) throws {
        let db = try TestDatabase(kind)
        defer { db.remove() }
        let store = try db.open()
        store.close()
        let results = Results()
        results.route(store, roundRobin(Self.members))
        #expect(results.done.wait(timeout: .now() + 5) == .success)
        #expect(results.errors == 1)
    }
}
