import Foundation
import Synchronization
import Testing
@testable import Store

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let seconds = Mutex(1_000_000.0)
    var now: Date { Date(timeIntervalSince1970: seconds.withLock { $0 }) }
    func advance(_ by: Double) { seconds.withLock { $0 += by } }
}

/// Collects what a store tells its health observer.
final class HealthEvents: Sendable {
    private let events = Mutex<[StoreHealthEvent]>([])
    var all: [StoreHealthEvent] { events.withLock { $0 } }
    var observer: @Sendable (StoreHealthEvent) -> Void { { event in self.events.withLock { $0.append(event) } } }
    var degradations: Int { all.filter { if case .degraded = $0 { true } else { false } }.count }
    var recoveries: Int { all.filter { if case .recovered = $0 { true } else { false } }.count }
    var reopenings: [String] { all.compactMap { if case .reopened(let reason) = $0 { reason } else { nil } } }
}

/// The health state machine alone, on a hand-moved clock.
@Suite struct WriteHealthTests {
    static let full = StoreError(operation: "cannot route on /x", code: 13, message: "database or disk is full")

    func make(settle: Double = 2) -> (WriteHealth, ManualClock, HealthEvents) {
        let clock = ManualClock()
        let events = HealthEvents()
        let policy = WriteHealth.Policy(settleSeconds: settle, firstRetrySeconds: 0.25, maxRetrySeconds: 5)
        return (WriteHealth(policy: policy, clock: { clock.now }, observer: events.observer), clock, events)
    }

    @Test func startsHealthyAndSuccessesChangeNothing() {
        let (health, _, events) = make()
        for _ in 0..<100 { health.succeeded() }
        #expect(health.current == .healthy)
        #expect(events.all.isEmpty)
        #expect(!health.retryDue())
    }

    @Test func theFirstFailureDegradesOnceAndLaterOnesAreCounted() {
        let (health, clock, events) = make()
        let started = clock.now
        for _ in 0..<7 {
            health.failed(Self.full)
            clock.advance(0.1)
        }
        let current = health.current
        #expect(current.state == .degraded)
        #expect(current.since == started)
        #expect(current.failures == 7)
        #expect(current.reason == "\(Self.full)")
        #expect(events.all == [.degraded(reason: "\(Self.full)")])
    }

    @Test func retriesAreNotCountedAsFailedWrites() {
        let (health, _, _) = make()
        health.failed(Self.full, counted: false)
        health.failed(Self.full, counted: false)
        #expect(health.current.state == .degraded)
        #expect(health.current.failures == 0)
    }

    @Test(arguments: [0.0, 0.5, 1.0, 1.99])
    func aSuccessSoonAfterAFailureDoesNotRecover(after seconds: Double) {
        let (health, clock, events) = make(settle: 2)
        health.failed(Self.full)
        clock.advance(seconds)
        health.succeeded()
        #expect(health.current.state == .degraded)
        #expect(events.recoveries == 0)
    }

    @Test(arguments: [2.0, 2.5, 60.0])
    func aSuccessAfterTheSettlingTimeRecoversOnce(after seconds: Double) {
        let (health, clock, events) = make(settle: 2)
        health.failed(Self.full)
        health.failed(Self.full)
        clock.advance(seconds)
        health.succeeded()
        health.succeeded()
        #expect(health.current == .healthy)
        #expect(events.all == [.degraded(reason: "\(Self.full)"), .recovered(seconds: seconds, failures: 2)])
    }

    @Test func aDiskThatTakesSomeWritesIsOneEpisode() {
        let (health, clock, events) = make(settle: 2)
        // Every other write fails, each 0.3 s apart, for a minute: never 2 s without a failure.
        for index in 0..<200 {
            if index % 2 == 0 { health.failed(Self.full) } else { health.succeeded() }
            clock.advance(0.3)
        }
        #expect(events.degradations == 1)
        #expect(events.recoveries == 0)
        #expect(health.current.failures == 100)
        clock.advance(2)
        health.succeeded()
        #expect(events.degradations == 1)
        #expect(events.recoveries == 1)
    }

