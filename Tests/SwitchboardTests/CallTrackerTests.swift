import Foundation
import HTTPServer
import Logging
import Routing
import SignalWire
import Store
import Testing
import TestSupport
@testable import Switchboard

/// The tracker and the notifier in process, on a real SQLite file: outcomes settled from stored
/// callbacks, notifications decided once and delivered once, retried, or given up with why.
@Suite(.serialized)
struct CallTrackerTests {
    static let t0 = Date(timeIntervalSince1970: 1_790_000_000)
    static let routesText = """
        {"numbers": {"+15550000001": {"voice": "sales"}},
         "pools": {"sales": {"members": ["+15551111111", "+15551111112"], "strategy": "simultaneous",
                             "notify": {"sms": ["members"], "email": ["team@example.com"], "webhook": "https://hooks.example/sb"}}}}
        """

    final class Harness: @unchecked Sendable {
        let directory: URL
        let store: SQLiteStore
        let engine: RoutingEngine
        let now = Locked(CallTrackerTests.t0)
        let sent = Locked<[(String, String, String)]>([])
        let failing = Locked(0)
        var logger = Logger(label: "test")

        init(routes: String = CallTrackerTests.routesText) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("tracker-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            store = try SQLiteStore(path: directory.appendingPathComponent("db.sqlite").path)
            engine = RoutingEngine(routes: try RoutesLoader.load(Array(routes.utf8), zones: TZDatabase()).get())
            logger.logLevel = .critical
        }

        func remove() {
            store.close()
            try? FileManager.default.removeItem(at: directory)
        }

        func tracker() -> CallTracker {
            let engine = engine
            return CallTracker(store: store, routes: { engine }, metrics: Metrics(), logger: logger, clock: { [now] in now.current })
        }

        /// Every channel records what it sends; while `failing` > 0 each attempt fails (and counts down).
        func notifier(secret: String? = "hook-secret", permanent: Bool = false) -> Notifier {
            let sent = sent, failing = failing
            @Sendable func attempt(_ channel: String, _ target: String, _ text: String) throws(DeliveryError) {
                let fail = failing.withLock { count -> Bool in
                    defer { count = max(0, count - 1) }
                    return count > 0
                }
                if fail { throw permanent ? .permanent("refused") : .transient("down") }
                sent.withLock { $0.append((channel, target, text)) }
            }
            var transports = NotificationTransports()
            transports.sms = { from, to, body throws(DeliveryError) in try attempt("sms", from + ">" + to, body) }
            transports.email = { to, subject, body throws(DeliveryError) in try attempt("email", to, subject + "\n" + body) }
            transports.webhook = { url, body, headers throws(DeliveryError) in
                let signature = headers.first { $0.0 == BodySignature.header }?.1 ?? ""
                try attempt("webhook", url, signature + " " + String(decoding: body, as: UTF8.self))
            }
            let engine = engine
            return Notifier(store: store, transports: transports, secret: secret, metrics: Metrics(), logger: logger,
                            clock: { [now] in now.current }, onWord: { engine.routes.pools[$0]?.dutyKeywords.on.first ?? "ON" })
        }

        func route(_ id: String) throws {
            let request = RouteRequest(channel: .voice, id: id, from: "+12135550123", to: "+15550000001", now: now.current)
            let route = engine.resolve(route: request)
            _ = try store.route(route.stateQuery!) { [engine] states in
                var random = SplitMix64(seed: 1)
                let outcome = engine.decide(route, states: states, random: &random)
                return ((), outcome.records)
            }
        }

        /// Call `id` routed, both members rung from 1 s to 20 s, nobody answering.
        func ringOut(_ id: String) throws {
            try route(id)
            for (leg, member) in [("a", "+15551111111"), ("b", "+15551111112")] {
                try self.leg(leg, of: id, "created", member: member, after: 1)
                try self.leg(leg, of: id, "ended", member: member, after: 20)
            }
        }

        func leg(_ leg: String, of call: String, _ state: String, member: String, after seconds: Double) throws {
            try store.recordStatus(StatusEvent(kind: .call, id: leg, status: state, time: CallTrackerTests.t0.addingTimeInterval(seconds),
                                               to: member, parent: call))
        }
    }

