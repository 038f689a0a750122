/// What to answer a call or text with.
public enum RoutePlan: Sendable, Hashable {
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
    public var ringsNobody: Bool {
        switch self {
        case .notInService: true
        case .call(let call): call.steps.isEmpty
        case .message, .drop: false
        }
    }
}

/// A plan and the decisions to record before answering (at most one: the member offered first).
public struct RouteOutcome: Sendable, Equatable {
    public var plan: RoutePlan
    public var records: [DecisionRecord]

    public init(plan: RoutePlan, records: [DecisionRecord]) {
        self.plan = plan
        self.records = records
    }
}

/// A call: greeting, then each ring step in turn until someone answers, then voicemail.
///
/// When the pool is closed, `steps` is empty and either `voicemail` (action `voicemail`) or
/// `closedMessage` (action `message`: play it and hang up) is set. The greeting plays in every case.
public struct CallPlan: Sendable, Hashable {
    /// The number's greeting, played first.
    public var greeting: String?
    /// The pool rung first, then each overflow pool that is open.
    public var steps: [RingStep]
    /// The voicemail when nobody answers: the first pool's (nil when it has none: hang up).
    public var voicemail: VoicemailPlan?
    public var closedMessage: String?

    public init(greeting: String? = nil, steps: [RingStep] = [], voicemail: VoicemailPlan? = nil, closedMessage: String? = nil) {
        self.greeting = greeting
        self.steps = steps
        self.voicemail = voicemail
        self.closedMessage = closedMessage
    }
}

/// One pool's attempt: its members rung in order (`parallel` false: one after another) or together.
public struct RingStep: Sendable, Hashable {
    public var pool: String
    public var parallel: Bool
    public var targets: [RingTarget]
    /// Members must press 1 to take the call.
    public var confirm: Bool
    public var callerID: CallerID

    public init(pool: String, parallel: Bool, targets: [RingTarget], confirm: Bool, callerID: CallerID) {
        self.pool = pool
        self.parallel = parallel
        self.targets = targets
        self.confirm = confirm
        self.callerID = callerID
    }
}

/// One member to ring.
public struct RingTarget: Sendable, Hashable {
    /// E.164 number or `sip:` URI.
    public var address: String
    public var name: String?
    /// Seconds to ring.
    public var timeout: Int

    public init(address: String, name: String? = nil, timeout: Int) {
        self.address = address
        self.name = name
        self.timeout = timeout
    }
}

/// A text to send.
public struct OutboundMessage: Sendable, Hashable {
    /// The longest body SignalWire sends; longer forwarded bodies are cut to fit, ending in "…".
    public static let maxBodyLength = 1600

    public var to: String
    public var from: String
    public var body: String
    public var mediaURLs: [String]

    public init(to: String, from: String, body: String, mediaURLs: [String] = []) {
        self.to = to
        self.from = from
        self.body = body
        self.mediaURLs = mediaURLs
    }
}
