import Dispatch
import FoundationEssentials
import Logging
import Platform
import Routing
import Store
import Synchronization

/// Follows each call after its answer: derives its outcome (`CallOutcomeRules`) from what the store
/// holds whenever a leg event or voicemail for it is stored, and again when a pending call falls due;
/// stores the outcome and, for a missed call or a voicemail, the pool's notifications (`notify`), which
/// `Notifier` delivers. All of it on one queue of its own, never on the request path.
///
/// Nothing here is kept only in memory: pending calls carry their due time in the store, and calls
/// heard of without an outcome are found again after a restart (`SwitchboardStore.callsToSettle`).
final class CallTracker: Sendable {
    private let store: any SwitchboardStore
    private let routes: @Sendable () -> RoutingEngine
    private let metrics: Metrics
    private let logger: Logger
    /// Failures are summarised there: a full disk must not log a line per callback.
    private let failureLog: StoreFailureLog
    private let clock: @Sendable () -> Date
    /// `CallOutcomeRules.derive`'s `quiet` (`SWITCHBOARD_MISSED_AFTER`).
    private let quiet: Double
    private let queue = DispatchQueue(label: "switchboard.calls", qos: .utility)
    /// Called when notifications were added (the notifier's wake-up).
    private let onNotifications: @Sendable () -> Void
    /// Pauses for `max_no_answer` go through it.
    private let roster: DutyRoster
    private struct State {
        var waiting: Set<String> = []
        var drainScheduled = false
        /// How far back the next sweep looks for calls without an outcome (a day at start).
        var sweptUntil: Date?
    }
    private let state = Mutex(State())
    private let timer: RepeatingTimer

    /// How far back a restart looks for calls heard of but never settled.
    static let recoveryWindow: TimeInterval = 86400

    init(store: any SwitchboardStore, routes: @escaping @Sendable () -> RoutingEngine, metrics: Metrics, logger: Logger,
         failureLog: StoreFailureLog? = nil, clock: @escaping @Sendable () -> Date = Date.init, quiet: Double = CallOutcomeRules.quietSeconds,
         onNotifications: @escaping @Sendable () -> Void = {}, roster: DutyRoster? = nil) {
        self.quiet = quiet
        self.roster = roster ?? DutyRoster(store: store, logger: logger, readingThrough: true)
        self.store = store
        self.routes = routes
        self.metrics = metrics
        self.logger = logger
        self.failureLog = failureLog ?? StoreFailureLog(logger: logger)
        self.clock = clock
        self.onNotifications = onNotifications
        timer = RepeatingTimer(queue: queue)
    }

    /// Settles what the last run left (before returning, so that a start-up finds it done and the
    /// database files it reads are open before serving), then looks again every `interval` seconds for
    /// pending calls that fell due and unsettled ones.
    func start() {
        let interval = 2.0
        queue.sync { sweep() }
        timer.start(every: interval) { [weak self] in self?.sweep() }
    }

    func stop() {
        timer.stop()
        queue.sync {}
    }

    /// Something about call `id` was stored (a leg event, its own status, a voicemail): derive again soon.
    func noticed(_ id: String) {
        guard !id.isEmpty else { return }
        let schedule = state.withLock { state -> Bool in
            state.waiting.insert(id)
            defer { state.drainScheduled = true }
            return !state.drainScheduled
        }
        if schedule { queue.async { [self] in drain() } }
    }

    /// A call answered without ringing anyone (a closed pool, a number no pool takes): its outcome is
    /// known now. Stored off the caller's thread.
    func answeredWithoutRinging(_ request: RouteRequest, closed: Bool, pool: String) {
        let call = CallOutcome(id: request.id, time: request.now, number: request.to, caller: request.from, pool: pool,
                               outcome: closed ? .closed : .unrouted)
        queue.async { [self] in
            do {
                // A voicemail already stored for it (a closed pool's) wins: derive rather than overwrite.
                let facts = try store.callFacts(id: request.id)
                if !facts.isCall {
                    try store.saveCall(call, notifications: [])
                    metrics.callSettled(pool: pool.isEmpty ? "none" : pool, outcome: call.outcome!.rawValue)
                } else {
                    settle(request.id)
                }
            } catch {
                failed(error, id: request.id)
            }
        }
    }

    private func drain() {
        let ids = state.withLock { state -> Set<String> in
            defer { state.waiting.removeAll(); state.drainScheduled = false }
            return state.waiting
        }
        for id in ids.sorted() { settle(id) }
    }

