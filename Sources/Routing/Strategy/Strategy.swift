/// How a pool orders its members for one call or text (names follow Asterisk's and FreeSWITCH's).
package enum Strategy: String, Sendable, Equatable, CaseIterable {
    /// Start at the member after the last one offered first, then the rest in turn.
    case roundRobin = "round_robin"
    /// Always from the top of the list.
    case sequential
    /// Everyone at once.
    case simultaneous
    /// Shuffled, each member's chance of each place proportional to its `weight`.
    case random
    /// Longest since last offered first; never offered before anyone else.
    case leastRecent = "least_recent"
    /// Fewest routed calls in the last 24 hours first.
    case fewestCalls = "fewest_calls"

    /// The part of `PoolState` this strategy reads.
    package var stateNeeds: StateNeeds {
        switch self {
        case .roundRobin: .position
        case .leastRecent: .lastOffered
        case .fewestCalls: .recentCounts
        case .sequential, .simultaneous, .random: []
        }
    }

    /// Whether the ordered members are rung together rather than one after another.
    package var ringsInParallel: Bool { self == .simultaneous }

    /// `round_robin, sequential, ...` for messages.
    package static var validNames: String {
        allCases.map(\.rawValue).joined(separator: ", ")
    }
}
