import Foundation
import Testing
@testable import Routing

/// Properties of every strategy over thousands of generated pools and states (seeded, so repeatable).
@Suite("strategies, by property")
struct StrategyPropertyTests {
    /// A pool of 1...10 members, some disabled, some SIP, random weights.
    private func randomPool(_ strategy: Strategy, random: inout SeededGenerator, sticky: Bool = false) -> Pool {
        let count = Int.random(in: 1...10, using: &random)
        let members = (0..<count).map { index in
            Member(address: Bool.random(using: &random) && index % 3 == 0 ? "sip:m\(index)@example.com" : memberNumber(index),
                   weight: Int.random(in: 1...5, using: &random),
                   enabled: Int.random(in: 0..<4, using: &random) != 0)
        }
        return Pool(name: "p", members: members, strategy: strategy, sticky: sticky)
    }

    private func randomState(for pool: Pool, random: inout SeededGenerator) -> PoolState {
        let base = Date(timeIntervalSince1970: 1_700_000_000)
        var state = PoolState()
        for member in pool.members {
            if Bool.random(using: &random) {
                state.lastOffered[member.address] = base.addingTimeInterval(Double(Int.random(in: 0..<20, using: &random)) * 60)
            }
            if Bool.random(using: &random) { state.recentCounts[member.address] = Int.random(in: 0..<6, using: &random) }
        }
        let candidates = pool.members.map(\.address) + ["+15559999999", nil]
        state.lastMember = candidates.randomElement(using: &random)!
        state.stickyMember = candidates.randomElement(using: &random)!
        return state
    }

    @Test(arguments: Strategy.allCases)
    func ordersExactlyTheEligibleMembers(_ strategy: Strategy) {
        var random = SeededGenerator(seed: 7)
        for _ in 0..<2000 {
            let pool = randomPool(strategy, random: &random, sticky: Bool.random(using: &random))
            let state = randomState(for: pool, random: &random)
            for channel in Channel.allCases {
                let order = pool.order(state: state, channel: channel, random: &random)
                let eligible = pool.members.filter { $0.enabled && (channel == .voice || !$0.address.hasPrefix("sip:")) }
                #expect(order.count == eligible.count)
                #expect(Set(order.map(\.address)) == Set(eligible.map(\.address)))
                #expect(order.allSatisfy { $0.enabled })
            }
        }
    }

    @Test(arguments: Strategy.allCases)
    func stickyBeatsTheStrategy(_ strategy: Strategy) {
        var random = SeededGenerator(seed: 11)
        for seed in 0..<2000 {
            var pool = randomPool(strategy, random: &random)
            let state = randomState(for: pool, random: &random)
            var plainRandom = SeededGenerator(seed: UInt64(seed))
            let plain = pool.order(state: state, channel: .voice, random: &plainRandom)
            pool.sticky = true
            var stickyRandom = SeededGenerator(seed: UInt64(seed))
            let sticky = pool.order(state: state, channel: .voice, random: &stickyRandom)
            if let favourite = state.stickyMember, plain.contains(where: { $0.address == favourite }) {
                #expect(sticky.first?.address == favourite)
                #expect(Array(sticky.dropFirst()) == plain.filter { $0.address != favourite })
            } else {
                #expect(sticky == plain)
            }
        }
    }

    @Test func roundRobinFirstIsTheNextEligibleAfterTheLastMember() {
        var random = SeededGenerator(seed: 13)
        for _ in 0..<3000 {
            let pool = randomPool(.roundRobin, random: &random)
            let state = randomState(for: pool, random: &random)
            let order = pool.order(state: state, channel: .voice, random: &random)
            let n = pool.members.count
            let lastIndex = pool.members.firstIndex { $0.address == state.lastMember }
            let expected = (1...n).lazy
                .map { pool.members[((lastIndex ?? -1) + $0) % n] }
                .first { $0.enabled }
            #expect(order.first == expected)
        }
    }

    @Test func roundRobinGivesEachMemberOneTurnPerRound() {
        var random = SeededGenerator(seed: 17)
        for _ in 0..<500 {
            let pool = randomPool(.roundRobin, random: &random)
            let enabled = pool.members.filter(\.enabled).map(\.address)
            guard !enabled.isEmpty else { continue }
            var state = PoolState(lastMember: pool.members.randomElement(using: &random)?.address)
            var turns: [String] = []
            for _ in 0..<(enabled.count * 4) {
                let first = pool.order(state: state, channel: .voice, random: &random)[0]
                turns.append(first.address)
                state.lastMember = first.address
            }
            for start in 0...(turns.count - enabled.count) {
                #expect(Set(turns[start..<(start + enabled.count)]) == Set(enabled))
            }
        }
    }

    /// Decisions with membership edits (add, remove, disable, enable, move) between some of them,
    /// feeding each decision's first member back as `lastMember`, as the store does.
    @Test func roundRobinSurvivesMembershipEdits() {
        var random = SeededGenerator(seed: 19)
        for _ in 0..<400 {
            var simulation = EditSimulation(size: Int.random(in: 2...8, using: &random))
            for _ in 0..<120 {
                if Int.random(in: 0..<10, using: &random) < 2 { simulation.edit(random: &random) }
                simulation.decide(random: &random)
            }
            simulation.checkNoTwoTurnsInARow()
            simulation.checkNoMemberSkippedTwice()
            simulation.checkNobodyWaitsTooLong()
        }
    }

