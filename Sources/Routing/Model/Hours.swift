import FoundationEssentials

/// A pool's weekly opening times in one timezone, and what happens while it is closed.
package struct Hours: Sendable, Equatable {
    package var timeZone: ZoneRules
    /// Open ranges per weekday; a day without ranges is closed all day.
    package var open: [Weekday: [TimeRange]]
    package var closed: ClosedAction
    /// Sent back to a customer whose text arrives while the pool is closed, besides the forward
    /// (`closed.sms_reply`); nil: no auto-reply.
    package var smsReply: String?
    /// Days closed all day whatever `open` says (the pool's `holidays`), in `timeZone`.
    package var holidays: [DayRange]

    package init(timeZone: ZoneRules, open: [Weekday: [TimeRange]], closed: ClosedAction = .voicemail, smsReply: String? = nil,
                 holidays: [DayRange] = []) {
        self.timeZone = timeZone
        self.open = open
        self.closed = closed
        self.smsReply = smsReply
        self.holidays = holidays
    }

    /// Whether `date` falls in an open range, reading the wall clock in `timeZone` (so DST moves with it).
    package func isOpen(at date: Date) -> Bool {
        guard let (weekday, minuteOfDay, day) = wallClock(at: date) else { return false }
        if !holidays.isEmpty, isHoliday(day) { return false }
        return open[weekday, default: []].contains { $0.contains(minuteOfDay) }
    }

    /// Whether local day `day` (days since 1970-01-01 in `timeZone`) is a holiday.
    func isHoliday(_ day: Int64) -> Bool {
        holidays.contains { $0.first <= day && day <= $0.last }
    }

    /// Whether `date` falls on a holiday, as this pool's clock reads it.
    package func isHoliday(at date: Date) -> Bool {
        guard let (_, _, day) = wallClock(at: date) else { return false }
        return isHoliday(day)
    }

    /// The weekday, minute of the day, and day number (since 1970-01-01) that `date` is in `timeZone`.
    func wallClock(at date: Date) -> (Weekday, Int, Int64)? {
        let utc = Int64(date.timeIntervalSince1970.rounded(.down))
        let local = utc + Int64(timeZone.secondsEast(at: utc))
        let day = floorDivide(local, 86_400)
        let minuteOfDay = Int(local - day * 86_400) / 60
        // 1970-01-01 was a Thursday: Calendar's weekday 5.
        guard let weekday = Weekday(calendarWeekday: Int(floorModulo(day + 4, 7)) + 1) else { return nil }
        return (weekday, minuteOfDay, day)
    }

    /// `date` as this pool's clock reads it, e.g. "sat 19:05 America/New_York".
    package func localTime(at date: Date) -> String {
        guard let (weekday, minute, _) = wallClock(at: date) else { return timeZone.identifier }
        return "\(weekday.rawValue) \(TimeRange.clock(minute)) \(timeZone.identifier)"
    }
}

/// What a closed pool does with a call (texts are forwarded anyway, unless the action is `pool`).
package enum ClosedAction: Sendable, Equatable {
    /// Straight to the pool's voicemail.
    case voicemail
    /// Play this text and hang up.
    case message(String)
    /// Route to this pool instead (texts too).
    case pool(String)
}

/// A day of the week as written in routes.json.
package enum Weekday: String, Sendable, CaseIterable, Comparable {
    case mon, tue, wed, thu, fri, sat, sun

    /// From `Calendar`'s numbering: 1 is Sunday.
    package init?(calendarWeekday: Int) {
        let order: [Weekday] = [.sun, .mon, .tue, .wed, .thu, .fri, .sat]
        guard (1...7).contains(calendarWeekday) else { return nil }
        self = order[calendarWeekday - 1]
    }

    package static func < (lhs: Weekday, rhs: Weekday) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A half-open range of wall-clock minutes within one day: `start ..< end`, `end` at most 24:00.
package struct TimeRange: Sendable, Hashable, CustomStringConvertible {
    /// Minutes since midnight.
    package var start: Int
    /// Minutes since midnight, after `start`; 1440 is `24:00`.
    package var end: Int

    package init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// Parses `HH:MM-HH:MM` (two-digit fields, end after start, `24:00` only as the end); nil otherwise.
    package init?(parsing text: String) {
        let halves = text.split(separator: "-", omittingEmptySubsequences: false)
        guard halves.count == 2,
              let start = Self.minutes(halves[0]), start < 24 * 60,
              let end = Self.minutes(halves[1]), end > start else { return nil }
        self.init(start: start, end: end)
    }

    package func contains(_ minuteOfDay: Int) -> Bool {
        minuteOfDay >= start && minuteOfDay < end
    }

    package func overlaps(_ other: TimeRange) -> Bool {
        start < other.end && other.start < end
    }

    /// `HH:MM-HH:MM`.
    package var description: String { "\(Self.clock(start))-\(Self.clock(end))" }

    /// Minutes of `HH:MM` (00:00 to 24:00); nil when malformed.
    static func minutes(_ text: Substring) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 5, bytes[2] == UInt8(ascii: ":"),
              let hour = Int(String(text.prefix(2))), let minute = Int(String(text.suffix(2))),
              bytes[0...1].allSatisfy({ (0x30...0x39).contains($0) }),
              bytes[3...4].allSatisfy({ (0x30...0x39).contains($0) }),
              minute < 60, hour < 24 || (hour == 24 && minute == 0) else { return nil }
        return hour * 60 + minute
    }

    static func clock(_ minutes: Int) -> String {
        let hour = minutes / 60, minute = minutes % 60
        return (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }
}

/// Whole local days, first to last inclusive, as days since 1970-01-01: a holiday or a range of them.
package struct DayRange: Sendable, Hashable {
    package var first: Int64
    package var last: Int64

    package init(first: Int64, last: Int64) {
        self.first = first
        self.last = last
    }

    /// `YYYY-MM-DD`, or `YYYY-MM-DD/YYYY-MM-DD` (ISO 8601's interval), first not after last.
    package init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let first = Self.day(parts[0]), let last = parts.count == 2 ? Self.day(parts[1]) : first,
              first <= last else { return nil }
        self.init(first: first, last: last)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian `YYYY-MM-DD` (Howard Hinnant's days_from_civil).
    static func day(_ text: Substring) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = Int64(String(text.prefix(4))), let month = Int64(String(text.dropFirst(5).prefix(2))),
              let dayOfMonth = Int64(String(text.suffix(2))), (1...12).contains(month) else { return nil }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths: [Int64] = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...lengths[Int(month - 1)]).contains(dayOfMonth) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + dayOfMonth - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
