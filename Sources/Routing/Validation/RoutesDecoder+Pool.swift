import JSON

/// One pool: its settings and members.
extension RoutesDecoder {
    static let poolKeys = ["members", "strategy", "ring_timeout", "confirm", "caller_id",
                           "voicemail", "hours", "holidays", "overflow", "sticky", "sms_replies", "conversation_hours", "notify",
                           "max_no_answer", "duty_keywords"]
    static let dutyKeys = ["off", "on"]
    static let voicemailKeys = ["greeting", "max_length"]
    static let replyKeys = ["opt_out", "opt_in", "help"]
    static let notifyKeys = ["on", "sms", "email", "webhook"]

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
        if let notify = fields["notify"], notify.kind != .null {
            pool.notify = decodeNotify(notify, at: path.key("notify"))
        }
        if let hours = fields["hours"], hours.kind != .null {
            pool.hours = decodeHours(hours, pool: name, at: path.key("hours"))
        }
        if let holidays = fields["holidays"], holidays.kind != .null {
            let days = decodeHolidays(holidays, at: path.key("holidays"))
            if pool.hours != nil {
                pool.hours?.holidays = days
            } else if fields["hours"] == nil || fields["hours"]?.kind == .null {
                report(path.key("holidays"), holidays.position, "holidays are days in the pool's time zone: give the pool \"hours\" (with its \"timezone\")")
            }
        }
        if let value = fields["max_no_answer"], value.kind != .null {
            pool.maxNoAnswer = integer(value, at: path.key("max_no_answer"), in: Pool.maxNoAnswerRange, unit: "offers")
        }
        if let value = fields["duty_keywords"], value.kind != .null {
            pool.dutyKeywords = decodeDutyKeywords(value, at: path.key("duty_keywords"))
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

    /// `{ "off": "OFF" or ["OFF", "PAUSE"], "on": ... }`: one word each, the two lists apart.
    private mutating func decodeDutyKeywords(_ value: JSONValue, at path: JSONPath) -> DutyKeywords {
        var keywords = DutyKeywords()
        guard let fields = fields(value, at: path, known: Self.dutyKeys) else { return keywords }
        func words(_ key: String) -> [String]? {
            guard let value = fields[key], value.kind != .null else { return nil }
            let items: [(JSONValue, JSONPath)] = switch value.kind {
            case .array(let elements): elements.enumerated().map { ($0.element, path.key(key).index($0.offset)) }
            default: [(value, path.key(key))]
            }
            let words = items.compactMap { item, itemPath -> String? in
                guard let word = string(item, at: itemPath) else { return nil }
                let parts = word.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard parts.count == 1 else {
                    report(itemPath, item.position, "expected one word, found \"\(word)\"")
                    return nil
                }
                return parts[0].uppercased()
            }
            return words.isEmpty ? nil : words
        }
        if let off = words("off") { keywords.off = off }
        if let on = words("on") { keywords.on = on }
        if let both = keywords.off.first(where: keywords.on.contains) {
            report(path, value.position, "\"\(both)\" is both an off and an on keyword")
        }
        return keywords
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

    /// `{ "on": ["missed", "voicemail"], "sms": ["members", "+1..."], "email": ["a@b.example"], "webhook": "https://..." }`.
    private mutating func decodeNotify(_ value: JSONValue, at path: JSONPath) -> NotifyConfig? {
        var config = NotifyConfig()
        guard let fields = fields(value, at: path, known: Self.notifyKeys) else { return nil }
        func list(_ key: String, _ check: (String) -> String?) -> [String] {
            guard let value = fields[key], value.kind != .null else { return [] }
            guard case .array(let items) = value.kind else {
                report(path.key(key), value.position, "expected a list of strings, found \(value.typeDescription)")
                return []
            }
            return items.enumerated().compactMap { index, item in
                guard let text = string(item, at: path.key(key).index(index)) else { return nil }
                if let problem = check(text) {
                    report(path.key(key).index(index), item.position, problem)
                    return nil
                }
                return text
            }
        }
        if fields["on"] != nil {
            let names = NotifyConfig.Event.allCases.map(\.rawValue)
            config.events = Set(list("on") { NotifyConfig.Event(rawValue: $0) == nil ? "\"\($0)\" is not an event; valid: \(names.joined(separator: ", "))" : nil }
                .compactMap(NotifyConfig.Event.init(rawValue:)))
        }
        let sms = list("sms") { $0 == "members" || Address.isE164($0) ? nil : "expected \"members\" or an E.164 number\(Self.e164Hint($0))" }
        config.smsMembers = sms.contains("members")
        config.sms = sms.filter { $0 != "members" }
        config.email = list("email") { Self.isEmailAddress($0) ? nil : "\"\($0)\" is not an email address" }
        if let webhookValue = fields["webhook"], let webhook = string(webhookValue, at: path.key("webhook")) {
            let lowered = webhook.lowercased()
            if (lowered.hasPrefix("https://") || lowered.hasPrefix("http://")) && !webhook.contains(where: { $0 == " " || $0 == "\n" }) {
                config.webhook = webhook
            } else {
                report(path.key("webhook"), webhookValue.position, "expected an http:// or https:// URL")
            }
        }
        if config.sms.isEmpty && !config.smsMembers && config.email.isEmpty && config.webhook == nil {
            report(path, value.position, "names nobody to notify: give \"sms\", \"email\" or \"webhook\"")
        }
        return config
    }

    /// `local@domain` with no spaces, angle brackets or line breaks (what an SMTP envelope accepts).
    static func isEmailAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else { return false }
        return !text.contains { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," || $0 == ";" }
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