    @Test func aMissedCallIsSettledOnceItsWaitIsOverAndNotifiedOncePerTarget() throws {
        let h = try Harness()
        defer { h.remove() }
        let tracker = h.tracker()
        let notifier = h.notifier()
        try h.ringOut("call-1")
        h.now.withLock { $0 = Self.t0.addingTimeInterval(30) }
        tracker.settle("call-1")
        let pending = try #require(try h.store.calls(since: .distantPast, outcome: nil, pool: nil, limit: 5).first)
        #expect(pending.outcome == nil, "a voicemail may still come")
        #expect(pending.due == Self.t0.addingTimeInterval(20 + 120 + CallOutcomeRules.quietSeconds))
        notifier.deliverDue()
        #expect(h.sent.current.isEmpty)

        h.now.withLock { $0 = pending.due! }
        tracker.sweep()
        tracker.sweep()
        tracker.settle("call-1")
        let missed = try #require(try h.store.calls(since: .distantPast, outcome: .missed, pool: nil, limit: 5).first)
        #expect(missed.rung == ["+15551111111", "+15551111112"])
        notifier.deliverDue()
        notifier.deliverDue()
        let sent = h.sent.current
        #expect(sent.map(\.0).sorted() == ["email", "sms", "sms", "webhook"], "\(sent)")
        #expect(Set(sent.filter { $0.0 == "sms" }.map(\.1)) == ["+15550000001>+15551111111", "+15550000001>+15551111112"])
        let text = try #require(sent.first { $0.0 == "sms" }?.2)
        #expect(text == "Missed call from +12135550123 to +15550000001 (sales) at 2026-09-21 14:13:20 UTC.")
        let email = try #require(sent.first { $0.0 == "email" }?.2)
        #expect(email.hasPrefix("Missed call from +12135550123\nNobody answered a call."))
        #expect(email.contains("Rang:    +15551111111, +15551111112"))
        let hook = try #require(sent.first { $0.0 == "webhook" }?.2)
        let signature = String(hook.prefix { $0 != " " })
        let body = String(hook.dropFirst(signature.count + 1))
        #expect(signature == BodySignature.sign(Array(body.utf8), secret: "hook-secret"))
        #expect(body.hasPrefix(#"{"event":"missed","call_id":"call-1","caller":"+12135550123","number":"+15550000001","pool":"sales","time":"2026-09-21T14:13:20Z","rung":["#))
        #expect(!body.contains("recording_url"))
    }

    @Test func aVoicemailIsNotifiedWithItsRecordingAndTheCallbackRepeatedChangesNothing() throws {
        let h = try Harness()
        defer { h.remove() }
        let tracker = h.tracker()
        let notifier = h.notifier()
        try h.route("call-2")
        try h.leg("a", of: "call-2", "ended", member: "+15551111111", after: 20)
        let voicemail = Voicemail(callID: "call-2", recordingURL: "https://files.example/v.mp3", duration: 75, time: Self.t0.addingTimeInterval(60))
        for _ in 0..<3 {
            try h.store.recordVoicemail(voicemail)
            tracker.settle("call-2")
            notifier.deliverDue()
        }
        #expect(h.sent.current.count == 4)
        let sms = try #require(h.sent.current.first { $0.0 == "sms" }?.2)
        #expect(sms == "Voicemail from +12135550123 (1 min 15 s) to +15550000001 (sales) at 2026-09-21 14:13:20 UTC. Listen: https://files.example/v.mp3")
        let hook = try #require(h.sent.current.first { $0.0 == "webhook" }?.2)
        #expect(hook.contains(#""recording_url":"https://files.example/v.mp3","recording_seconds":75"#))
    }

    @Test func anAnsweredCallNotifiesNobodyAndKeepsItsTalkTime() throws {
        let h = try Harness()
        defer { h.remove() }
        let tracker = h.tracker()
        try h.route("call-3")
        try h.leg("b", of: "call-3", "in-progress", member: "+15551111112", after: 8)
        tracker.settle("call-3")
        try h.leg("b", of: "call-3", "ended", member: "+15551111112", after: 98)
        tracker.settle("call-3")
        let call = try #require(try h.store.calls(since: .distantPast, outcome: .answered, pool: nil, limit: 5).first)
        #expect(call.member == "+15551111112")
        #expect(call.talkSeconds == 90)
        #expect(try h.store.notificationCounts().isEmpty)
    }

