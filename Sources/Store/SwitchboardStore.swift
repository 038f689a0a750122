import Dispatch
import FoundationEssentials
import Routing

/// Everything Switchboard keeps. SQLite (`SQLiteStore`) is the embedded implementation; a shared
/// PostgreSQL store is planned, so nothing above this protocol may depend on SQLite.
package protocol SwitchboardStore: AnyObject, Sendable {
    /// Runs `choose` inside one write transaction that no other thread or process can interleave with,
    /// giving it the state of the pools `query` names. Every record `choose` returns is stored, and its
    /// pool's round-robin position moves to its member, before the transaction commits; only then does
    /// `route` return `choose`'s result. If `choose` throws, nothing is written. A record for a text
    /// also remembers the conversation (`recordConversation(poolNumber: to, member:, customer: from)`)
    /// in the same transaction; a call's decision is itself a conversation (see `openConversations`).
    func route<T>(
        _ query: StateQuery,
        _ choose: ([String: PoolState]) throws -> (T, [DecisionRecord])
    ) throws -> T

    /// `route` without blocking the caller: the decision joins the next batch the store commits, and
    /// `completion` is called once that commit holds it (or with the error), on a thread of the
    /// store's choosing, so it must be quick. Concurrent calls share one commit.
    func route<T: Sendable>(
        _ query: StateQuery,
        _ choose: @escaping @Sendable ([String: PoolState]) throws -> (T, [DecisionRecord]),
        completion: @escaping @Sendable (Result<T, any Error>) -> Void
    )

    /// Until the matching `releaseCommits`, decisions asked for (from any thread) wait and then join
    /// one commit: an event loop holds commits while it reads one turn's requests, so a turn's
    /// decisions share a transaction. Holds nest. Stores without group commit ignore them.
    func holdCommits()
    func releaseCommits()

    /// The same state, read without writing anything (dry runs).
    func poolStates(_ query: StateQuery) throws -> [String: PoolState]

    /// Stores a status callback unless one with the same (id, status, sequence) is already stored.
    /// Returns the outcome; a duplicate is not an error.
    @discardableResult
    func recordStatus(_ event: StatusEvent) throws -> StatusOutcome

    func recordVoicemail(_ voicemail: Voicemail) throws

    /// The same two without blocking the caller: the write joins the next batch the store commits,
    /// and `completion` runs, on a thread of the store's choosing, once that commit holds it.
    func recordStatus(_ event: StatusEvent, completion: @escaping @Sendable (Result<StatusOutcome, any Error>) -> Void)
    func recordVoicemail(_ voicemail: Voicemail, completion: @escaping @Sendable (Result<Void, any Error>) -> Void)

    /// Remembers that `customer` texted or called `poolNumber` and was routed to `member`, so the
    /// member's reply to that number can be relayed back (masked two-way relay).
    func recordConversation(poolNumber: String, member: String, customer: String, at time: Date) throws
    /// The customers `member` has exchanged texts with through `poolNumber` since `since`, and those
    /// whose calls to `poolNumber` one of `callPools` routed to `member` in that time: each once, the
    /// newest conversation first (at most 50).
    func openConversations(poolNumber: String, member: String, since: Date, callPools: [String]) throws -> [String]

    /// Records that `customer` opted out of texts from `poolNumber` (`keyword`: what they texted), or
    /// with `keyword` nil that they opted back in. Kept until they opt in: never pruned.
    func setOptOut(poolNumber: String, customer: String, keyword: String?, at time: Date) throws
    /// Whether `customer` has opted out of texts from `poolNumber`.
    func isOptedOut(poolNumber: String, customer: String) throws -> Bool
    /// Every opt-out, newest first.
    func optOuts() throws -> [OptOut]

    // MARK: After the ring

    /// What the store knows about call `id`: its decision, its legs' events (status events whose
    /// parent it is), a status of its own that ended it, its voicemail, and the outcome stored for it.
    func callFacts(id: String) throws -> CallFacts
    /// Stores `call`'s outcome (replacing the previous one) and adds each of `notifications` unless
    /// one with its key exists, in one transaction; returns how many were added.
    @discardableResult
    func saveCall(_ call: CallOutcome, notifications: [PendingNotification]) throws -> Int
    /// Calls to derive again: pending ones due by `now`, and those heard of since `since` (a leg event
    /// or a voicemail) that have no outcome stored at all (the daemon stopped before it stored one).
    func callsToSettle(now: Date, since: Date) throws -> [String]
    /// Outcomes of calls since `since`, newest first, optionally of one kind or pool (pending ones have
    /// no kind).
    func calls(since: Date, outcome: CallOutcomeKind?, pool: String?, limit: Int) throws -> [CallOutcome]
    /// Recordings since `since`, newest first, optionally for one pool.
    func voicemails(since: Date, pool: String?, limit: Int) throws -> [VoicemailEntry]
    /// Up to `limit` notifications due by `now`, oldest first, each leased for `lease` seconds (not
    /// handed out again meanwhile, by this process or another) and its attempt counted.
    func claimNotifications(now: Date, lease: Double, limit: Int) throws -> [PendingNotification]
    func finishNotification(key: String, _ result: NotificationResult) throws
    func notificationCounts() throws -> [NotificationCounts]

    /// Keeps a number's handler fields as they were before a change; fields kept already keep their
    /// first value (the user's own, not one Switchboard set since). Never pruned.
    func keepHandlers(_ handlers: SavedHandlers) throws
    /// Every number's kept handlers, by number.
    func keptHandlers() throws -> [SavedHandlers]
    /// After a restore: the number's kept handlers are forgotten.
    func forgetHandlers(number: String) throws

    // MARK: Who is on duty

    /// Pauses `pause.member` in `pause.pool`, replacing a pause they had; their offers not answered
    /// start again from 0. Kept until resumed (an `until` in the past is a pause that is over).
    func pauseMember(_ pause: MemberPause) throws
    /// Back on duty (and offers not answered from 0); false when they were not paused.
    @discardableResult
    func resumeMember(pool: String, member: String) throws -> Bool
    /// Every pause, by pool and member.
    func memberPauses() throws -> [MemberPause]
    /// For `max_no_answer`, after a call's outcome: each of `missed` has one more offer in a row not
    /// answered, `answered` none; returns the counts after, of these members.
    func countOffers(pool: String, missed: [String], answered: String?) throws -> [String: Int]

    /// Deletes rows older than `cutoff`; returns how many.
    @discardableResult
    func prune(olderThan cutoff: Date) throws -> Int

    /// Counts of decisions per number, pool and member since `since`.
    func stats(since: Date) throws -> [StatsRow]
    func recentDecisions(channel: Channel, limit: Int) throws -> [DecisionRecord]
    /// The current state of every known call or message (latest non-regressing status).
    func currentStatus(id: String) throws -> String?
    /// Texts that SignalWire reported `failed` or `undelivered` since `since`, newest first: each such
    /// status event, its `detail` carrying the `ErrorCode` (`switchboard doctor`).
    func messageFailures(since: Date, limit: Int) throws -> [StatusEvent]

    /// Succeeds when the database answers reads.
    func ping() throws
    /// Whether writes succeed now (`/healthz`, `/metrics`, systemd's `STATUS=`): see `StoreHealth`.
    var health: StoreHealth { get }
    /// Upkeep the store needs while it runs, called about every half second from one thread: notice
    /// a database file deleted or replaced, retry (and reconnect) while degraded. Must not block long.
    func maintain()
    /// Checkpoints the WAL and closes. Further calls throw.
    func close()
}

