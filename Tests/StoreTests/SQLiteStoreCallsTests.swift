import Foundation
import Routing
import Testing
import TestSupport
@testable import Store

/// Call outcomes and notifications, in every store: facts gathered per call, outcomes replaced, notifications
/// stored once per key, claimed under a lease, retried and finished.
struct SQLiteStoreCallsTests {
    static let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    static func routeCall(_ store: any SwitchboardStore, id: String, member: String = "+15551111111", at time: Date = t0) throws {
        _ = try store.route(positionQuery(now: time), roundRobin([member], id: id, from: "+12135550123", now: time))
    }

    static func leg(_ leg: String, of call: String, _ status: String, member: String, at seconds: Double) -> StatusEvent {
        StatusEvent(kind: .call, id: leg, status: status, time: t0.addingTimeInterval(seconds), from: "+12135550123", to: member, parent: call)
    }

    @Test(arguments: StoreKind.available) func factsGatherTheDecisionLegsOwnStatusAndVoicemail(kind: StoreKind) throws {
        try withTemporaryStore(kind) { store in
            try Self.routeCall(store, id: "call-1")
            try Self.routeCall(store, id: "call-2")
            try store.recordStatus(Self.leg("leg-a", of: "call-1", "created", member: "+15551111111", at: 1))
            try store.recordStatus(Self.leg("leg-a", of: "call-1", "in-progress", member: "+15551111111", at: 4))
            try store.recordStatus(Self.leg("leg-a", of: "call-1", "in-progress", member: "+15551111111", at: 4))
            try store.recordStatus(Self.leg("leg-b", of: "call-2", "ended", member: "+15551111112", at: 3))
            try store.recordStatus(StatusEvent(kind: .call, id: "call-1", status: "completed", time: Self.t0.addingTimeInterval(70)))
            try store.recordVoicemail(Voicemail(callID: "call-2", recordingURL: "https://r/2.mp3", duration: 12, time: Self.t0.addingTimeInterval(50)))
            let facts = try store.callFacts(id: "call-1")
            #expect(facts.decision?.pool == "sales")
            #expect(facts.decision?.caller == "+12135550123")
            #expect(facts.decision?.number == "+15550000001")
            #expect(Set(facts.legs.map(\.state)) == ["created", "in-progress"], "the repeat is stored once")
            #expect(facts.legs.allSatisfy { $0.member == "+15551111111" && $0.leg == "leg-a" })
            #expect(facts.ended == Self.t0.addingTimeInterval(70))
            #expect(facts.voicemail == nil)
            let other = try store.callFacts(id: "call-2")
            #expect(other.legs.map(\.leg) == ["leg-b"])
            #expect(other.voicemail?.recordingURL == "https://r/2.mp3")
            #expect(!(try store.callFacts(id: "nobody")).isCall)
        }
    }

    static func outcome(_ id: String, _ kind: CallOutcomeKind?, pool: String = "sales", at time: Date = t0, due: Date? = nil) -> CallOutcome {
        CallOutcome(id: id, time: time, number: "+15550000001", caller: "+12135550123", pool: pool, outcome: kind,
                    member: kind == .answered ? "+15551111112" : nil, talkSeconds: kind == .answered ? 42 : nil,
                    rung: ["+15551111111", "+15551111112"], due: due)
    }

    static func notification(_ call: CallOutcome, _ channel: PendingNotification.Channel, _ target: String) -> PendingNotification {
        PendingNotification(callID: call.id, event: call.outcome.flatMap { NotificationEvent(rawValue: $0.rawValue) } ?? .missed, channel: channel, target: target, call: call, created: t0)
    }

    @Test(arguments: StoreKind.available) func outcomesAreReplacedAndNotificationsStoredOnce(kind: StoreKind) throws {
        try withTemporaryStore(kind) { store in
            let pending = Self.outcome("call-1", nil, due: Self.t0.addingTimeInterval(100))
            try store.saveCall(pending, notifications: [])
            #expect(try store.callsToSettle(now: Self.t0.addingTimeInterval(99), since: .distantFuture) == [])
            #expect(try store.callsToSettle(now: Self.t0.addingTimeInterval(100), since: .distantFuture) == ["call-1"])
            let missed = Self.outcome("call-1", .missed)
            let sends = [Self.notification(missed, .sms, "+15551111111"), Self.notification(missed, .email, "team@example.com")]
            #expect(try store.saveCall(missed, notifications: sends) == 2)
            #expect(try store.saveCall(missed, notifications: sends) == 0, "the same notifications decided again")
            #expect(try store.calls(since: .distantPast, outcome: nil, pool: nil, limit: 10) == [missed])
            #expect(try store.callsToSettle(now: Self.t0.addingTimeInterval(1000), since: .distantFuture) == [])
            let answered = Self.outcome("call-2", .answered, pool: "support", at: Self.t0.addingTimeInterval(5))
            try store.saveCall(answered, notifications: [])
            #expect(try store.calls(since: .distantPast, outcome: nil, pool: nil, limit: 10).map(\.id) == ["call-2", "call-1"])
            #expect(try store.calls(since: .distantPast, outcome: .answered, pool: nil, limit: 10) == [answered])
            #expect(try store.calls(since: .distantPast, outcome: nil, pool: "sales", limit: 10).map(\.id) == ["call-1"])
            #expect(try store.calls(since: Self.t0.addingTimeInterval(1), outcome: nil, pool: nil, limit: 10).map(\.id) == ["call-2"])
        }
    }

