import Foundation
import Testing
@testable import Routing

@Suite("strategies, by example")
struct StrategyTests {
    private let a = Member(address: "+15551111111", name: "A")
    private let b = Member(address: "+15551111112", name: "B")
    private let c = Member(address: "+15551111113", name: "C")
    private let d = Member(address: "+15551111114", name: "D")

    private func order(_ pool: Pool, _ state: PoolState = PoolState(), channel: Channel = .voice, seed: UInt64 = 1) -> [String?] {
        var random = SeededGenerator(seed: seed)
        return pool.order(state: state, channel: channel, random: &random).map(\.name)
    }

    @Test func roundRobinStartsAfterTheLastMember() {
        let pool = Pool(name: "p", members: [a, b, c, d])
        #expect(order(pool) == ["A", "B", "C", "D"])
        #expect(order(pool, PoolState(lastMember: a.address)) == ["B", "C", "D", "A"])
        #expect(order(pool, PoolState(lastMember: d.address)) == ["A", "B", "C", "D"])
    }

    @Test func roundRobinKeepsTheTurnOfADisabledLastMember() {
        var pool = Pool(name: "p", members: [a, b, c, d])
        pool.members[1].enabled = false
        #expect(order(pool, PoolState(lastMember: b.address)) == ["C", "D", "A"])
    }

    @Test func roundRobinRestartsAtTheTopWhenTheLastMemberIsGone() {
        let pool = Pool(name: "p", members: [a, c, d])
        #expect(order(pool, PoolState(lastMember: b.address)) == ["A", "C", "D"])
    }

    @Test func roundRobinForTextsSkipsSIPButKeepsItsPlace() {
        let sip = Member(address: "sip:s@example.com", name: "S")
        let pool = Pool(name: "p", members: [a, sip, c])
        #expect(order(pool, PoolState(lastMember: sip.address), channel: .sms) == ["C", "A"])
        #expect(order(pool, PoolState(lastMember: a.address), channel: .voice) == ["S", "C", "A"])
    }

    @Test func sequentialAndSimultaneousKeepListOrder() {
        for strategy in [Strategy.sequential, .simultaneous] {
            let pool = Pool(name: "p", members: [a, b, c], strategy: strategy)
            #expect(order(pool, PoolState(lastMember: a.address)) == ["A", "B", "C"])
        }
        #expect(Strategy.simultaneous.ringsInParallel)
        #expect(!Strategy.sequential.ringsInParallel)
    }

    @Test func leastRecentPutsNeverOfferedFirstThenOldest() {
        let pool = Pool(name: "p", members: [a, b, c, d], strategy: .leastRecent)
        let now = Date(timeIntervalSince1970: 1_000_000)
        let state = PoolState(lastOffered: [
            a.address: now, b.address: now.addingTimeInterval(-300), d.address: now.addingTimeInterval(-300),
        ])
        #expect(order(pool, state) == ["C", "B", "D", "A"])
    }

    @Test func fewestCallsTiesByListOrder() {
        let pool = Pool(name: "p", members: [a, b, c, d], strategy: .fewestCalls)
        let state = PoolState(recentCounts: [a.address: 5, b.address: 2, c.address: 2])
        #expect(order(pool, state) == ["D", "B", "C", "A"])
    }

    @Test func randomIsAPermutationAndRepeatsWithTheSeed() {
        let pool = Pool(name: "p", members: [a, b, c, d], strategy: .random)
        let first = order(pool, seed: 42)
        #expect(Set(first) == Set(["A", "B", "C", "D"]))
        #expect(order(pool, seed: 42) == first)
        let orders = Set((0..<50).map { order(pool, seed: $0).map { $0 ?? "" }.joined() })
        #expect(orders.count > 10)
    }

    @Test func stickyMemberGoesFirst() {
        let pool = Pool(name: "p", members: [a, b, c, d], strategy: .roundRobin, sticky: true)
        #expect(order(pool, PoolState(lastMember: a.address, stickyMember: d.address)) == ["D", "B", "C", "A"])
    }

    @Test func stickyIgnoredWhenNotStickyDisabledOrGone() {
        var pool = Pool(name: "p", members: [a, b, c], sticky: false)
        #expect(order(pool, PoolState(stickyMember: c.address)) == ["A", "B", "C"])
        pool.sticky = true
        pool.members[2].enabled = false
        #expect(order(pool, PoolState(stickyMember: c.address)) == ["A", "B"])
        #expect(order(pool, PoolState(stickyMember: "+15559999999")) == ["A", "B"])
    }

    @Test func stickySIPMemberIsSkippedForTexts() {
        let sip = Member(address: "sip:s@example.com", name: "S")
        let pool = Pool(name: "p", members: [a, sip], sticky: true)
        #expect(order(pool, PoolState(stickyMember: sip.address), channel: .sms) == ["A"])
        #expect(order(pool, PoolState(stickyMember: sip.address), channel: .voice) == ["S", "A"])
    }
}
