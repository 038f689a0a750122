import FoundationEssentials

/// A message about a call (a missed call, a voicemail) to one target on one channel, kept in the
/// store from when it is decided until it is sent or given up, so that it goes out exactly once
/// whatever repeats or restarts happen in between.
public struct PendingNotification: Sendable, Equatable {
    public enum Channel: String, Sendable, Codable, CaseIterable {
        case sms, email, webhook
    }

    /// `event:call:channel:target`: the same notification decided twice is stored once.
    public var key: String { "\(event.rawValue):\(callID):\(channel.rawValue):\(target)" }
    public var callID: String
    /// `missed` or `voicemail`.
    public var event: CallOutcomeKind
    public var channel: Channel
    /// A phone number, an email address or a URL.
    public var target: String
    /// The call as it was when the notification was decided (JSON of `CallOutcome`).
    public var call: CallOutcome
    public var created: Date
    /// Delivery attempts made so far.
    public var attempts: Int

    public init(callID: String, event: CallOutcomeKind, channel: Channel, target: String, call: CallOutcome,
                created: Date, attempts: Int = 0) {
        self.callID = callID
        self.event = event
        self.channel = channel
        self.target = target
        self.call = call
        self.created = created
        self.attempts = attempts
    }
}

/// What became of one delivery attempt.
public enum NotificationResult: Sendable, Equatable {
    case sent(at: Date)
    /// Try again at `at`.
    case retry(at: Date, error: String)
    /// Given up: never tried again.
    case failed(at: Date, error: String)
}

/// Counts of notifications by channel and state (`/metrics`, `stats`).
public struct NotificationCounts: Sendable, Equatable, Codable {
    public var channel: String
    public var sent: Int
    public var pending: Int
    public var failed: Int

    public init(channel: String, sent: Int = 0, pending: Int = 0, failed: Int = 0) {
        self.channel = channel
        self.sent = sent
        self.pending = pending
        self.failed = failed
    }
}

/// A recording left for a call (`switchboard voicemails`, `/admin/voicemails`).
public struct VoicemailEntry: Sendable, Equatable, Codable {
    public var callID: String
    public var time: Date
    public var caller: String
    public var number: String
    public var pool: String
    public var recordingURL: String
    public var seconds: Int?

    public init(callID: String, time: Date, caller: String, number: String, pool: String, recordingURL: String, seconds: Int?) {
        self.callID = callID
        self.time = time
        self.caller = caller
        self.number = number
        self.pool = pool
        self.recordingURL = recordingURL
        self.seconds = seconds
    }
}
