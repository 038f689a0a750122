import Foundation
import Testing
@testable import Routing

/// POSIX TZ rules (a TZif file's footer) and the calendar arithmetic under them: pure.
@Suite("POSIX time zone rules")
struct PosixTZTests {
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

    /// A zone made from a rule follows it at every instant: what the tests' zones are.
    @Test func zonesFromRulesFollowTheirRule() throws {
        let newYork = try #require(ZoneRules(identifier: "America/New_York", posix: "EST5EDT,M3.2.0,M11.1.0"))
        #expect(newYork.secondsEast(at: 1_700_000_000) == -18000)
        #expect(newYork.secondsEast(at: 1_762_050_000) == -14400)
        #expect(ZoneRules(identifier: "x", posix: "EST5EDT,M3.2.0") == nil)
        #expect(testZones.zone(named: "Asia/Kolkata")?.secondsEast(at: 0) == 19800)
        #expect(testZones.zone(named: "Mars/Base") == nil)
    }
}