extension SwitchboardStore {
    /// For stores without batches: the blocking write, on another thread.
    package func recordStatus(_ event: StatusEvent, completion: @escaping @Sendable (Result<StatusOutcome, any Error>) -> Void) {
        DispatchQueue.global().async { completion(Result { try self.recordStatus(event) }) }
    }

    package func recordVoicemail(_ voicemail: Voicemail, completion: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        DispatchQueue.global().async { completion(Result { try self.recordVoicemail(voicemail) }) }
    }
}

package enum StatusKind: String, Sendable, Codable {
    case call
    case message
}

package struct StatusEvent: Sendable, Equatable {
    package var kind: StatusKind
    package var id: String
    /// Normalised status (`answered` and `in-progress` are one step: store `in-progress`).
    package var status: String
    /// Sequence number, segment or other distinguishing key; "" when none.
    package var sequence: String
    package var time: Date
    package var from: String?
    package var to: String?
    package var detail: String?
    /// For a leg a `connect` started: the inbound call it belongs to (`params.parent.call_id`).
    package var parent: String?

    package init(kind: StatusKind, id: String, status: String, sequence: String = "", time: Date,
                from: String? = nil, to: String? = nil, detail: String? = nil, parent: String? = nil) {
        self.kind = kind
        self.id = id
        self.status = status
        self.sequence = sequence
        self.time = time
        self.from = from
        self.to = to
        self.detail = detail
        self.parent = parent
    }
}

package enum StatusOutcome: String, Sendable, Equatable {
    /// New event; the current status moved to it.
    case advanced
    /// New event, stored, but the current status stays (out of order, or already terminal).
    case storedOnly
    /// Same (id, status, sequence) seen before: nothing written.
    case duplicate
}

package struct Voicemail: Sendable, Equatable {
    package var callID: String
    package var recordingURL: String
    package var duration: Int?
    package var from: String?
    package var to: String?
    package var time: Date

    package init(callID: String, recordingURL: String, duration: Int? = nil, from: String? = nil, to: String? = nil, time: Date) {
        self.callID = callID
        self.recordingURL = recordingURL
        self.duration = duration
        self.from = from
        self.to = to
        self.time = time
    }
}

package struct StatsRow: Sendable, Equatable, Codable {
    package var channel: Channel
    package var number: String
    package var pool: String
    package var member: String
    package var count: Int

    package init(channel: Channel, number: String, pool: String, member: String, count: Int) {
        self.channel = channel
        self.number = number
        self.pool = pool
        self.member = member
        self.count = count
    }
}

/// A customer who texted STOP (or another opt-out keyword) to a pool number.
package struct OptOut: Sendable, Equatable, Codable {
    package var poolNumber: String
    package var customer: String
    package var keyword: String
    package var time: Date

    package init(poolNumber: String, customer: String, keyword: String, time: Date) {
        self.poolNumber = poolNumber
        self.customer = customer
        self.keyword = keyword
        self.time = time
    }
}

// What both stores compute alike around their SQL.

extension StateQuery {
    /// Each pool's state, by `load`.
    func loadStates(_ load: (String, StateNeeds) throws -> PoolState) rethrows -> [String: PoolState] {
        var states: [String: PoolState] = [:]
        for (pool, needs) in pools { states[pool] = try load(pool, needs) }
        return states
    }
}

/// The customers of a member's conversations, from (customer, time) pairs of texts and calls: each
/// once at its newest time, newest first (ties by number), at most 50 (`openConversations`).
func newestCustomers(_ pairs: [(customer: String, time: Double)]) -> [String] {
    var newest: [String: Double] = [:]
    for (customer, time) in pairs { newest[customer] = max(time, newest[customer] ?? time) }
    return newest.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(50).map(\.key)
}