    /// Pending calls due now, and calls heard of since the last sweep (a day, after a start) that have
    /// no outcome stored: their first settle failed, or the daemon stopped before it.
    func sweep() {
        let now = clock()
        let since = state.withLock { $0.sweptUntil } ?? now.addingTimeInterval(-Self.recoveryWindow)
        do {
            // Back a little from the last sweep: a callback stored just before it may not have been settled yet.
            var settled = true
            for id in try store.callsToSettle(now: now, since: since.addingTimeInterval(-60)) { settled = settle(id) && settled }
            // A call that could not be settled is looked for again from the same point next time.
            if settled { state.withLock { $0.sweptUntil = now } }
        } catch {
            failed(error, id: "")
        }
    }

    /// Derives call `id`'s outcome from the store and stores it with the notifications it calls for;
    /// false when the store failed.
    @discardableResult
    func settle(_ id: String) -> Bool {
        do {
            let facts = try store.callFacts(id: id)
            guard facts.isCall else { return true }
            let engine = routes()
            let poolName = facts.decision?.pool ?? facts.stored?.pool ?? ""
            let pool = engine.routes.pools[poolName]
            let voicemailSeconds = pool?.voicemail?.maxLength
            let call = CallOutcomeRules.derive(facts, now: clock(), voicemailSeconds: voicemailSeconds, quiet: quiet)
            let notifications = pool.map { Self.notifications(for: call, pool: $0, now: clock()) } ?? []
            if call == facts.stored { return true }
            let added = try store.saveCall(call, notifications: notifications)
            if let outcome = call.outcome, outcome != facts.stored?.outcome {
                metrics.callSettled(pool: poolName.isEmpty ? "none" : poolName, outcome: outcome.rawValue)
                logger.info("Call settled", metadata: [
                    "call.id": "\(id)", "pool": "\(poolName)", "outcome": "\(outcome.rawValue)",
                    "member": "\(call.member.map(Redact.member) ?? "")", "notifications": "\(added)",
                ])
            }
            if added > 0 { onNotifications() }
            if let pool, let limit = pool.maxNoAnswer, let outcome = call.outcome, facts.stored?.outcome == nil,
               [.answered, .missed, .voicemail].contains(outcome) {
                try countOffers(call, pool: pool, limit: limit)
            }
            return true
        } catch {
            failed(error, id: id)
            return false
        }
    }

    /// `max_no_answer`: the members `call` rang who did not answer have one more offer in a row not
    /// answered, the one who did none; those reaching `limit` are paused (by `auto`) and told by a
    /// text through the notification queue (retried, kept across restarts; a SIP member is not told).
    private func countOffers(_ call: CallOutcome, pool: Pool, limit: Int) throws {
        let addresses = Set(pool.members.map(\.address))
        let missed = call.rung.filter { $0 != call.member && addresses.contains($0) }
        guard !missed.isEmpty || call.member != nil else { return }
        let counts = try store.countOffers(pool: pool.name, missed: missed, answered: call.member)
        let paused = Availability(try store.memberPauses())
        for (member, count) in counts.sorted(by: { $0.key < $1.key })
        where count >= limit && !paused.isPaused(pool: pool.name, member: member, at: clock()) {
            let reason = count == 1 ? "a call not answered" : "\(count) calls in a row not answered"
            let pause = MemberPause(pool: pool.name, member: member, by: .auto, reason: reason, since: clock())
            try roster.pause(pause)
            metrics.textKeyword("auto_pause")
            if Address.isE164(member) {
                let notice = PendingNotification(callID: call.id, event: .paused, channel: .sms, target: member, call: call, created: clock())
                if try store.saveCall(call, notifications: [notice]) > 0 { onNotifications() }
            }
        }
    }

    /// What `pool.notify` asks to be sent about `call`: one per channel and target, for a missed call
    /// or a voicemail it names. Pure.
    static func notifications(for call: CallOutcome, pool: Pool, now: Date) -> [PendingNotification] {
        guard let notify = pool.notify, let outcome = call.outcome, let kind = NotificationEvent(rawValue: outcome.rawValue),
              let event = NotifyConfig.Event(rawValue: outcome.rawValue), notify.events.contains(event) else { return [] }
        var targets: [(PendingNotification.Channel, String)] = notify.smsTargets(pool).map { (.sms, $0) }
        targets += notify.email.map { (.email, $0) }
        if let webhook = notify.webhook { targets.append((.webhook, webhook)) }
        return targets.map { PendingNotification(callID: call.id, event: kind, channel: $0.0, target: $0.1, call: call, created: now) }
    }

    /// Tried again by the next sweep (a pending call's due time, or one heard of without an outcome).
    private func failed(_ error: any Error, id: String) {
        metrics.storeError(operation: "call_outcome")
        failureLog.failed("call outcome", error, requestID: id)
    }
}
