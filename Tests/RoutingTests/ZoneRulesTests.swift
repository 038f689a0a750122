import Foundation
import Testing
@testable import Routing

@Suite("time zones from the tz database")
struct ZoneRulesTests {
    static let instants: [Int64] = [
        -2_000_000_000, 0, 1_000_000_000, 1_700_000_000, 1_741_500_000, 1_762_050_000, 1_800_000_000,
        2_100_000_000, 2_200_000_000, 4_102_444_800,
    ]

    /// Offsets at `instants`, from Python's zoneinfo over the same tz database: standard and daylight
    /// time both hemispheres, half- and quarter-hour zones, negative DST (Dublin), Ramadan changes
    /// listed one by one (Casablanca), a day skipped (Apia), DST abolished (Sao Paulo), +2 h DST (Troll),
    /// local mean time, and instants past the last transition (2100), which the footer rule answers.
    @Test(arguments: [
        ("America/New_York", [-18000, -18000, -14400, -18000, -18000, -14400, -18000, -14400, -14400, -18000]),
        ("Europe/London", [0, 3600, 3600, 0, 0, 0, 0, 3600, 3600, 0]),
        ("Europe/Dublin", [-1521, 3600, 3600, 0, 0, 0, 0, 3600, 3600, 0]),
        ("Australia/Sydney", [36000, 36000, 36000, 39600, 39600, 39600, 39600, 36000, 36000, 39600]),
        ("Australia/Lord_Howe", [36000, 36000, 37800, 39600, 39600, 39600, 39600, 37800, 37800, 39600]),
        ("Asia/Kolkata", [19800, 19800, 19800, 19800, 19800, 19800, 19800, 19800, 19800, 19800]),
        ("Asia/Kathmandu", [20476, 19800, 20700, 20700, 20700, 20700, 20700, 20700, 20700, 20700]),
        ("Pacific/Chatham", [44100, 45900, 45900, 49500, 49500, 49500, 49500, 45900, 45900, 49500]),
        ("America/Sao_Paulo", [-11188, -10800, -10800, -10800, -10800, -10800, -10800, -10800, -10800, -10800]),
        ("Africa/Casablanca", [-1820, 0, 0, 3600, 0, 3600, 3600, 3600, 0, 3600]),
        ("America/St_Johns", [-12652, -12600, -9000, -12600, -9000, -9000, -12600, -9000, -9000, -12600]),
        ("Pacific/Apia", [-41216, -39600, -39600, 46800, 46800, 46800, 46800, 46800, 46800, 46800]),
        ("Antarctica/Troll", [0, 0, 0, 0, 0, 0, 0, 7200, 7200, 0]),
        ("America/Santiago", [-16965, -10800, -14400, -10800, -10800, -10800, -10800, -14400, -10800, -10800]),
        ("Asia/Tehran", [12344, 12600, 16200, 12600, 12600, 12600, 12600, 12600, 12600, 12600]),
        ("Pacific/Kiritimati", [-38400, -38400, 50400, 50400, 50400, 50400, 50400, 50400, 50400, 50400]),
        ("America/Adak", [-39600, -39600, -32400, -36000, -36000, -32400, -36000, -32400, -32400, -36000]),
        ("Europe/Moscow", [9017, 10800, 14400, 10800, 10800, 10800, 10800, 10800, 10800, 10800]),
        ("UTC", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("Etc/GMT+5", [-18000, -18000, -18000, -18000, -18000, -18000, -18000, -18000, -18000, -18000]),
    ])
    func offsetsMatchZoneinfo(_ name: String, expected: [Int]) throws {
        let zone = try #require(ZoneRules.named(name))
        #expect(zone.identifier == name)
        #expect(Self.instants.map(zone.secondsEast(at:)) == expected)
    }

    /// Fat TZif files list transitions to 2037, computed by zic from the same rule the footer holds:
    /// for every zone on this machine, the footer rule must give the table's offset at each
    /// transition of 2025-2037 and one second before it, and once a week in between. Except where the
    /// table lists changes no rule can say, which is why it goes on past 2037: Morocco's Ramadan
    /// hour (Casablanca, El Aaiun) and Palestine's Ramadan pause in daylight time (Gaza, Hebron).
    @Test func footerRuleAgreesWithTheTableInEveryZone() throws {
        let irregular: Set = ["Africa/Casablanca", "Africa/El_Aaiun", "Asia/Gaza", "Asia/Hebron"]
        let names = ZoneRules.knownIdentifiers().filter { !irregular.contains($0) }
        try #require(names.count > 300, "no tz database at \(ZoneRules.systemDirectory)")
        var checked = 0
        var mismatches: [String] = []
        for name in names {
            guard let zone = ZoneRules.named(name), let footer = zone.footer,
                  let last = zone.transitions.last, last > 2_100_000_000 else { continue }
            let from: Int64 = 1_735_689_600  // 2025-01-01
            var instants = zone.transitions.filter { $0 >= from }.flatMap { [$0 - 1, $0] }
            instants += stride(from: from, to: last, by: 7 * 86_400)
            for instant in instants where footer.secondsEast(at: instant) != zone.tableSecondsEast(at: instant) {
                mismatches.append("\(name) at \(instant)")
                break
            }
            checked += 1
        }
        #expect(checked > 100)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test(arguments: [
        ("EST5EDT,M3.2.0,M11.1.0", -18000, -14400),
        ("CET-1CEST,M3.5.0,M10.5.0/3", 3600, 7200),
        ("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 37800, 39600),
        ("<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", -10800, -7200),
        ("IST-1GMT0,M10.5.0,M3.5.0/1", 3600, 0),
        ("EST5EDT,0/0,J365/25", -18000, -14400),
        ("<+0545>-5:45", 20700, nil),
        ("JST-9", 32400, nil),
        ("AAA+3:30:15BBB", -12615, -9015),
    ])
    func parsesPosixRules(_ text: String, standard: Int, daylight: Int?) throws {
        let rule = try #require(PosixTZ(text))
        #expect(rule.standard == standard)
        #expect(rule.daylight == daylight)
    }

    @Test(arguments: ["", "EST", "ES5", "EST5EDT,M3.2.0", "EST5EDT,M13.2.0,M11.1.0", "EST5EDT,M3.6.0,M11.1.0",
                      "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,J0,J365", "EST5EDT,366,0", "EST25", "<EST5", "<+1>1",
                      "EST5EDT,M3.2.0/168,M11.1.0", "EST5EDT,M3.2.0,M11.1.0,", "EST5:60"])
    func refusesMalformedPosixRules(_ text: String) {
        #expect(PosixTZ(text) == nil, "\(text)")
    }

    /// Permanent daylight time written as a rule that starts at the year's first second and ends
    /// after its last: daylight time all year, across New Year too.
    @Test func allYearDaylightRule() throws {
        let rule = try #require(PosixTZ("EST5EDT,0/0,J365/25"))
        for instant in [1_735_689_600, 1_735_689_600 + 3600 * 3, 1_767_225_599, 1_750_000_000] as [Int64] {
            #expect(rule.secondsEast(at: instant) == -14400, "\(instant)")
        }
    }

    /// The Gregorian day arithmetic against Foundation's calendar over four centuries of first days.
    @Test func civilDaysMatchFoundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        for year in stride(from: 1800, through: 2400, by: 7) {
            for month in 1...12 {
                let date = try #require(calendar.date(from: DateComponents(year: year, month: month, day: 1)))
                let days = Civil.days(year: year, month: month, day: 1)
                #expect(days * 86_400 == Int64(date.timeIntervalSince1970), "\(year)-\(month)")
                #expect(Civil.year(ofDay: days) == year)
                #expect(Civil.year(ofDay: days - 1) == (month == 1 ? year - 1 : year))
            }
        }
    }