    @Test func retriesBackOffByDoublingUpToTheCap() {
        let (health, clock, _) = make()
        health.failed(Self.full)
        var due: [Double] = []
        var elapsed = 0.0
        while elapsed < 40 {
            clock.advance(0.05)
            elapsed += 0.05
            if health.retryDue() { due.append((elapsed * 100).rounded() / 100) }
        }
        let gaps = zip(due.dropFirst(), due).map { (($0 - $1) * 100).rounded() / 100 }
        #expect(due.first == 0.25)
        #expect(Array(gaps.prefix(5)) == [0.25, 0.5, 1, 2, 4])
        #expect(gaps.dropFirst(5).allSatisfy { $0 == 5 }, "\(gaps)")
    }

    @Test func aSuccessWhileDegradedRetriesSoonAgain() {
        let (health, clock, _) = make()
        health.failed(Self.full)
        for _ in 0..<6 {
            clock.advance(10)
            _ = health.retryDue()
        }
        // A retry that failed, then a write that worked, within the settling time.
        health.failed(Self.full, counted: false)
        health.succeeded()
        #expect(health.current.state == .degraded)
        clock.advance(0.25)
        #expect(health.retryDue())
    }

    @Test func theSummaryNamesHowLongAndWhy() {
        let (health, clock, _) = make()
        #expect(health.current.summary(at: clock.now) == "ok")
        health.failed(Self.full)
        clock.advance(12.7)
        #expect(health.current.summary(at: clock.now) == "degraded: writes failing for 12 s: \(Self.full)")
        #expect(health.current.degradedSeconds(at: clock.now) == 12)
    }

    @Test(arguments: [(5, true), (6, true), (8, true), (10, true), (11, true), (13, true), (14, true), (26, true),
                      (1, false), (19, false), (21, false), (266, true), (1546, true), (2067, false)])
    func storageFaultsAreTheStoragesNotTheRequests(code: Int32, fault: Bool) {
        #expect(StoreError(operation: "x", code: code, message: "m").isStorageFault == fault)
    }
}

@Suite struct StorageBudgetTests {
    @Test func aRoomyOrUnknownVolumeKeepsTheMeasuredSettings() {
        for free in [nil, 512 << 20, 100 << 30] {
            #expect(StorageBudget.forFreeSpace(free) == StorageBudget(chunkBytes: 8 << 20, checkpointPages: 1000, walLimitBytes: -1))
        }
    }

    @Test func aTwoMiBVolumeGrowsPageByPageWithASmallWAL() {
        let budget = StorageBudget.forFreeSpace(2 << 20)
        #expect(budget.chunkBytes == 0)
        #expect(budget.checkpointPages == 32)
        #expect(budget.walLimitBytes == 32 * 4096 * 2)
    }

    @Test func theBudgetNeverClaimsMoreThanItsShareOfTheFreeSpace() {
        var free = 4096
        while free < 600 << 20 {
            let budget = StorageBudget.forFreeSpace(free)
            if free < 512 << 20 {
                #expect(budget.chunkBytes <= free / 64, "free \(free): \(budget)")
                #expect(budget.chunkBytes == 0 || (budget.chunkBytes >= 64 << 10 && budget.chunkBytes & (budget.chunkBytes - 1) == 0))
                #expect(budget.checkpointPages >= 16 && budget.checkpointPages <= 1000)
                #expect(budget.checkpointPages == 16 || budget.checkpointPages * 4096 <= free / 16)
                #expect(budget.walLimitBytes == budget.checkpointPages * 4096 * 2)
            }
            let larger = StorageBudget.forFreeSpace(free * 2)
            #expect(larger.chunkBytes >= budget.chunkBytes && larger.checkpointPages >= budget.checkpointPages)
            free = free * 3 / 2
        }
    }

    @Test func freeBytesReadsTheVolumeOrTheDirectoryOfAFileNotYetMade() throws {
        let directory = FileManager.default.temporaryDirectory.path
        let free = try #require(StorageBudget.freeBytes(at: directory))
        #expect(free > 0)
        #expect(StorageBudget.freeBytes(at: directory + "/not-yet-\(UUID().uuidString).sqlite") != nil)
        #expect(StorageBudget.freeBytes(at: "/no/such/directory/\(UUID().uuidString)/x.sqlite") == nil)
    }
}
