import FoundationEssentials
import Store
import Testing
import TestSupport

/// `CallOutcomeRules.derive`: what SignalWire reported, in any order, repeated or partly missing.
struct CallOutcomeTests {
    static let t0 = Date(timeIntervalSince1970: 1_790_000_000)
    static let decision = CallFacts.DecisionFacts(time: t0, number: "+15550000001", caller: "+12135550123", pool: "sales", member: "+15551111111")
    static let members = ["+15551111111", "+15551111112", "+15551111113"]

    static func leg(_ index: Int, _ state: String, at seconds: Double) -> LegEvent {
        LegEvent(leg: "leg-\(index)", member: members[index], state: state, time: t0.addingTimeInterval(seconds))
    }

    static func facts(_ legs: [LegEvent], voicemail: Voicemail? = nil, ended: Double? = nil) -> CallFacts {
        CallFacts(id: "call-1", decision: decision, legs: legs, ended: ended.map { t0.addingTimeInterval($0) }, voicemail: voicemail)
    }

    static let later = t0.addingTimeInterval(10_000)

    @Test func theMemberWhoAnsweredTookTheCallWithTalkTime() {
        let legs = [Self.leg(0, "created", at: 1), Self.leg(1, "created", at: 1), Self.leg(0, "ringing", at: 2), Self.leg(1, "ringing", at: 2),
                    Self.leg(1, "in-progress", at: 9), Self.leg(0, "ended", at: 9.5), Self.leg(1, "ended", at: 130)]
        let call = CallOutcomeRules.derive(Self.facts(Array(legs.dropLast())), now: Self.t0.addingTimeInterval(10), voicemailSeconds: 120)
        #expect(call.outcome == .answered)
        #expect(call.member == Self.members[1])
        #expect(call.talkSeconds == nil, "not ended yet: only the answer is known")
        #expect(call.due == nil, "answered needs no waiting")
        let done = CallOutcomeRules.derive(Self.facts(legs), now: Self.later, voicemailSeconds: 120)
        #expect(done.talkSeconds == 121)
        #expect(done.rung == [Self.members[0], Self.members[1]])
        #expect(done.due == nil)
    }

    @Test func aMessageMakesItAVoicemail() {
        let legs = [Self.leg(0, "created", at: 1), Self.leg(0, "ended", at: 21)]
        let voicemail = Voicemail(callID: "call-1", recordingURL: "https://files.example/rec.mp3", duration: 14, time: Self.t0.addingTimeInterval(45))
        let call = CallOutcomeRules.derive(Self.facts(legs, voicemail: voicemail), now: Self.t0.addingTimeInterval(46), voicemailSeconds: 120)
        #expect(call.outcome == .voicemail)
        #expect(call.recordingURL == "https://files.example/rec.mp3")
        #expect(call.recordingSeconds == 14)
        #expect(call.caller == "+12135550123")
    }

    @Test func missedOnlyOnceAMessageCouldNoLongerCome() {
        let legs = [Self.leg(0, "created", at: 1), Self.leg(0, "ringing", at: 2), Self.leg(0, "ended", at: 21)]
        let waiting = CallOutcomeRules.derive(Self.facts(legs), now: Self.t0.addingTimeInterval(60), voicemailSeconds: 120)
        #expect(waiting.outcome == nil)
        #expect(waiting.due == Self.t0.addingTimeInterval(21 + 120 + CallOutcomeRules.quietSeconds))
        let missed = CallOutcomeRules.derive(Self.facts(legs), now: waiting.due!, voicemailSeconds: 120)
        #expect(missed.outcome == .missed)
        #expect(missed.ended == Self.t0.addingTimeInterval(21))
        // Without a voicemail there is only the gap between legs to wait for.
        let noVoicemail = CallOutcomeRules.derive(Self.facts(legs), now: Self.t0.addingTimeInterval(21 + CallOutcomeRules.quietSeconds), voicemailSeconds: nil)
        #expect(noVoicemail.outcome == .missed)
    }

    @Test func legsThatNeverReportAnEndAreMissedAfterTheLongWait() {
        let legs = [Self.leg(0, "created", at: 1), Self.leg(0, "ringing", at: 2)]
        let pending = CallOutcomeRules.derive(Self.facts(legs), now: Self.t0.addingTimeInterval(600), voicemailSeconds: nil)
        #expect(pending.outcome == nil)
        #expect(pending.due == Self.t0.addingTimeInterval(2 + CallOutcomeRules.giveUpSeconds))
        #expect(CallOutcomeRules.derive(Self.facts(legs), now: pending.due!, voicemailSeconds: nil).outcome == .missed)
    }

    @Test func theCallsOwnEndCountsLikeEveryLegEnding() {
        let legs = [Self.leg(0, "created", at: 1)]
        let call = CallOutcomeRules.derive(Self.facts(legs, ended: 10), now: Self.t0.addingTimeInterval(10 + CallOutcomeRules.quietSeconds), voicemailSeconds: nil)
        #expect(call.outcome == .missed)
        #expect(call.ended == Self.t0.addingTimeInterval(10))
    }