    @Test func malformedFilesAreRefused() throws {
        let data = try #require(FileManager.default.contents(atPath: ZoneRules.systemDirectory + "/Europe/Paris"))
        let bytes = Array(data)
        #expect(ZoneRules(identifier: "Europe/Paris", tzif: bytes) != nil)
        // Cut anywhere before the footer's end, or with a bad magic, version or footer: refused.
        for length in stride(from: 0, to: bytes.count - 1, by: 37) {
            #expect(ZoneRules(identifier: "x", tzif: Array(bytes.prefix(length))) == nil, "\(length) bytes")
        }
        var badMagic = bytes
        badMagic[0] = UInt8(ascii: "X")
        #expect(ZoneRules(identifier: "x", tzif: badMagic) == nil)
        var badVersion = bytes
        badVersion[4] = UInt8(ascii: "A")
        #expect(ZoneRules(identifier: "x", tzif: badVersion) == nil)
        var badFooter = bytes
        badFooter[badFooter.count - 3] = UInt8(ascii: ",")
        #expect(ZoneRules(identifier: "x", tzif: badFooter) == nil)
    }

    /// A version 1 file (4-byte times, no footer), made from a version 2 one: its first block.
    @Test func versionOneFiles() throws {
        let data = try #require(FileManager.default.contents(atPath: ZoneRules.systemDirectory + "/America/New_York"))
        var bytes = Array(data)
        bytes[4] = 0
        let zone = try #require(ZoneRules(identifier: "America/New_York", tzif: bytes))
        #expect(zone.footer == nil)
        #expect(zone.secondsEast(at: 1_700_000_000) == -18000)
        #expect(zone.secondsEast(at: 1_762_050_000) == -14400)
    }

    @Test(arguments: ["../etc/passwd", "/etc/passwd", "America/../../etc/passwd", "America//New_York", ".hidden",
                      "America/New York", "", "Europe/London\0", String(repeating: "a", count: 256)])
    func namesThatCouldLeaveTheDirectoryAreRefused(_ name: String) {
        #expect(!ZoneRules.isPlausibleName(name))
        #expect(ZoneRules.named(name) == nil)
    }

    @Test func utcStandsWithoutATzDatabase() throws {
        let missing = "/nonexistent-zoneinfo-\(UUID().uuidString)"
        #expect(ZoneRules.named("UTC", directory: missing)?.secondsEast(at: 1_700_000_000) == 0)
        #expect(ZoneRules.named("America/New_York", directory: missing) == nil)
        #expect(ZoneRules.knownIdentifiers(directory: missing).isEmpty)
    }

    @Test func knownIdentifiersAreZonesOnly() {
        let names = ZoneRules.knownIdentifiers()
        #expect(names.contains("America/New_York"))
        #expect(names.contains("Europe/London"))
        #expect(!names.contains { $0.hasPrefix("posix/") || $0.hasPrefix("right/") || $0.hasSuffix(".tab") })
    }
}
