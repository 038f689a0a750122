import FoundationEssentials

/// The two kinds of traffic Switchboard routes.
package enum Channel: String, Sendable, Codable, CaseIterable {
    case voice
    case sms
}

/// What the store knows about one pool at the moment a decision is made.
/// The store loads it inside the decision's write transaction; strategies read it and never do I/O.
package struct PoolState: Sendable, Equatable {
    /// The member (its address: E.164 number or `sip:` URI) offered first by the pool's last decision:
    /// the round-robin position. Kept as a member, not an index, so edits to the pool behave.
    package var lastMember: String?
    /// When each member was last offered first (`least_recent`). A missing member was never offered.
    package var lastOffered: [String: Date]
    /// Decisions per member in the last 24 hours (`fewest_calls`).
    package var recentCounts: [String: Int]
    /// The member this caller was last routed to in this pool within 30 days (`sticky`).
    package var stickyMember: String?
    /// The member whose text conversation with this customer, on the dialed number, is the newest
    /// within the pool's `conversation_hours` (texts only): their next texts go there.
    package var conversationMember: String?

    package init(
        lastMember: String? = nil,
        lastOffered: [String: Date] = [:],
        recentCounts: [String: Int] = [:],
        stickyMember: String? = nil,
        conversationMember: String? = nil
    ) {
        self.lastMember = lastMember
        self.lastOffered = lastOffered
        self.recentCounts = recentCounts
        self.stickyMember = stickyMember
        self.conversationMember = conversationMember
    }
}

/// Which parts of `PoolState` a decision needs, so the store reads no more than that.
package struct StateNeeds: OptionSet, Sendable, Hashable {
    package let rawValue: Int
    package init(rawValue: Int) { self.rawValue = rawValue }

    package static let position = StateNeeds(rawValue: 1 << 0)
    package static let lastOffered = StateNeeds(rawValue: 1 << 1)
    package static let recentCounts = StateNeeds(rawValue: 1 << 2)
    package static let sticky = StateNeeds(rawValue: 1 << 3)
    package static let conversation = StateNeeds(rawValue: 1 << 4)
    package static let all: StateNeeds = [.position, .lastOffered, .recentCounts, .sticky, .conversation]
}

/// The state a decision asks for: which pools, for which caller, at what time.
package struct StateQuery: Sendable, Equatable {
    package var pools: [String: StateNeeds]
    package var caller: String
    package var now: Date
    /// For a pool whose needs include last offers or recent counts, the members the decision orders:
    /// only theirs are read, one index lookup each. A pool without an entry (the admin view) reads
    /// every member its decisions name.
    package var members: [String: [String]]
    /// The dialed number, and how far back a conversation on it counts (`.conversation`).
    package var dialed: String
    package var conversationWindow: TimeInterval
    /// How far back `.recentCounts` counts offers, and `.sticky` remembers a caller's member.
    package var recentWindow: TimeInterval = StateQuery.recentWindow
    package var stickyWindow: TimeInterval = StateQuery.memoryWindow

    package init(pools: [String: StateNeeds], caller: String, now: Date, members: [String: [String]] = [:],
                dialed: String = "", conversationWindow: TimeInterval = 0) {
        self.pools = pools
        self.caller = caller
        self.now = now
        self.members = members
        self.dialed = dialed
        self.conversationWindow = conversationWindow
    }

    /// The window of the least-recent strategies' offer counts.
    package static let recentWindow: TimeInterval = 24 * 3600
    /// How long the line remembers who talked to whom: a sticky caller's member, and the customers a
    /// member's reply can still reach.
    package static let memoryWindow: TimeInterval = 30 * 24 * 3600
}

/// One routing decision, as recorded: the member offered first for one call or message.
package struct DecisionRecord: Sendable, Equatable, Codable {
    package var time: Date
    package var channel: Channel
    /// SignalWire's `call.call_id` / `CallSid` for calls, `MessageSid` for messages.
    package var id: String
    package var from: String
    package var to: String
    package var pool: String
    package var member: String

    package init(time: Date, channel: Channel, id: String, from: String, to: String, pool: String, member: String) {
        self.time = time
        self.channel = channel
        self.id = id
        self.from = from
        self.to = to
        self.pool = pool
        self.member = member
    }
}
