/// One pool: its settings and members.
extension RoutesDecoder {
    static let poolKeys = ["members", "strategy", "ring_timeout", "confirm", "caller_id",
                           "voicemail", "hours", "overflow", "sticky", "sms_replies", "conversation_hours"]
    static let voicemailKeys = ["greeting", "max_length"]
    static let replyKeys = ["opt_out", "opt_in", "help"]

    mutating func decodePool(named name: String, _ value: JSONValue, at path: JSONPath) -> Pool {
        var pool = Pool(name: name, members: [])
        guard let fields = fields(value, at: path, known: Self.poolKeys) else {
            incompletePools.insert(name)
            return pool
        }
        if let members = required("members", in: fields, of: value, at: path) {
            pool.members = decodeMembers(members, pool: name, at: path.key("members"))
        } else {
            incompletePools.insert(name)
        }
        if let strategy = decodeStrategy(fields["strategy"], at: path.key("strategy")) {
            pool.strategy = strategy
        }
        pool.ringTimeout = integer(fields["ring_timeout"], at: path.key("ring_timeout"),
                                   in: Pool.ringTimeoutRange, unit: "seconds") ?? Pool.defaultRingTimeout
        pool.confirm = bool(fields["confirm"], at: path.key("confirm")) ?? false
        pool.sticky = bool(fields["sticky"], at: path.key("sticky")) ?? false
        pool.conversationHours = integer(fields["conversation_hours"], at: path.key("conversation_hours"),
                                         in: Pool.conversationHoursRange, unit: "hours") ?? Pool.defaultConversationHours
        if let callerID = string(fields["caller_id"], at: path.key("caller_id")) {
            if let parsed = CallerID(rawValue: callerID) {
                pool.callerID = parsed
            } else {
                report(path.key("caller_id"), fields["caller_id"]?.position,
                       "\"\(callerID)\" is not a caller_id; valid: caller, number")
            }
        }
        if let voicemail = fields["voicemail"] {
            pool.voicemail = decodeVoicemail(voicemail, at: path.key("voicemail"))
        }
        if let replies = fields["sms_replies"], replies.kind != .null {
            pool.replies = decodeReplies(replies, at: path.key("sms_replies"))
        }
        if let hours = fields["hours"], hours.kind != .null {
            pool.hours = decodeHours(hours, pool: name, at: path.key("hours"))
        }
        if let overflowValue = fields["overflow"], let overflow = string(overflowValue, at: path.key("overflow")) {
            if overflow == name {
                report(path.key("overflow"), overflowValue.position, "a pool cannot overflow to itself")
            } else {
                pool.overflow = overflow
                references.append(PoolReference(pool: overflow, use: .overflow(from: name),
                                                path: path.key("overflow"), position: overflowValue.position))
            }
        }
        if pool.hours?.closed == .voicemail && pool.voicemail == nil, let hours = fields["hours"] {
            report(path.key("hours").key("closed"), hours["closed"]?.position ?? hours.position,
                   "closed action \"voicemail\" needs the pool's voicemail, which is off; "
                   + "turn it on or use action \"message\" or \"pool\"")
        }
        return pool
    }

    private mutating func decodeStrategy(_ value: JSONValue?, at path: JSONPath) -> Strategy? {
        guard let text = string(value, at: path) else { return nil }
        if let strategy = Strategy(rawValue: text) { return strategy }
        let names = Strategy.allCases.map(\.rawValue)
        report(path, value?.position,
               "\"\(text)\" is not a strategy\(KeySuggestion.hint(for: text, among: names)); valid: \(Strategy.validNames)")
        return nil
    }

    /// `{ "opt_out", "opt_in", "help" }`: each a text of at most one SMS body; the rest keep their defaults.
    private mutating func decodeReplies(_ value: JSONValue, at path: JSONPath) -> TextReplies {
        var replies = TextReplies()
        guard let fields = fields(value, at: path, known: Self.replyKeys) else { return replies }
        func text(_ key: String) -> String? {
            guard let text = string(fields[key], at: path.key(key)) else { return nil }
            guard text.count <= OutboundMessage.maxBodyLength else {
                report(path.key(key), fields[key]?.position, "longer than \(OutboundMessage.maxBodyLength) characters")
                return nil
            }
            return text
        }
        if let optOut = text("opt_out") { replies.optOut = optOut }
        if let optIn = text("opt_in") { replies.optIn = optIn }
        if let help = text("help") { replies.help = help }
        return replies
    }

    /// `true`, `false`, or `{ "greeting", "max_length" }`.
    private mutating func decodeVoicemail(_ value: JSONValue, at path: JSONPath) -> VoicemailConfig? {
        switch value.kind {
        case .null, .bool(true):
            return VoicemailConfig()
        case .bool(false):
            return nil
        case .object:
            var config = VoicemailConfig()
            guard let fields = fields(value, at: path, known: Self.voicemailKeys) else { return config }
            if let greeting = string(fields["greeting"], at: path.key("greeting")) {
                config.greeting = greeting
            }
            if let maxLength = integer(fields["max_length"], at: path.key("max_length"),
                                       in: VoicemailConfig.maxLengthRange, unit: "seconds") {
                config.maxLength = maxLength
            }
            return config
        default:
            report(path, value.position, "expected true, false or an object with \"greeting\" and \"max_length\", "
                   + "found \(value.typeDescription)")
            return VoicemailConfig()
        }
    }
}
