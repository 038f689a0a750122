import FoundationEssentials

/// The two kinds of traffic Switchboard routes.
public enum Channel: String, Sendable, Codable, CaseIterable {
    case voice
    case sms
}

/// What the store knows about one pool at the moment a decision is made.
/// The store loads it inside the decision's write transaction; strategies read it and never do I/O.
public struct PoolState: Sendable, Equatable {
    /// The member (its address: E.164 number or `sip:` URI) offered first by the pool's last decision:
    /// the round-robin position. Kept as a member, not an index, so edits to the pool behave.
    public var lastMember: String?
    /// When each member was last offered first (`least_recent`). A missing member was never offered.
    public var lastOffered: [String: Date]
    /// Decisions per member in the last 24 hours (`fewest_calls`).
    public var recentCounts: [String: Int]
    /// The member this caller was last routed to in this pool within 30 days (`sticky`).
    public var stickyMember: String?
    /// The member whose text conversation with this customer, on the dialed number, is the newest
    /// within the pool's `conversation_hours` (texts only): their next texts go there.
    public var conversationMember: String?

    public init(
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
public struct StateNeeds: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let position = StateNeeds(rawValue: 1 << 0)
    public static let lastOffered = StateNeeds(rawValue: 1 << 1)
    public static let recentCounts = StateNeeds(rawValue: 1 << 2)
    public static let sticky = StateNeeds(rawValue: 1 << 3)
    public static let conversation = StateNeeds(rawValue: 1 << 4)
    public static let all: StateNeeds = [.position, .lastOffered, .recentCounts, .sticky, .conversation]
}

/// The state a decision asks for: which pools, for which caller, at what time.
public struct StateQuery: Sendable, Equatable {
    public var pools: [String: StateNeeds]
    public var caller: String
    public var now: Date
    /// For a pool whose needs include last offers or recent counts, the members the decision orders:
    /// only theirs are read, one index lookup each. A pool without an entry (the admin view) reads
    /// every member its decisions name.
    public var members: [String: [String]]
    /// The dialed number, and how far back a conversation on it counts (`.conversation`).
    public var dialed: String
    public var conversationWindow: TimeInterval
    /// How far back `.recentCounts` counts offers, and `.sticky` remembers a caller's member.
    public var recentWindow: TimeInterval = StateQuery.recentWindow
    public var stickyWindow: TimeInterval = StateQuery.memoryWindow

    public init(pools: [String: StateNeeds], caller: String, now: Date, members: [String: [String]] = [:],
                dialed: String = "", conversationWindow: TimeInterval = 0) {
        self.pools = pools
        self.caller = caller
        self.now = now
        self.members = members
        self.dialed = dialed
        self.conversationWindow = conversationWindow
    }

    /// The window of the least-recent strategies' offer counts.
    public static let recentWindow: TimeInterval = 24 * 3600
    /// How long the line remembers who talked to whom: a sticky caller's member, and the customers a
    /// member's reply can still reach.
    public static let memoryWindow: TimeInterval = 30 * 24 * 3600
}

/// One routing decision, as recorded: the member offered first for one call or message.
public struct DecisionRecord: Sendable, Equatable, Codable {
    public var time: Date
    public var channel: Channel
    /// SignalWire's `call.call_id` / `CallSid` for calls, `MessageSid` for messages.
    public var id: String
    public var from: String
    public var to: String
    public var pool: String
    public var member: String

    public init(time: Date, channel: Channel, id: String, from: String, to: String, pool: String, member: String) {
        self.time = time
        self.channel = channel
        self.id = id
        self.from = from
        self.to = to
        self.pool = pool
        self.member = member
    }
}
