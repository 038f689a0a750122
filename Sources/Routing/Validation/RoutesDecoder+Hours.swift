import FoundationEssentials
import JSON

/// A pool's `hours`: timezone, weekly open ranges, closed action.
extension RoutesDecoder {
    static let hoursKeys = ["timezone", "open", "closed"]
    /// A member's shift: when they take calls; the pool's closed action covers the rest.
    static let shiftKeys = ["timezone", "open"]
    static let closedKeys = ["action", "message", "pool", "sms_reply"]
    static let closedActions = ["voicemail", "message", "pool"]

    /// `shift`: a member's `hours`, which have no `closed`.
    mutating func decodeHours(_ value: JSONValue, pool: String, at path: JSONPath, shift: Bool = false) -> Hours? {
        guard let fields = fields(value, at: path, known: shift ? Self.shiftKeys : Self.hoursKeys) else { return nil }
        let timeZone = required("timezone", in: fields, of: value, at: path).flatMap {
            decodeTimeZone($0, at: path.key("timezone"))
        }
        let open = required("open", in: fields, of: value, at: path).flatMap {
            decodeOpen($0, at: path.key("open"))
        }
        var closed = ClosedAction.voicemail
        var smsReply: String?
        if let closedValue = fields["closed"], closedValue.kind != .null {
            closed = decodeClosed(closedValue, pool: pool, at: path.key("closed")) ?? .voicemail
            if case .object = closedValue.kind, let reply = string(closedValue["sms_reply"], at: path.key("closed").key("sms_reply")) {
                if reply.count > OutboundMessage.maxBodyLength {
                    report(path.key("closed").key("sms_reply"), closedValue["sms_reply"]?.position,
                           "longer than \(OutboundMessage.maxBodyLength) characters")
                } else {
                    smsReply = reply
                }
            }
        }
        guard let timeZone, let open else { return nil }
        return Hours(timeZone: timeZone, open: open, closed: closed, smsReply: smsReply)
    }

    /// `["2026-12-25", "2026-12-31/2027-01-01"]`: days (or ranges of days) closed, in the pool's zone.
    mutating func decodeHolidays(_ value: JSONValue, at path: JSONPath) -> [DayRange] {
        guard case .array(let items) = value.kind else {
            report(path, value.position, "expected a list of dates (\"2026-12-25\") or date ranges (\"2026-12-24/2026-12-26\"), found \(value.typeDescription)")
            return []
        }
        return items.enumerated().compactMap { index, item in
            guard let text = string(item, at: path.index(index)) else { return nil }
            guard let range = DayRange(parsing: text) else {
                report(path.index(index), item.position, "\"\(text)\" is not a date (YYYY-MM-DD) or a date range (YYYY-MM-DD/YYYY-MM-DD, first to last)")
                return nil
            }
            return range
        }
    }

    private mutating func decodeTimeZone(_ value: JSONValue, at path: JSONPath) -> ZoneRules? {
        guard let name = string(value, at: path) else { return nil }
        if ZoneRules.isPlausibleName(name), let zone = zones.zone(named: name) { return zone }
        let hint = KeySuggestion.hint(for: name, among: zones.identifiers)
        report(path, value.position,
               "\"\(name)\" is not an IANA timezone\(hint.isEmpty ? " (like \"America/New_York\")" : hint)")
        return nil
    }

    /// `{ "mon": "09:00-17:00", "tue": ["09:00-12:00", "13:00-17:00"], ... }`.
    private mutating func decodeOpen(_ value: JSONValue, at path: JSONPath) -> [Weekday: [TimeRange]]? {
        let days = Weekday.allCases.map(\.rawValue)
        guard let fields = fields(value, at: path, known: days) else { return nil }
        var open: [Weekday: [TimeRange]] = [:]
        for day in Weekday.allCases {
            guard let dayValue = fields[day.rawValue], dayValue.kind != .null else { continue }
            open[day] = decodeRanges(dayValue, at: path.key(day.rawValue))
        }
        return open
    }

    private mutating func decodeRanges(_ value: JSONValue, at path: JSONPath) -> [TimeRange] {
        let items: [(JSONValue, JSONPath)]
        switch value.kind {
        case .string: items = [(value, path)]
        case .array(let elements): items = elements.enumerated().map { ($0.element, path.index($0.offset)) }
        default:
            report(path, value.position, "expected \"HH:MM-HH:MM\" or a list of them, found \(value.typeDescription)")
            return []
        }
        var ranges: [TimeRange] = []
        for (item, itemPath) in items {
            guard let text = string(item, at: itemPath) else { continue }
            guard let range = TimeRange(parsing: text) else {
                report(itemPath, item.position, Self.rangeProblem(text))
                continue
            }
            if let other = ranges.first(where: { $0.overlaps(range) }) {
                report(itemPath, item.position, "\"\(range)\" overlaps \"\(other)\"")
                continue
            }
            ranges.append(range)
        }
        return ranges.sorted { $0.start < $1.start }
    }

    private static func rangeProblem(_ text: String) -> String {
        let halves = text.split(separator: "-", omittingEmptySubsequences: false)
        if halves.count == 2, let start = TimeRange.minutes(halves[0]), let end = TimeRange.minutes(halves[1]) {
            if start == 24 * 60 { return "\"\(text)\": 24:00 can only end a range" }
            if end <= start {
                return "\"\(text)\" ends before it starts; split a night shift at midnight, "
                    + "\"\(TimeRange.clock(start))-24:00\" and \"00:00-\(TimeRange.clock(end))\" on the next day"
            }
        }
        return "\"\(text)\" is not a time range like \"09:00-17:00\" (HH:MM-HH:MM, 24-hour clock)"
    }

    /// `{ "action": "voicemail" }`, `{ "action": "message", "message": TEXT }`, `{ "action": "pool", "pool": NAME }`.
    private mutating func decodeClosed(_ value: JSONValue, pool: String, at path: JSONPath) -> ClosedAction? {
        guard let fields = fields(value, at: path, known: Self.closedKeys),
              let actionValue = required("action", in: fields, of: value, at: path),
              let action = string(actionValue, at: path.key("action")) else { return nil }
        for key in ["message", "pool"] where Self.closedActions.contains(action) && key != action && fields[key] != nil {
            report(path.key(key), fields[key]?.position, "\"\(key)\" has no effect with action \"\(action)\"")
        }
        switch action {
        case "voicemail":
            return .voicemail
        case "message":
            guard let messageValue = required("message", in: fields, of: value, at: path),
                  let message = string(messageValue, at: path.key("message")) else { return nil }
            return .message(message)
        case "pool":
            guard let poolValue = required("pool", in: fields, of: value, at: path),
                  let target = string(poolValue, at: path.key("pool")) else { return nil }
            if target == pool {
                report(path.key("pool"), poolValue.position, "a pool cannot send its closed hours to itself")
                return nil
            }
            references.append(PoolReference(pool: target, use: .closed(from: pool),
                                            path: path.key("pool"), position: poolValue.position))
            return .pool(target)
        default:
            report(path.key("action"), actionValue.position,
                   "\"\(action)\" is not a closed action\(KeySuggestion.hint(for: action, among: Self.closedActions)); "
                   + "valid: \(Self.closedActions.joined(separator: ", "))")
            return nil
        }
    }
}
