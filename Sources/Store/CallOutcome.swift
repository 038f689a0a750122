import FoundationEssentials

/// How an inbound call ended for the business.
package enum CallOutcomeKind: String, Sendable, Codable, CaseIterable {
    /// A member took it (`CallOutcome.member`).
    case answered
    /// Nobody answered and the caller left a message.
    case voicemail
    /// Nobody answered (or the caller hung up first) and no message was left.
    case missed
    /// The pool was closed (its hours): the closed message played, or the caller left no message.
    case closed
    /// No pool takes calls for the dialed number: "not in service".
    case unrouted
}

/// One `calling.call.state` event of a leg the `connect` started: which member it rang and how far
/// it got. `state` is normalised (`in-progress` for `answered`, as `Webhook` stores it).
package struct LegEvent: Sendable, Equatable, Hashable {
    package var leg: String
    package var member: String?
    package var state: String
    package var time: Date

    package init(leg: String, member: String?, state: String, time: Date) {
        self.leg = leg
        self.member = member
        self.state = state
        self.time = time
    }
}

/// Everything the store knows about one call, whatever order it learned it in.
package struct CallFacts: Sendable, Equatable {
    package var id: String
    /// The routing decision (nil when the call reached us only through callbacks).
    package var decision: DecisionFacts?
    /// The leg events whose parent is this call.
    package var legs: [LegEvent]
    /// When a status callback for the call itself (not a leg) said it ended.
    package var ended: Date?
    /// The first recording stored for it.
    package var voicemail: Voicemail?
    /// The outcome stored last time. Only a `closed` or `unrouted` one, fixed when the call was
    /// answered, counts as a fact (nothing rang); any other is what this derivation replaces.
    package var stored: CallOutcome?

    /// The outcome fixed when the call was answered: nothing rang, so there is nothing to wait for.
    package var fixed: CallOutcome? {
        guard let stored, stored.outcome == .closed || stored.outcome == .unrouted else { return nil }
        return stored
    }

    package struct DecisionFacts: Sendable, Equatable {
        package var time: Date
        package var number: String
        package var caller: String
        package var pool: String
        /// The member offered first.
        package var member: String

        package init(time: Date, number: String, caller: String, pool: String, member: String) {
            self.time = time
            self.number = number
            self.caller = caller
            self.pool = pool
            self.member = member
        }
    }

    package init(id: String, decision: DecisionFacts? = nil, legs: [LegEvent] = [], ended: Date? = nil,
                voicemail: Voicemail? = nil, stored: CallOutcome? = nil) {
        self.id = id
        self.decision = decision
        self.legs = legs
        self.ended = ended
        self.voicemail = voicemail
        self.stored = stored
    }

    /// Whether this is a call Switchboard answered or rang for. A status of its own alone does not
    /// make one: that could be any leg's, reported without a parent.
    package var isCall: Bool { decision != nil || !legs.isEmpty || voicemail != nil || stored != nil }
}

/// What happened to one call: a row of `switchboard calls` and `/admin/calls`.
package struct CallOutcome: Sendable, Equatable, Codable {
    package var id: String
    /// When it was routed (or first heard of).
    package var time: Date
    /// The number dialed (a pool number).
    package var number: String
    package var caller: String
    package var pool: String
    /// nil while the call may still be answered or leave a message (`due` says when to look again).
    package var outcome: CallOutcomeKind?
    /// Who answered.
    package var member: String?
    package var answered: Date?
    package var ended: Date?
    /// Seconds from answer to hang-up, when both are known.
    package var talkSeconds: Int?
    /// Every member whose phone was rung, sorted (the member offered first when no leg was reported).
    package var rung: [String]
    package var recordingURL: String?
    package var recordingSeconds: Int?
    /// While pending: when the outcome becomes `missed` unless something else is heard first.
    package var due: Date?

    package init(id: String, time: Date, number: String, caller: String, pool: String, outcome: CallOutcomeKind?,
                member: String? = nil, answered: Date? = nil, ended: Date? = nil, talkSeconds: Int? = nil,
                rung: [String] = [], recordingURL: String? = nil, recordingSeconds: Int? = nil, due: Date? = nil) {
        self.id = id
        self.time = time
        self.number = number
        self.caller = caller
        self.pool = pool
        self.outcome = outcome
        self.member = member
        self.answered = answered
        self.ended = ended
        self.talkSeconds = talkSeconds
        self.rung = rung
        self.recordingURL = recordingURL
        self.recordingSeconds = recordingSeconds
        self.due = due
    }
}

