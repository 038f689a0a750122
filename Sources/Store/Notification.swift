import FoundationEssentials

/// What a notification is about: a call nobody answered or a voicemail (the pool's `notify`), or a
/// member whom that call paused (`max_no_answer`), told by text.
package enum NotificationEvent: String, Sendable, Codable, CaseIterable {
    case missed, voicemail, paused
}

/// A message about a call (a missed call, a voicemail, the pause it caused) to one target on one
/// channel, kept in the store from when it is decided until it is sent or given up, so that it goes
/// out exactly once whatever repeats or restarts happen in between.
package struct PendingNotification: Sendable, Equatable {
    package enum Channel: String, Sendable, Codable, CaseIterable {
        case sms, email, webhook
    }

    /// `event:call:channel:target`: the same notification decided twice is stored once.
    package var key: String { "\(event.rawValue):\(callID):\(channel.rawValue):\(target)" }
    package var callID: String
    package var event: NotificationEvent
    package var channel: Channel
    /// A phone number, an email address or a URL.
    package var target: String
    /// The call as it was when the notification was decided (JSON of `CallOutcome`).
    package var call: CallOutcome
    package var created: Date
    /// Delivery attempts made so far.
    package var attempts: Int

    package init(callID: String, event: NotificationEvent, channel: Channel, target: String, call: CallOutcome,
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
package enum NotificationResult: Sendable, Equatable {
    case sent(at: Date)
    /// Try again at `at`.
    case retry(at: Date, error: String)
    /// Given up: never tried again.
    case failed(at: Date, error: String)
}

/// Counts of notifications by channel and state (`/metrics`, `stats`).
package struct NotificationCounts: Sendable, Equatable, Codable {
    package var channel: String
    package var sent: Int
    package var pending: Int
    package var failed: Int

    package init(channel: String, sent: Int = 0, pending: Int = 0, failed: Int = 0) {
        self.channel = channel
        self.sent = sent
        self.pending = pending
        self.failed = failed
    }
}

/// A recording left for a call (`switchboard voicemails`, `/admin/voicemails`).
package struct VoicemailEntry: Sendable, Equatable, Codable {
    package var callID: String
    package var time: Date
    package var caller: String
    package var number: String
    package var pool: String
    package var recordingURL: String
    package var seconds: Int?

    package init(callID: String, time: Date, caller: String, number: String, pool: String, recordingURL: String, seconds: Int?) {
        self.callID = callID
        self.time = time
        self.caller = caller
        self.number = number
        self.pool = pool
        self.recordingURL = recordingURL
        self.seconds = seconds
    }
}

extension NotificationResult {
    /// The statement that records it for notification `key`, in SQL both stores read alike (`$1`,
    /// `$2`, ... in order of appearance).
    func update(key: String) -> (sql: String, arguments: [SQLValue]) {
        switch self {
        case .sent(let time):
            ("UPDATE notifications SET sent = $1, last_error = NULL WHERE key = $2", [SQLValue(time), .text(key)])
        case .retry(let time, let error):
            ("UPDATE notifications SET next_attempt = $1, last_error = $2 WHERE key = $3", [SQLValue(time), .text(error), .text(key)])
        case .failed(let time, let error):
            ("UPDATE notifications SET failed = $1, last_error = $2 WHERE key = $3", [SQLValue(time), .text(error), .text(key)])
        }
    }
}