    @Test func closedAndUnroutedAreFixedButAVoicemailStillWins() {
        let closed = CallOutcome(id: "call-1", time: Self.t0, number: "+15550000001", caller: "+12135550123", pool: "sales", outcome: .closed)
        let facts = CallFacts(id: "call-1", stored: closed)
        let now = Self.t0.addingTimeInterval(1)
        #expect(CallOutcomeRules.derive(facts, now: now, voicemailSeconds: nil).outcome == .closed)
        let withVoicemail = CallOutcomeRules.derive(facts, now: now, voicemailSeconds: 60)
        #expect(withVoicemail.outcome == .closed)
        #expect(withVoicemail.due != nil, "a closed pool's voicemail may still come")
        var left = facts
        left.voicemail = Voicemail(callID: "call-1", recordingURL: "https://r", time: Self.t0.addingTimeInterval(30))
        #expect(CallOutcomeRules.derive(left, now: now, voicemailSeconds: 60).outcome == .voicemail)
        var unrouted = closed
        unrouted.outcome = .unrouted
        #expect(CallOutcomeRules.derive(CallFacts(id: "call-1", stored: unrouted), now: now, voicemailSeconds: nil).outcome == .unrouted)
        // A stored missed outcome is not a fact: the answer heard late replaces it.
        var missed = closed
        missed.outcome = .missed
        let answered = CallOutcomeRules.derive(CallFacts(id: "call-1", legs: [Self.leg(2, "in-progress", at: 3)], stored: missed),
                                               now: Self.later, voicemailSeconds: nil)
        #expect(answered.outcome == .answered)
        #expect(answered.member == Self.members[2])
    }

    @Test func onlyAStatusOfItsOwnIsNotACall() {
        #expect(!CallFacts(id: "leg-9", ended: Self.t0).isCall)
        #expect(CallFacts(id: "c", decision: Self.decision).isCall)
    }

    /// A random but plausible call: a serial or parallel ring of 1-3 members, maybe answered, maybe a
    /// voicemail, the call's own end reported or not, some events lost.
    static func scenario(_ random: inout SplitMix64) -> (events: [LegEvent], voicemail: Voicemail?, ended: Double?) {
        let count = Int.random(in: 1...3, using: &random)
        let parallel = Bool.random(using: &random)
        let answerer = Int.random(in: -1..<count, using: &random)
        var events: [LegEvent] = []
        var clock = 1.0
        for index in 0..<count {
            let start = parallel ? 1.0 : clock
            events.append(leg(index, "created", at: start))
            events.append(leg(index, "ringing", at: start + 1))
            if index == answerer {
                events.append(leg(index, "in-progress", at: start + 5))
                events.append(leg(index, "ended", at: start + 5 + Double(Int.random(in: 1...600, using: &random))))
                break
            }
            events.append(leg(index, "ended", at: start + 20))
            clock = start + 20.5
        }
        // Lost callbacks (never the answer, which would make a different call).
        events = events.filter { $0.state == "in-progress" || Int.random(in: 0..<10, using: &random) > 0 }
        let voicemail = answerer < 0 && Bool.random(using: &random)
            ? Voicemail(callID: "call-1", recordingURL: "https://r/\(count)", duration: 9, time: t0.addingTimeInterval(clock + 30)) : nil
        let ended = Bool.random(using: &random) ? clock + 40 : nil
        return (events, voicemail, ended)
    }

    /// Issue 17: the same facts in any order, each possibly twice, give the same outcome.
    @Test(arguments: 0..<300)
    func outcomesConvergeWhateverTheOrder(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed) &* 7919 &+ 17)
        let (events, voicemail, ended) = Self.scenario(&random)
        let expected = CallOutcomeRules.derive(Self.facts(events, voicemail: voicemail, ended: ended), now: Self.later, voicemailSeconds: 120)
        #expect(expected.outcome != nil, "settled long after")
        for _ in 0..<5 {
            var shuffled = events.shuffled(using: &random)
            shuffled += shuffled.filter { _ in Bool.random(using: &random) }
            shuffled.shuffle(using: &random)
            let outcome = CallOutcomeRules.derive(Self.facts(shuffled, voicemail: voicemail, ended: ended), now: Self.later, voicemailSeconds: 120)
            #expect(outcome == expected, "seed \(seed)")
        }
        let answered = events.first { $0.state == "in-progress" }
        switch expected.outcome {
        case .answered?: #expect(expected.member == answered?.member)
        case .voicemail?: #expect(answered == nil && voicemail != nil)
        case .missed?: #expect(answered == nil && voicemail == nil)
        default: Issue.record("unexpected \(String(describing: expected.outcome))")
        }
    }

    @Test func statsCountEachCallOncePerPoolAndPerMemberRung() {
        func call(_ outcome: CallOutcomeKind?, rung: [String], member: String? = nil) -> CallOutcome {
            CallOutcome(id: UUID().uuidString, time: Self.t0, number: "+1555", caller: "+1213", pool: "sales", outcome: outcome,
                        member: member, rung: rung)
        }
        let rows = CallStatsRow.aggregate([
            call(.answered, rung: ["a", "b"], member: "b"), call(.missed, rung: ["a"]), call(.voicemail, rung: ["a", "b"]),
            call(nil, rung: ["b"]), call(.closed, rung: []),
        ])
        #expect(rows == [
            CallStatsRow(pool: "sales", member: "", offered: 4, answered: 1, missed: 1, voicemails: 1),
            CallStatsRow(pool: "sales", member: "a", offered: 3, answered: 0, missed: 1, voicemails: 1),
            CallStatsRow(pool: "sales", member: "b", offered: 3, answered: 1, missed: 0, voicemails: 1),
        ])
        #expect(rows[0].answerRate == 1.0 / 3.0)
        #expect(CallStatsRow(pool: "p", member: "").answerRate == nil)
    }
}
