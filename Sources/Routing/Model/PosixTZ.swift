/// A POSIX TZ rule, as in a TZif footer (RFC 8536 section 3.3): `EST5EDT,M3.2.0,M11.1.0`,
/// `<+1030>-10:30<+11>-11,M10.1.0,M4.1.0`, `CET-1CEST,M3.5.0,M10.5.0/3`, `JST-9`.
struct PosixTZ: Sendable, Equatable {
    /// Seconds east of UTC outside daylight saving time, and in it.
    let standard: Int
    let daylight: Int?
    let start: DateRule
    let end: DateRule

    /// The day a change happens in a year, and the local wall-clock time of day (seconds, may be
    /// negative or past 24 h) at which it does.
    struct DateRule: Sendable, Equatable {
        enum Day: Sendable, Equatable {
            /// `Jn`: day 1...365, February 29 never counted.
            case julian(Int)
            /// `n`: day 0...365, February 29 counted.
            case zeroBased(Int)
            /// `Mm.w.d`: weekday d (0 Sunday) of week w (1...5, 5 the last) of month m.
            case monthWeekDay(month: Int, week: Int, weekday: Int)
        }

        let day: Day
        let time: Int
    }

    init?(_ text: String) {
        var scanner = Scanner(Array(text.utf8))
        guard scanner.name(), let standardOffset = scanner.offset(hoursLimit: 24) else { return nil }
        standard = -standardOffset
        guard !scanner.atEnd else {
            daylight = nil
            start = DateRule(day: .julian(1), time: 0)
            end = start
            return
        }
        guard scanner.name() else { return nil }
        if scanner.peek != UInt8(ascii: ","), !scanner.atEnd {
            guard let daylightOffset = scanner.offset(hoursLimit: 24) else { return nil }
            daylight = -daylightOffset
        } else {
            daylight = standard + 3600
        }
        if scanner.atEnd {
            // No rule: the US rule, as glibc assumes.
            start = DateRule(day: .monthWeekDay(month: 3, week: 2, weekday: 0), time: 7200)
            end = DateRule(day: .monthWeekDay(month: 11, week: 1, weekday: 0), time: 7200)
            return
        }
        guard scanner.take(","), let start = scanner.dateRule(), scanner.take(","),
              let end = scanner.dateRule(), scanner.atEnd else { return nil }
        self.start = start
        self.end = end
    }

    func secondsEast(at unixSeconds: Int64) -> Int {
        guard let daylight else { return standard }
        // The changes of the years around the instant, in order; the last one at or before it wins.
        let year = Civil.year(ofDay: floorDivide(unixSeconds + Int64(standard), 86_400))
        var changes: [(at: Int64, offset: Int)] = []
        for y in (year - 1)...(year + 1) {
            // The start is given in standard time, the end in daylight time.
            changes.append((start.instant(year: y, offset: standard), daylight))
            changes.append((end.instant(year: y, offset: daylight), standard))
        }
        changes.sort { $0.at < $1.at }
        return changes.last(where: { $0.at <= unixSeconds })?.offset ?? standard
    }
}

extension PosixTZ.DateRule {
    /// The Unix time of this change in `year`, for a wall clock `offset` seconds east of UTC.
    func instant(year: Int, offset: Int) -> Int64 {
        let january1 = Civil.days(year: year, month: 1, day: 1)
        let leap = Civil.isLeap(year)
        let day: Int64
        switch self.day {
        case .julian(let n):
            day = january1 + Int64(n - 1 + (leap && n >= 60 ? 1 : 0))
        case .zeroBased(let n):
            day = january1 + Int64(n)
        case .monthWeekDay(let month, let week, let weekday):
            let first = Civil.days(year: year, month: month, day: 1)
            let firstWeekday = Int(floorModulo(first + 4, 7))  // 1970-01-01 was a Thursday
            var dayOfMonth = 1 + (weekday - firstWeekday + 7) % 7 + (week - 1) * 7
            let length = Civil.monthLength(year: year, month: month)
            while dayOfMonth > length { dayOfMonth -= 7 }
            day = first + Int64(dayOfMonth - 1)
        }
        return day * 86_400 + Int64(time - offset)
    }
}

/// The proleptic Gregorian calendar on day numbers (days since 1970-01-01).
enum Civil {
    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func monthLength(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a date (H. Hinnant's `days_from_civil`).
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let shiftedMonth = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The year that day number `days` falls in.
    static func year(ofDay days: Int64) -> Int {
        let z = days + 719_468
        let era = floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        return Int(yearOfEra + era * 400 + (shiftedMonth >= 10 ? 1 : 0))
    }
}

func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
    a >= 0 ? a / b : -((-a + b - 1) / b)
}

func floorModulo(_ a: Int64, _ b: Int64) -> Int64 {
    a - floorDivide(a, b) * b
}

/// Reads the parts of a TZ string.
private struct Scanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }
    var peek: UInt8? { atEnd ? nil : bytes[index] }

    mutating func take(_ character: Character) -> Bool {
        guard let peek, let ascii = character.asciiValue, peek == ascii else { return false }
        index += 1
        return true
    }

    /// `EST` (three or more letters) or `<+0330>` (letters, digits, `+`, `-` in angle brackets).
    mutating func name() -> Bool {
        if take("<") {
            let begin = index
            while let byte = peek, byte != UInt8(ascii: ">") {
                guard isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") else {
                    return false
                }
                index += 1
            }
            return index - begin >= 3 && take(">")
        }
        let begin = index
        while let byte = peek, isLetter(byte) { index += 1 }
        return index - begin >= 3
    }

    /// `[+-]hh[:mm[:ss]]` in seconds, hours at most `hoursLimit`.
    mutating func offset(hoursLimit: Int) -> Int? {
        var sign = 1
        if take("-") { sign = -1 } else { _ = take("+") }
        guard let hours = number(maxDigits: 3), hours <= hoursLimit else { return nil }
        var seconds = hours * 3600
        if take(":") {
            guard let minutes = number(maxDigits: 2), minutes < 60 else { return nil }
            seconds += minutes * 60
            if take(":") {
                guard let secs = number(maxDigits: 2), secs < 60 else { return nil }
                seconds += secs
            }
        }
        return sign * seconds
    }

    /// `Jn`, `n` or `Mm.w.d`, then `/time` (default 02:00; RFC 8536 allows -167 to 167 hours).
    mutating func dateRule() -> PosixTZ.DateRule? {
        let day: PosixTZ.DateRule.Day
        if take("J") {
            guard let n = number(maxDigits: 3), (1...365).contains(n) else { return nil }
            day = .julian(n)
        } else if take("M") {
            guard let month = number(maxDigits: 2), (1...12).contains(month), take("."),
                  let week = number(maxDigits: 1), (1...5).contains(week), take("."),
                  let weekday = number(maxDigits: 1), weekday <= 6 else { return nil }
            day = .monthWeekDay(month: month, week: week, weekday: weekday)
        } else {
            guard let n = number(maxDigits: 3), n <= 365 else { return nil }
            day = .zeroBased(n)
        }
        var time = 7200
        if take("/") {
            guard let given = offset(hoursLimit: 167) else { return nil }
            time = given
        }
        return PosixTZ.DateRule(day: day, time: time)
    }

    private mutating func number(maxDigits: Int) -> Int? {
        let begin = index
        var value = 0
        while let byte = peek, isDigit(byte), index - begin < maxDigits {
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            index += 1
        }
        return index > begin ? value : nil
    }

    private func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