    @Test func randomRespectsWeights() {
        let weights = [1, 2, 3, 4]
        let pool = Pool(name: "p", members: weights.enumerated().map { Member(address: memberNumber($0.offset), weight: $0.element) },
                        strategy: .random)
        var random = SeededGenerator(seed: 23)
        var firsts = [String: Int]()
        var seconds = [String: Int]()
        let draws = 40_000
        for _ in 0..<draws {
            let order = pool.order(state: PoolState(), channel: .voice, random: &random)
            firsts[order[0].address, default: 0] += 1
            seconds[order[1].address, default: 0] += 1
        }
        for (index, weight) in weights.enumerated() {
            let share = Double(firsts[memberNumber(index)] ?? 0) / Double(draws)
            #expect(abs(share - Double(weight) / 10) < 0.015, "member \(index): \(share)")
        }
        // Second place, without replacement: P(second = i) = sum over j != i of w_j/10 * w_i/(10 - w_j).
        for (i, wi) in weights.enumerated() {
            let expected = weights.enumerated().filter { $0.offset != i }
                .reduce(0.0) { $0 + Double($1.element) / 10 * Double(wi) / Double(10 - $1.element) }
            let share = Double(seconds[memberNumber(i)] ?? 0) / Double(draws)
            #expect(abs(share - expected) < 0.015, "member \(i) second: \(share) vs \(expected)")
        }
    }

    @Test func leastRecentAndFewestCallsPickTheRightMember() {
        var random = SeededGenerator(seed: 29)
        for _ in 0..<3000 {
            for strategy in [Strategy.leastRecent, .fewestCalls] {
                let pool = randomPool(strategy, random: &random)
                let state = randomState(for: pool, random: &random)
                let order = pool.order(state: state, channel: .voice, random: &random)
                let key: (Member) -> Double = strategy == .leastRecent
                    ? { state.lastOffered[$0.address]?.timeIntervalSince1970 ?? -1 }
                    : { Double(state.recentCounts[$0.address] ?? 0) }
                let listIndex = { (member: Member) in pool.members.firstIndex(of: member)! }
                for (earlier, later) in zip(order, order.dropFirst()) {
                    #expect(key(earlier) < key(later) || (key(earlier) == key(later) && listIndex(earlier) < listIndex(later)))
                }
            }
        }
    }
}

/// A round-robin pool under random edits, with the history needed to check fairness.
private struct EditSimulation {
    var pool: Pool
    var state = PoolState()
    var nextID: Int
    /// Per decision: who got the turn, how many edits had happened, who was eligible.
    var turns: [(member: String?, edits: Int, eligible: Set<String>)] = []
    var edits = 0

    init(size: Int) {
        pool = Pool(name: "p", members: (0..<size).map { Member(address: memberNumber($0)) })
        nextID = size
    }

    mutating func decide(random: inout SeededGenerator) {
        let order = pool.order(state: state, channel: .voice, random: &random)
        if let first = order.first { state.lastMember = first.address }
        turns.append((order.first?.address, edits, Set(pool.members.filter(\.enabled).map(\.address))))
    }

    mutating func edit(random: inout SeededGenerator) {
        edits += 1
        var members = pool.members
        switch Int.random(in: 0..<5, using: &random) {
        case 0 where members.count < 10:
            members.insert(Member(address: memberNumber(nextID)), at: Int.random(in: 0...members.count, using: &random))
            nextID += 1
        case 1 where members.count > 2:
            // Removing the member that just had the turn is the interesting case.
            if Bool.random(using: &random), let last = members.firstIndex(where: { $0.address == state.lastMember }) {
                members.remove(at: last)
            } else {
                members.remove(at: Int.random(in: 0..<members.count, using: &random))
            }
        case 2:
            let index = Int.random(in: 0..<members.count, using: &random)
            members[index].enabled.toggle()
        case 3:
            let moved = members.remove(at: Int.random(in: 0..<members.count, using: &random))
            members.insert(moved, at: Int.random(in: 0...members.count, using: &random))
        default:
            for index in members.indices { members[index].enabled = true }
        }
        pool.members = members
    }

    /// With two or more eligible members, nobody has the turn twice in a row, whatever the edits.
    func checkNoTwoTurnsInARow() {
        for (previous, current) in zip(turns, turns.dropFirst()) where current.eligible.count >= 2 {
            #expect(previous.member == nil || previous.member != current.member, "\(turns.map(\.member))")
        }
    }

    /// A member eligible throughout a stretch of decisions gets a turn within the eligible count of
    /// decisions when nothing changes, and within twice the largest eligible count across one edit.
    func checkNobodyWaitsTooLong() {
        for start in turns.indices {
            for address in turns[start].eligible {
                var largest = 0
                var end = start
                while end < turns.count, turns[end].eligible.contains(address), turns[end].member != address {
                    largest = max(largest, turns[end].eligible.count)
                    let editsSoFar = turns[end].edits - turns[start].edits
                    guard editsSoFar <= 1 else { break }
                    #expect(end - start + 1 < largest * (editsSoFar + 1), "\(address) starved from decision \(start)")
                    end += 1
                }
            }
        }
    }

    /// Between two consecutive turns of a member that stayed eligible, nobody else has more than one
    /// turn without an edit in between, or more than two across one edit.
    func checkNoMemberSkippedTwice() {
        for address in Set(turns.compactMap(\.member)) {
            let mine = turns.indices.filter { turns[$0].member == address }
            for (start, end) in zip(mine, mine.dropFirst()) {
                guard (start...end).allSatisfy({ turns[$0].eligible.contains(address) }) else { continue }
                let editsBetween = turns[end].edits - turns[start].edits
                guard editsBetween <= 1 else { continue }
                var counts: [String: Int] = [:]
                for index in (start + 1)..<end { if let other = turns[index].member { counts[other, default: 0] += 1 } }
                let worst = counts.values.max() ?? 0
                #expect(worst <= 1 + editsBetween, "\(address) waited through \(counts) with \(editsBetween) edit(s)")
            }
        }
    }
}
