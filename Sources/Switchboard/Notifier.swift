import Dispatch
import FoundationEssentials
import Logging
import Platform
import Routing
import SignalWire
import Store
import Synchronization

/// Why one delivery did not go out: `permanent` ones are not tried again.
struct DeliveryError: Error, CustomStringConvertible {
    var message: String
    var permanent: Bool
    var description: String { message }

    static func transient(_ message: String) -> DeliveryError { DeliveryError(message: message, permanent: false) }
    static func permanent(_ message: String) -> DeliveryError { DeliveryError(message: message, permanent: true) }
}

/// How each channel sends; nil where it is not configured (those notifications fail for good, with why).
struct NotificationTransports: Sendable {
    /// Texts `body` from `from` (the pool number) to `to`.
    var sms: (@Sendable (_ from: String, _ to: String, _ body: String) throws(DeliveryError) -> Void)?
    var email: (@Sendable (_ to: String, _ subject: String, _ body: String) throws(DeliveryError) -> Void)?
    /// POSTs `body` (JSON) with `headers`.
    var webhook: (@Sendable (_ url: String, _ body: [UInt8], _ headers: [(String, String)]) throws(DeliveryError) -> Void)?
    /// Why a channel is missing, for the error of a notification that needs it.
    var missing: [PendingNotification.Channel: String] = [:]
}

/// Delivers the notifications `CallTracker` stored, off the request path: claims the due ones (a
/// lease, so another process sharing the database does not send them too), sends each, and records
/// sent, retry (with backoff) or failed. A notification is sent once: its row says so before the next
/// claim, and a delivery cut off by a crash is tried again only after its lease runs out.
final class Notifier: Sendable {
    /// The first retry waits this long; each next one twice as long, up to `maxDelay`.
    static let firstDelay: Double = 5
    static let maxDelay: Double = 3600
    /// A notification still failing this long after it was decided is given up.
    static let giveUpAfter: Double = 86400
    /// How long a claimed notification is not handed out again (longer than any one delivery takes).
    static let lease: Double = 300

    private let store: any SwitchboardStore
    private let transports: NotificationTransports
    private let texts: NotificationText
    private let onWord: @Sendable (String) -> String
    private let secret: String?
    private let metrics: Metrics
    private let logger: Logger
    private let clock: @Sendable () -> Date
    private let queue = DispatchQueue(label: "switchboard.notify", qos: .utility)
    private let timer: RepeatingTimer
    private let scheduled = Atomic<Bool>(false)

    /// `onWord`: the word that puts a paused member of a pool back on duty (its `duty_keywords`).
    init(store: any SwitchboardStore, transports: NotificationTransports, secret: String?, metrics: Metrics, logger: Logger,
         clock: @escaping @Sendable () -> Date = Date.init, onWord: @escaping @Sendable (_ pool: String) -> String = { _ in "ON" }) {
        self.store = store
        self.transports = transports
        self.onWord = onWord
        self.texts = NotificationText()
        self.secret = secret
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
        timer = RepeatingTimer(queue: queue)
    }

    func start() {
        timer.start(every: 1) { [weak self] in self?.deliverDue() }
    }

    /// Stops, waiting up to `wait` seconds for the delivery in progress: a hung mail server must not hold
    /// a shutdown past systemd's stop timeout. A delivery cut off then is tried again after its lease.
    func stop(wait: Double) {
        timer.stop()
        let idle = DispatchSemaphore(value: 0)
        queue.async { idle.signal() }
        _ = idle.wait(timeout: .now() + wait)
    }

    /// New notifications were stored: deliver now rather than at the next tick.
    func wake() {
        guard !scheduled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        queue.async { [self] in
            scheduled.store(false, ordering: .releasing)
            deliverDue()
        }
    }