    @Test func failuresAreRetriedWithBackoffAndPermanentOnesGivenUp() throws {
        let h = try Harness()
        defer { h.remove() }
        let tracker = h.tracker()
        try h.route("call-4")
        try h.store.recordVoicemail(Voicemail(callID: "call-4", recordingURL: "https://r", time: Self.t0))
        tracker.settle("call-4")
        h.failing.withLock { $0 = 4 }
        let notifier = h.notifier()
        notifier.deliverDue()
        #expect(h.sent.current.isEmpty)
        #expect(try h.store.notificationCounts().map(\.pending).reduce(0, +) == 4)
        h.now.withLock { $0 = Self.t0.addingTimeInterval(Notifier.delay(afterAttempt: 1) - 0.1) }
        notifier.deliverDue()
        #expect(h.sent.current.isEmpty, "not due yet")
        h.now.withLock { $0 = Self.t0.addingTimeInterval(Notifier.delay(afterAttempt: 1)) }
        notifier.deliverDue()
        #expect(h.sent.current.count == 4, "all went out once the transports were back")
        #expect(try h.store.notificationCounts().map(\.sent).reduce(0, +) == 4)

        try h.route("call-5")
        try h.store.recordVoicemail(Voicemail(callID: "call-5", recordingURL: "https://r5", time: Self.t0))
        tracker.settle("call-5")
        h.failing.withLock { $0 = 100 }
        let refusing = h.notifier(permanent: true)
        refusing.deliverDue()
        #expect(try h.store.notificationCounts().map(\.failed).reduce(0, +) == 4)
        h.failing.withLock { $0 = 0 }
        h.now.withLock { $0 = Self.t0.addingTimeInterval(86400) }
        refusing.deliverDue()
        #expect(h.sent.current.count == 4, "a notification given up is never sent")
    }

    /// `max_no_answer`: the members a missed call paused are told by text through the queue, from the
    /// pool's number: retried when the text fails, and not told at all once back on duty.
    @Test func pausedMembersAreToldThroughTheQueue() throws {
        let h = try Harness(routes: """
            {"numbers": {"+15550000001": {"voice": "sales"}},
             "pools": {"sales": {"members": ["+15551111111", "+15551111112"], "strategy": "simultaneous", "max_no_answer": 1,
                                 "voicemail": false, "duty_keywords": {"on": ["BACK"], "off": ["AWAY"]}}}}
            """)
        defer { h.remove() }
        let tracker = h.tracker()
        try h.ringOut("call-p")
        h.now.withLock { $0 = Self.t0.addingTimeInterval(30) }
        tracker.settle("call-p")
        if let due = try h.store.calls(since: .distantPast, outcome: nil, pool: nil, limit: 5).first?.due {
            h.now.withLock { $0 = due }
            tracker.settle("call-p")
        }
        #expect(try h.store.calls(since: .distantPast, outcome: .missed, pool: nil, limit: 5).count == 1)
        #expect(Set(try h.store.memberPauses().map(\.member)) == ["+15551111111", "+15551111112"])
        #expect(try h.store.notificationCounts().map(\.pending).reduce(0, +) == 2)

        // The second is back before the text goes out; the first's text fails once.
        try h.store.resumeMember(pool: "sales", member: "+15551111112")
        h.failing.withLock { $0 = 1 }
        let notifier = h.notifier()
        notifier.deliverDue()
        #expect(h.sent.current.isEmpty)
        #expect(try h.store.notificationCounts().map(\.failed).reduce(0, +) == 1, "not told: back on duty")
        h.now.withLock { $0 = $0.addingTimeInterval(Notifier.delay(afterAttempt: 1)) }
        notifier.deliverDue()
        #expect(h.sent.current.map(\.1) == ["+15550000001>+15551111111"])
        #expect(h.sent.current.first?.2 == "You are paused in sales (a call not answered). Text BACK to this number when you are back.")
        #expect(try h.store.notificationCounts().map(\.sent).reduce(0, +) == 1)
    }

    @Test func webhooksAreNeverSentUnsigned() throws {
        let h = try Harness()
        defer { h.remove() }
        try h.route("call-6")
        try h.store.recordVoicemail(Voicemail(callID: "call-6", recordingURL: "https://r", time: Self.t0))
        h.tracker().settle("call-6")
        h.notifier(secret: nil).deliverDue()
        #expect(h.sent.current.map(\.0).sorted() == ["email", "sms", "sms"])
        #expect(try h.store.notificationCounts().first { $0.channel == "webhook" }?.failed == 1)
    }

    @Test func backoffDoublesUpToAnHour() {
        #expect((1...6).map { Notifier.delay(afterAttempt: $0) } == [5, 10, 20, 40, 80, 160])
        #expect(Notifier.delay(afterAttempt: 30) == 3600)
    }

    @Test func closedAndUnroutedCallsAreRecordedWhenAnswered() throws {
        let h = try Harness()
        defer { h.remove() }
        let tracker = h.tracker()
        let request = RouteRequest(channel: .voice, id: "call-7", from: "+12135550123", to: "+15559999999", now: Self.t0)
        tracker.answeredWithoutRinging(request, closed: false, pool: "")
        tracker.stop()
        let call = try #require(try h.store.calls(since: .distantPast, outcome: .unrouted, pool: nil, limit: 5).first)
        #expect(call.number == "+15559999999")
        #expect(call.caller == "+12135550123")
    }
}
