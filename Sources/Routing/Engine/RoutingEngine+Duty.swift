/// A member going off or on duty by texting a pool number.
package struct DutyChange: Sendable, Equatable {
    /// True: off duty (paused); false: back on.
    package var off: Bool
    package var member: String
    /// The pools of the dialed number (its voice and text pools, their overflow and closed-hours
    /// pools) that list the member and whose keywords matched, in name order.
    package var pools: [String]
    /// The word that undoes it (the first pool's first `on` word, or `off` word).
    package var undo: String
}

extension RoutingEngine {
    /// `request` as a duty keyword (`duty_keywords`, default `OFF` / `ON`): a text from a member of one
    /// of the dialed number's pools whose whole body is one of that pool's words. nil otherwise.
    package func dutyChange(in request: RouteRequest) -> DutyChange? {
        guard request.channel == .sms, request.body.utf8.count <= 32, let route = routes.route(for: request.to) else { return nil }
        let word = TextKeyword.word(request.body)
        guard !word.isEmpty else { return nil }
        var off: Bool?
        var undo = ""
        var matched: [String] = []
        for name in reachablePools(from: [route.voice, route.sms].compactMap { $0 }) {
            guard let pool = routes.pools[name], pool.members.contains(where: { $0.address == request.from }) else { continue }
            let isOff = pool.dutyKeywords.off.contains(word)
            guard isOff || pool.dutyKeywords.on.contains(word) else { continue }
            // Pools disagreeing on the word: the first (by name) decides, the others are left alone.
            if off == nil {
                off = isOff
                undo = (isOff ? pool.dutyKeywords.on : pool.dutyKeywords.off).first ?? ""
            }
            if off == isOff { matched.append(name) }
        }
        guard let off, !matched.isEmpty else { return nil }
        return DutyChange(off: off, member: request.from, pools: matched, undo: undo)
    }

    /// `starts` and every pool their overflow and closed-hours actions lead to, each once, by name.
    func reachablePools(from starts: [String]) -> [String] {
        var seen = Set<String>()
        var queue = starts
        while let name = queue.popLast() {
            guard seen.insert(name).inserted, let pool = routes.pools[name] else { continue }
            if let overflow = pool.overflow { queue.append(overflow) }
            if case .pool(let next) = pool.hours?.closed { queue.append(next) }
        }
        return seen.filter { routes.pools[$0] != nil }.sorted()
    }
}
