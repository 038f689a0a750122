import FoundationEssentials

extension Pool {
    /// The members to offer for one decision, first choice first.
    ///
    /// Only members eligible on `channel` appear: enabled ones, and for texts only phone numbers.
    /// A sticky pool puts `state.stickyMember` first when it is eligible, then the rest in strategy
    /// order; for a text, `state.conversationMember` (when eligible) goes before even that. `simultaneous` and `sequential` keep list order (the plan rings the former in parallel).
    ///
    /// Round-robin and edits: the turn goes to the first eligible member after `state.lastMember` in
    /// the current list, wrapping around. A disabled (or SIP, for texts) `lastMember` still marks its
    /// place. A `lastMember` removed from the pool marks nothing, so the turn restarts at the top of the
    /// list: the next member is never the one that just had a turn (it is gone), and the members a
    /// restart passes over are passed over once, for that edit only.
    ///
    /// With `request`, only members on duty for it appear (`isOnDuty`: not paused, on shift); a paused
    /// `lastMember` still marks its place, so the turn passes over them and comes back after.
    package func order(
        state: PoolState,
        channel: Channel,
        random: inout some RandomNumberGenerator,
        for request: RouteRequest? = nil
    ) -> [Member] {
        var ordered: [Member]
        let eligible = { (start: Int) in self.eligible(for: channel, from: start, request: request) }
        switch strategy {
        case .sequential, .simultaneous:
            ordered = eligible(0)
        case .roundRobin:
            ordered = eligible(state.lastMember.flatMap { last in
                members.firstIndex { $0.address == last }.map { $0 + 1 }
            } ?? 0)
        case .random:
            ordered = weightedShuffle(eligible(0), random: &random)
        case .leastRecent:
            ordered = stableSorted(eligible(0)) { member in
                // Never offered sorts before any date.
                state.lastOffered[member.address].map { $0.timeIntervalSinceReferenceDate } ?? -.infinity
            }
        case .fewestCalls:
            ordered = stableSorted(eligible(0)) { Double(state.recentCounts[$0.address] ?? 0) }
        }
        if sticky, let favourite = state.stickyMember,
           let index = ordered.firstIndex(where: { $0.address == favourite }) {
            ordered.insert(ordered.remove(at: index), at: 0)
        }
        // A text conversation in progress beats the strategy and stickiness: the thread stays put.
        if channel == .sms, let partner = state.conversationMember,
           let index = ordered.firstIndex(where: { $0.address == partner }) {
            ordered.insert(ordered.remove(at: index), at: 0)
        }
        return ordered
    }

    /// The members eligible on `channel`, in list order starting at index `start` and wrapping around
    /// (round-robin: the one after the last member used), built in one array of the right size.
    private func eligible(for channel: Channel, from start: Int, request: RouteRequest?) -> [Member] {
        var result: [Member] = []
        result.reserveCapacity(members.count)
        let count = members.count
        for offset in 0..<count {
            let member = members[(start + offset) % count]
            if request.map({ isOnDuty(member, for: $0) }) ?? member.isEligible(for: channel) { result.append(member) }
        }
        return result
    }

    /// Repeatedly draws one of the remaining members with probability proportional to its weight.
    private func weightedShuffle(_ members: [Member], random: inout some RandomNumberGenerator) -> [Member] {
        var remaining = members
        var result: [Member] = []
        result.reserveCapacity(members.count)
        while !remaining.isEmpty {
            let total = remaining.reduce(UInt64(0)) { $0 + UInt64(max(1, $1.weight)) }
            var ticket = random.next(upperBound: total)
            var chosen = remaining.count - 1
            for (index, member) in remaining.enumerated() {
                let weight = UInt64(max(1, member.weight))
                if ticket < weight {
                    chosen = index
                    break
                }
                ticket -= weight
            }
            result.append(remaining.remove(at: chosen))
        }
        return result
    }

    /// Sorted by `key` ascending; equal keys keep list order.
    private func stableSorted(_ members: [Member], by key: (Member) -> Double) -> [Member] {
        members.enumerated()
            .map { (key: key($0.element), offset: $0.offset, member: $0.element) }
            .sorted { ($0.key, $0.offset) < ($1.key, $1.offset) }
            .map(\.member)
    }
}