    func deliverDue() {
        // While writes fail nothing could be recorded as sent: wait for the store to heal.
        guard store.health.isHealthy else { return }
        let now = clock()
        let due: [PendingNotification]
        do {
            due = try store.claimNotifications(now: now, lease: Self.lease, limit: 20)
        } catch {
            metrics.storeError(operation: "notifications")
            return
        }
        for notification in due { deliver(notification) }
    }

    private func deliver(_ notification: PendingNotification) {
        let metadata: Logger.Metadata = [
            "call.id": "\(notification.callID)", "event": "\(notification.event.rawValue)",
            "channel": "\(notification.channel.rawValue)", "attempt": "\(notification.attempts)",
        ]
        let result: NotificationResult
        do throws(DeliveryError) {
            try send(notification)
            result = .sent(at: clock())
            metrics.notification(channel: notification.channel.rawValue, result: "sent")
            logger.info("Notification sent", metadata: metadata)
        } catch {
            let now = clock()
            let delay = Self.delay(afterAttempt: notification.attempts)
            if error.permanent || now.addingTimeInterval(delay).timeIntervalSince(notification.created) > Self.giveUpAfter {
                result = .failed(at: now, error: error.message)
                metrics.notification(channel: notification.channel.rawValue, result: "failed")
                logger.error("Notification failed; not retried", metadata: metadata.merging(["error": "\(error.message)"]) { $1 })
            } else {
                result = .retry(at: now.addingTimeInterval(delay), error: error.message)
                metrics.notification(channel: notification.channel.rawValue, result: "retry")
                logger.warning("Notification not delivered; will retry", metadata: metadata.merging([
                    "error": "\(error.message)", "retry_seconds": "\(Int(delay))",
                ]) { $1 })
            }
        }
        do {
            try store.finishNotification(key: notification.key, result)
        } catch {
            // The lease runs out and it is claimed again: a sent one may then go out twice, which is
            // better than never (the store could not say it was sent).
            metrics.storeError(operation: "notifications")
            logger.error("Could not record a notification's delivery", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
    }

    /// Why the member a `.paused` notification tells is paused; a member back on duty since is not told.
    private func pauseReason(_ notification: PendingNotification) throws(DeliveryError) -> String? {
        let pauses: [MemberPause]
        do { pauses = try store.memberPauses() } catch { throw .transient("cannot read the pauses: \(error)") }
        let pool = notification.call.pool
        guard let pause = pauses.first(where: { $0.pool == pool && $0.member == notification.target }),
              Availability([pause]).isPaused(pool: pool, member: notification.target, at: clock()) else {
            throw .permanent("the member is no longer paused: not told")
        }
        return pause.reason
    }

    /// Seconds before the attempt after attempt `attempt` (1 for the first).
    static func delay(afterAttempt attempt: Int) -> Double {
        min(maxDelay, firstDelay * Double(1 << min(max(attempt - 1, 0), 20)))
    }

    private func send(_ notification: PendingNotification) throws(DeliveryError) {
        let call = notification.call
        switch notification.channel {
        case .sms:
            guard let sms = transports.sms else { throw .permanent(transports.missing[.sms] ?? "SMS is not configured") }
            guard notification.event == .paused else { return try sms(call.number, notification.target, texts.sms(notification)) }
            try sms(call.number, notification.target, texts.paused(call.pool, reason: try pauseReason(notification), onWord: onWord(call.pool)))
        case .email:
            guard let email = transports.email else { throw .permanent(transports.missing[.email] ?? "email is not configured") }
            try email(notification.target, texts.subject(notification), texts.email(notification))
        case .webhook:
            guard let webhook = transports.webhook else { throw .permanent("webhooks are not configured") }
            guard let secret else {
                throw .permanent("SWITCHBOARD_NOTIFY_SECRET is not set: webhooks are sent signed or not at all")
            }
            let body = texts.webhookBody(notification)
            try webhook(notification.target, body, [
                ("Content-Type", "application/json"), (BodySignature.header, BodySignature.sign(body, secret: secret)),
                ("X-Switchboard-Event", notification.event.rawValue), ("X-Switchboard-Delivery", notification.key),
            ])
        }
    }
}

/// The words of each notification. Pure.
struct NotificationText: Sendable {
    func subject(_ notification: PendingNotification) -> String {
        let call = notification.call
        switch notification.event {
        case .voicemail: return "Voicemail from \(call.caller)" + (call.recordingSeconds.map { " (\(Self.duration($0)))" } ?? "")
        case .missed: return "Missed call from \(call.caller)"
        case .paused: return "You are paused in \(call.pool)"
        }
    }

    /// The text to a member `max_no_answer` paused.
    func paused(_ pool: String, reason: String?, onWord: String) -> String {
        "You are paused in \(pool) (\(reason ?? "calls not answered")). Text \(onWord) to this number when you are back."
    }

    func sms(_ notification: PendingNotification) -> String {
        let call = notification.call
        var text = subject(notification) + " to \(call.number)"
        if !call.pool.isEmpty { text += " (\(call.pool))" }
        text += " at \(Self.time(call.time))."
        if let url = call.recordingURL, notification.event == .voicemail { text += " Listen: \(url)" }
        return text
    }

    func email(_ notification: PendingNotification) -> String {
        let call = notification.call
        var lines = [
            notification.event == .voicemail ? "A caller left a voicemail." : "Nobody answered a call.",
            "",
            "Caller:  \(call.caller)",
            "Dialed:  \(call.number)" + (call.pool.isEmpty ? "" : " (pool \(call.pool))"),
            "Time:    \(Self.time(call.time))",
        ]
        if !call.rung.isEmpty { lines.append("Rang:    \(call.rung.joined(separator: ", "))") }
        if notification.event == .voicemail, let url = call.recordingURL {
            lines.append("Length:  " + (call.recordingSeconds.map(Self.duration) ?? "unknown"))
            lines.append("Listen:  \(url)")
        }
        lines += ["", "Call id: \(call.id)", "-- ", "Switchboard"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The webhook's JSON, keys in a fixed order (`WebhookPayload`).
    func webhookBody(_ notification: PendingNotification) -> [UInt8] {
        let call = notification.call
        let voicemail = notification.event == .voicemail
        let payload = WebhookPayload(
            event: notification.event.rawValue, callID: call.id, caller: call.caller, number: call.number, pool: call.pool,
            time: Self.time(call.time, iso: true), rung: call.rung, recordingURL: voicemail ? call.recordingURL : nil,
            recordingSeconds: voicemail ? call.recordingSeconds : nil, delivery: notification.key)
        // Strings, numbers and arrays of strings only: encoding cannot fail.
        return (try? OrderedJSONEncoder().encode(payload)) ?? Array("{}".utf8)
    }

    struct WebhookPayload: Encodable {
        var event, callID, caller, number, pool, time: String
        var rung: [String]
        var recordingURL: String?
        var recordingSeconds: Int?
        /// The same for every attempt of one notification: receivers drop repeats by it.
        var delivery: String

        enum CodingKeys: String, CodingKey {
            case event, callID = "call_id", caller, number, pool, time, rung
            case recordingURL = "recording_url", recordingSeconds = "recording_seconds", delivery
        }
    }

    /// `2026-12-06 14:05:09 UTC`, or ISO 8601 (`2026-12-06T14:05:09Z`).
    static func time(_ date: Date, iso: Bool = false) -> String {
        let text = date.formatted(.iso8601)
        return iso ? text : text.replacingAll("T", with: " ").replacingAll("Z", with: " UTC")
    }

    /// `42 s` or `3 min 05 s`.
    static func duration(_ seconds: Int) -> String {
        seconds < 60 ? "\(seconds) s" : "\(seconds / 60) min \(seconds % 60 < 10 ? "0" : "")\(seconds % 60) s"
    }
}
