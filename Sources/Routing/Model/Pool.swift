import FoundationEssentials

/// A ring group: its members and how a call or text picks among them.
package struct Pool: Sendable, Equatable {
    package var name: String
    package var members: [Member]
    package var strategy: Strategy
    /// Seconds each member rings (5...600).
    package var ringTimeout: Int
    /// Members press 1 to take a call, so a member's own voicemail cannot answer it.
    package var confirm: Bool
    package var callerID: CallerID
    /// nil when the pool has no voicemail (`"voicemail": false`).
    package var voicemail: VoicemailConfig?
    /// nil: always open.
    package var hours: Hours?
    /// The pool tried when nobody in this one answers.
    package var overflow: String?
    /// A caller who reached a member in the last 30 days reaches that member first.
    package var sticky: Bool
    /// What customers are told when they text STOP, START or HELP to the pool's numbers.
    package var replies: TextReplies = TextReplies()
    /// A customer's texts within this many hours of their last exchange with a member go to that
    /// member, whatever the strategy (0: every text is routed afresh).
    package var conversationHours: Int = Pool.defaultConversationHours
    /// Who is told about missed calls and voicemails; nil: nobody.
    package var notify: NotifyConfig?
    /// Pause a member after this many offers in a row they did not answer (`max_no_answer`); nil: never.
    package var maxNoAnswer: Int?
    /// What a member texts to a pool number to go off (`off`) and on (`on`) duty: words, compared
    /// without case or surrounding spaces.
    package var dutyKeywords = DutyKeywords()

    package static let defaultConversationHours = 24
    package static let conversationHoursRange = 0...720

    package static let maxNoAnswerRange = 1...100
    package static let defaultRingTimeout = 20
    package static let ringTimeoutRange = 5...600

    package init(
        name: String,
        members: [Member],
        strategy: Strategy = .roundRobin,
        ringTimeout: Int = Pool.defaultRingTimeout,
        confirm: Bool = false,
        callerID: CallerID = .caller,
        voicemail: VoicemailConfig? = VoicemailConfig(),
        hours: Hours? = nil,
        overflow: String? = nil,
        sticky: Bool = false
    ) {
        self.name = name
        self.members = members
        self.strategy = strategy
        self.ringTimeout = ringTimeout
        self.confirm = confirm
        self.callerID = callerID
        self.voicemail = voicemail
        self.hours = hours
        self.overflow = overflow
        self.sticky = sticky
    }

    /// What the store must load for one decision of this pool.
    package var stateNeeds: StateNeeds {
        var needs = strategy.stateNeeds
        if sticky { needs.insert(.sticky) }
        return needs
    }

    /// Whether the pool is open at `date` (always, without `hours`).
    package func isOpen(at date: Date) -> Bool {
        hours?.isOpen(at: date) ?? true
    }
}

/// Which number a rung member sees as the caller.
package enum CallerID: String, Sendable, Hashable, CaseIterable {
    /// The caller's own number (SWML's default).
    case caller
    /// The dialed pool number, so members know the call came through Switchboard.
    case number
}

/// A pool's voicemail: the greeting played before the beep and the longest recording.
package struct VoicemailConfig: Sendable, Hashable {
    package static let defaultGreeting = "Sorry, nobody is available to take your call. Please leave a message after the tone."
    package static let defaultMaxLength = 120
    package static let maxLengthRange = 1...3600

    package var greeting: String
    /// Seconds.
    package var maxLength: Int

    package init(greeting: String = VoicemailConfig.defaultGreeting, maxLength: Int = VoicemailConfig.defaultMaxLength) {
        self.greeting = greeting
        self.maxLength = maxLength
    }
}

/// The voicemail a call ends in when nobody answers: the same shape as the pool's configuration.
package typealias VoicemailPlan = VoicemailConfig

/// The automatic answers to a customer's keyword texts (`sms_replies` in routes.json).
package struct TextReplies: Sendable, Equatable {
    package var optOut = "You have been unsubscribed and will get no more texts from this number. Reply START to resubscribe."
    package var optIn = "You have been resubscribed to texts from this number. Reply STOP to unsubscribe."
    package var help = "Reply STOP to unsubscribe, START to resubscribe. Our team has been told that you asked for help."

    package init() {}
}

/// Who hears about a pool's missed calls and voicemails (`notify` in routes.json).
package struct NotifyConfig: Sendable, Equatable {
    package enum Event: String, Sendable, CaseIterable {
        case missed, voicemail
    }

    /// What to tell them about (default: both).
    package var events: Set<Event> = Set(Event.allCases)
    /// Numbers texted from the pool number the call came in on; `members` expands to the pool's
    /// enabled members that are phone numbers.
    package var sms: [String] = []
    package var smsMembers = false
    package var email: [String] = []
    /// A URL that gets a signed JSON POST.
    package var webhook: String?

    package init(events: Set<Event> = Set(Event.allCases), sms: [String] = [], smsMembers: Bool = false,
                email: [String] = [], webhook: String? = nil) {
        self.events = events
        self.sms = sms
        self.smsMembers = smsMembers
        self.email = email
        self.webhook = webhook
    }

    /// The numbers to text for `pool`: the listed ones, then its members when asked, each once.
    package func smsTargets(_ pool: Pool) -> [String] {
        var targets = sms
        if smsMembers {
            targets += pool.members.filter { $0.enabled && $0.canReceiveSMS }.map(\.address)
        }
        var seen = Set<String>()
        return targets.filter { seen.insert($0).inserted }
    }
}

/// `duty_keywords`: the words a member texts to go off or on duty.
package struct DutyKeywords: Sendable, Equatable {
    package var off = ["OFF"]
    package var on = ["ON"]

    package init() {}
}
