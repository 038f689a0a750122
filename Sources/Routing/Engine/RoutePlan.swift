/// What to answer a call or text with.
package enum RoutePlan: Sendable, Hashable {
    /// No pool takes calls for the dialed number: play "not in service" and hang up.
    case notInService
    case call(CallPlan)
    /// Texts to send (cXML `<Message>`s).
    case message([OutboundMessage])
    /// Do nothing: an empty `<Response/>`.
    case drop
}

extension RoutePlan {
    /// A call answered without ringing any member: not in service, or a closed pool's message or voicemail.
    package var ringsNobody: Bool {
        switch self {
        case .notInService: true
        case .call(let call): call.steps.isEmpty
        case .message, .drop: false
        }
    }
}

/// A plan and the decisions to record before answering (at most one: the member offered first).
package struct RouteOutcome: Sendable, Equatable {
    package var plan: RoutePlan
    package var records: [DecisionRecord]

    package init(plan: RoutePlan, records: [DecisionRecord]) {
        self.plan = plan
        self.records = records
    }
}

/// A call: greeting, then each ring step in turn until someone answers, then voicemail.
///
/// When the pool is closed, `steps` is empty and either `voicemail` (action `voicemail`) or
/// `closedMessage` (action `message`: play it and hang up) is set. The greeting plays in every case.
package struct CallPlan: Sendable, Hashable {
    /// The number's greeting, played first.
    package var greeting: String?
    /// The pool rung first, then each overflow pool that is open.
    package var steps: [RingStep]
    /// The voicemail when nobody answers: the first pool's (nil when it has none: hang up).
    package var voicemail: VoicemailPlan?
    package var closedMessage: String?

    package init(greeting: String? = nil, steps: [RingStep] = [], voicemail: VoicemailPlan? = nil, closedMessage: String? = nil) {
        self.greeting = greeting
        self.steps = steps
        self.voicemail = voicemail
        self.closedMessage = closedMessage
    }
}

/// One pool's attempt: its members rung in order (`parallel` false: one after another) or together.
package struct RingStep: Sendable, Hashable {
    package var pool: String
    package var parallel: Bool
    package var targets: [RingTarget]
    /// Members must press 1 to take the call.
    package var confirm: Bool
    package var callerID: CallerID

    package init(pool: String, parallel: Bool, targets: [RingTarget], confirm: Bool, callerID: CallerID) {
        self.pool = pool
        self.parallel = parallel
        self.targets = targets
        self.confirm = confirm
        self.callerID = callerID
    }
}

/// One member to ring.
package struct RingTarget: Sendable, Hashable {
    /// E.164 number or `sip:` URI.
    package var address: String
    package var name: String?
    /// Seconds to ring.
    package var timeout: Int

    package init(address: String, name: String? = nil, timeout: Int) {
        self.address = address
        self.name = name
        self.timeout = timeout
    }
}

/// A text to send.
package struct OutboundMessage: Sendable, Hashable {
    /// The longest body SignalWire sends; longer forwarded bodies are cut to fit, ending in "…".
    package static let maxBodyLength = 1600

    package var to: String
    package var from: String
    package var body: String
    package var mediaURLs: [String]

    package init(to: String, from: String, body: String, mediaURLs: [String] = []) {
        self.to = to
        self.from = from
        self.body = body
        self.mediaURLs = mediaURLs
    }
}