    @Test(arguments: StoreKind.available) func callsHeardOfWithoutAnOutcomeAreFoundAgain(kind: StoreKind) throws {
        try withTemporaryStore(kind) { store in
            try store.recordStatus(Self.leg("leg-a", of: "call-1", "created", member: "+1555", at: 1))
            try store.recordVoicemail(Voicemail(callID: "call-2", recordingURL: "https://r", time: Self.t0.addingTimeInterval(2)))
            try store.recordStatus(StatusEvent(kind: .call, id: "orphan-leg", status: "ended", time: Self.t0))
            let found = try store.callsToSettle(now: Self.t0, since: Self.t0.addingTimeInterval(-60))
            #expect(Set(found) == ["call-1", "call-2"])
            try store.saveCall(Self.outcome("call-1", .missed), notifications: [])
            #expect(try store.callsToSettle(now: Self.t0, since: Self.t0.addingTimeInterval(-60)) == ["call-2"])
            #expect(try store.callsToSettle(now: Self.t0, since: Self.t0.addingTimeInterval(10)) == [], "only since the last sweep")
        }
    }

    @Test(arguments: StoreKind.available) func notificationsAreLeasedRetriedAndFinished(kind: StoreKind) throws {
        try withTemporaryStore(kind) { store in
            let call = Self.outcome("call-1", .voicemail)
            try store.saveCall(call, notifications: [Self.notification(call, .sms, "+1555"), Self.notification(call, .webhook, "https://hook")])
            let first = try store.claimNotifications(now: Self.t0, lease: 300, limit: 10)
            #expect(first.map(\.channel) == [.sms, .webhook] || first.map(\.channel) == [.webhook, .sms])
            #expect(first.allSatisfy { $0.attempts == 1 && $0.call == call })
            #expect(try store.claimNotifications(now: Self.t0.addingTimeInterval(299), lease: 300, limit: 10).isEmpty, "leased")
            let sms = try #require(first.first { $0.channel == .sms })
            let hook = try #require(first.first { $0.channel == .webhook })
            try store.finishNotification(key: sms.key, .sent(at: Self.t0.addingTimeInterval(1)))
            try store.finishNotification(key: hook.key, .retry(at: Self.t0.addingTimeInterval(10), error: "HTTP 500"))
            let again = try store.claimNotifications(now: Self.t0.addingTimeInterval(10), lease: 300, limit: 10)
            #expect(again.map(\.key) == [hook.key])
            #expect(again.first?.attempts == 2)
            try store.finishNotification(key: hook.key, .failed(at: Self.t0.addingTimeInterval(11), error: "HTTP 404"))
            #expect(try store.claimNotifications(now: Self.t0.addingTimeInterval(10_000), lease: 300, limit: 10).isEmpty)
            #expect(try store.notificationCounts() == [
                NotificationCounts(channel: "sms", sent: 1), NotificationCounts(channel: "webhook", failed: 1),
            ])
        }
    }

    @Test(arguments: StoreKind.available) func voicemailsListWithTheirCallsPool(kind: StoreKind) throws {
        try withTemporaryStore(kind) { store in
            try Self.routeCall(store, id: "call-1")
            try store.recordVoicemail(Voicemail(callID: "call-1", recordingURL: "https://r/1", duration: 7, time: Self.t0.addingTimeInterval(40)))
            try store.recordVoicemail(Voicemail(callID: "call-9", recordingURL: "https://r/9", from: "+1999", to: "+1888", time: Self.t0.addingTimeInterval(50)))
            let all = try store.voicemails(since: .distantPast, pool: nil, limit: 10)
            #expect(all.map(\.callID) == ["call-9", "call-1"])
            #expect(all.last == VoicemailEntry(callID: "call-1", time: Self.t0.addingTimeInterval(40), caller: "+12135550123",
                                               number: "+15550000001", pool: "sales", recordingURL: "https://r/1", seconds: 7))
            #expect(all.first?.caller == "+1999")
            #expect(try store.voicemails(since: .distantPast, pool: "sales", limit: 10).map(\.callID) == ["call-1"])
        }
    }

    @Test(arguments: StoreKind.available) func pruneForgetsOldOutcomesAndNotifications(kind: StoreKind) throws {
        try withTemporaryStore(kind) { store in
            let old = Self.outcome("old", .missed, at: Self.t0.addingTimeInterval(-100 * 86400))
            var oldNote = Self.notification(old, .sms, "+1555")
            oldNote.created = old.time
            try store.saveCall(old, notifications: [oldNote])
            try store.saveCall(Self.outcome("new", .missed), notifications: [Self.notification(Self.outcome("new", .missed), .sms, "+1555")])
            #expect(try store.prune(olderThan: Self.t0.addingTimeInterval(-86400)) == 2)
            #expect(try store.calls(since: .distantPast, outcome: nil, pool: nil, limit: 10).map(\.id) == ["new"])
            #expect(try store.notificationCounts() == [NotificationCounts(channel: "sms", pending: 1)])
        }
    }
}