/// Turns a call's facts into its outcome. Pure: no I/O, no clock but `now`.
///
/// Every fact is merged as a set (earliest answer, latest end, any recording), so the same facts in
/// any order, repeated or not, give the same outcome. A call is `missed` only once nothing can change
/// that any more: every leg heard of has ended (or the call itself has) and `wait` seconds have
/// passed since the last thing heard (the gap between a serial hunt's legs, and the time a caller
/// takes to leave a message); or, when an end was never reported, `giveUp` seconds after the last event.
package enum CallOutcomeRules {
    /// Seconds after the last leg ended before a call with no voicemail is missed (by default): the
    /// gap between a serial hunt's legs and between overflow pools is far shorter.
    package static let quietSeconds = 30.0
    /// Seconds after the last event before a call whose legs never reported an end is missed.
    package static let giveUpSeconds = 900.0

    /// - Parameters:
    ///   - voicemailSeconds: the longest recording of the call's voicemail, nil when it has none.
    ///   - quiet: seconds after the last leg ended before a call with no voicemail is missed.
    package static func derive(_ facts: CallFacts, now: Date, voicemailSeconds: Int?, quiet: Double = quietSeconds) -> CallOutcome {
        let decision = facts.decision
        var legStates: [String: (member: String?, answered: Date?, ended: Date?)] = [:]
        var latest = decision?.time ?? facts.fixed?.time ?? .distantPast
        var earliest = decision?.time ?? facts.fixed?.time ?? .distantFuture
        for event in facts.legs {
            var leg = legStates[event.leg] ?? (nil, nil, nil)
            if let member = event.member { leg.member = min(leg.member ?? member, member) }
            let rank = StatusProgress.rank(kind: .call, status: event.state)
            if rank == 3 { leg.answered = min(leg.answered ?? event.time, event.time) }
            if rank == StatusProgress.terminalRank { leg.ended = max(leg.ended ?? event.time, event.time) }
            legStates[event.leg] = leg
            latest = max(latest, event.time)
            earliest = min(earliest, event.time)
        }
        if let ended = facts.ended { latest = max(latest, ended) }
        if let voicemail = facts.voicemail { latest = max(latest, voicemail.time); earliest = min(earliest, voicemail.time) }

        var rung = Set(legStates.values.compactMap(\.member))
        if rung.isEmpty, let member = decision?.member, facts.fixed == nil { rung.insert(member) }
        var outcome = CallOutcome(
            id: facts.id, time: earliest == .distantFuture ? now : earliest,
            number: decision?.number ?? facts.fixed?.number ?? facts.voicemail?.to ?? "",
            caller: decision?.caller ?? facts.fixed?.caller ?? facts.voicemail?.from ?? "",
            pool: decision?.pool ?? facts.fixed?.pool ?? "", outcome: nil, rung: rung.sorted())

        // Answered: the leg answered first (ties: the smaller leg id) took the call.
        let taken = legStates.filter { $0.value.answered != nil }
            .min { ($0.value.answered!, $0.key) < ($1.value.answered!, $1.key) }
        if let (_, leg) = taken {
            outcome.outcome = .answered
            outcome.member = leg.member
            outcome.answered = leg.answered
            outcome.ended = leg.ended
            if let answered = leg.answered, let ended = leg.ended, ended >= answered {
                outcome.talkSeconds = Int((ended.timeIntervalSince(answered)).rounded())
            }
            return outcome
        }
        if let voicemail = facts.voicemail {
            outcome.outcome = .voicemail
            outcome.recordingURL = voicemail.recordingURL
            outcome.recordingSeconds = voicemail.duration
            outcome.ended = facts.ended
            return outcome
        }
        if let fixed = facts.fixed?.outcome {
            outcome.outcome = fixed
            // A closed pool's voicemail may still come: look again once a message could have been left.
            if fixed == .closed, let seconds = voicemailSeconds {
                let due = latest.addingTimeInterval(Double(seconds) + quiet)
                if now < due { outcome.due = due }
            }
            return outcome
        }
        let everyLegEnded = !legStates.isEmpty && legStates.values.allSatisfy { $0.ended != nil }
        let wait = quiet + Double(voicemailSeconds ?? 0)
        let due = facts.ended != nil || everyLegEnded
            ? latest.addingTimeInterval(wait)
            : latest.addingTimeInterval(max(giveUpSeconds, wait))
        if now >= due {
            outcome.outcome = .missed
            outcome.ended = facts.ended ?? legStates.values.compactMap(\.ended).max()
        } else {
            outcome.due = due
        }
        return outcome
    }
}

/// Per pool and member: how many calls rang them and how those ended (`stats`).
package struct CallStatsRow: Sendable, Equatable, Codable {
    package var pool: String
    /// "" for the pool's own totals.
    package var member: String
    package var offered: Int
    package var answered: Int
    package var missed: Int
    package var voicemails: Int

    package init(pool: String, member: String, offered: Int = 0, answered: Int = 0, missed: Int = 0, voicemails: Int = 0) {
        self.pool = pool
        self.member = member
        self.offered = offered
        self.answered = answered
        self.missed = missed
        self.voicemails = voicemails
    }

    /// Answered calls out of those offered that have ended one way or the other; nil when none did.
    package var answerRate: Double? {
        let settled = answered + missed + voicemails
        return settled == 0 ? nil : Double(answered) / Double(settled)
    }

    /// Pool totals (member "") then each member, both sorted. A pool counts each call once; a member
    /// counts the calls that rang them, answered only when they took it, and missed and voicemail
    /// when nobody did. Calls still pending count as offered only; closed and unrouted ones not at all.
    package static func aggregate(_ calls: [CallOutcome]) -> [CallStatsRow] {
        var rows: [String: [String: CallStatsRow]] = [:]
        func bump(_ pool: String, _ member: String, _ update: (inout CallStatsRow) -> Void) {
            var row = rows[pool]?[member] ?? CallStatsRow(pool: pool, member: member)
            update(&row)
            rows[pool, default: [:]][member] = row
        }
        for call in calls where call.outcome != .closed && call.outcome != .unrouted && !call.pool.isEmpty {
            for member in [""] + call.rung {
                bump(call.pool, member) { row in
                    row.offered += 1
                    switch call.outcome {
                    case .answered? where member.isEmpty || call.member == member: row.answered += 1
                    case .missed?: row.missed += 1
                    case .voicemail?: row.voicemails += 1
                    default: break
                    }
                }
            }
        }
        return rows.keys.sorted().flatMap { pool in rows[pool]!.keys.sorted().map { rows[pool]![$0]! } }
    }
}
