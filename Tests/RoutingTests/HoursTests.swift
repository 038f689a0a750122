import Foundation
import Testing
@testable import Routing

@Suite("business hours")
struct HoursTests {
    private func weekdays(_ zone: String, _ ranges: [TimeRange], closed: ClosedAction = .voicemail) -> Hours {
        let open = Dictionary(uniqueKeysWithValues: [Weekday.mon, .tue, .wed, .thu, .fri].map { ($0, ranges) })
        return Hours(timeZone: testZones.zone(named: zone)!, open: open, closed: closed)
    }

    private let nineToFive = [TimeRange(start: 9 * 60, end: 17 * 60)]

    @Test(arguments: [
        // Monday 2025-03-03. New York is UTC-5 in winter.
        ("2025-03-03T13:59:00Z", false), ("2025-03-03T14:00:00Z", true), ("2025-03-03T21:59:00Z", true),
        ("2025-03-03T22:00:00Z", false),
        // Saturday and Sunday are closed.
        ("2025-03-08T15:00:00Z", false), ("2025-03-09T15:00:00Z", false),
        // Friday 16:59 local is open; Saturday 00:30 UTC is still Friday 19:30 local: closed.
        ("2025-03-07T21:59:00Z", true), ("2025-03-08T00:30:00Z", false),
        // After the DST change (2025-03-09) New York is UTC-4: 09:00 local is 13:00 UTC.
        ("2025-03-10T13:00:00Z", true), ("2025-03-10T12:59:00Z", false), ("2025-03-10T20:59:00Z", true),
        ("2025-03-10T21:00:00Z", false),
        // Back to UTC-5 after 2025-11-02.
        ("2025-11-03T13:30:00Z", false), ("2025-11-03T14:00:00Z", true),
    ])
    func newYorkFollowsDaylightSaving(_ instant: String, open: Bool) {
        #expect(weekdays("America/New_York", nineToFive).isOpen(at: date(instant)) == open, "\(instant)")
    }

    @Test func southernHemisphereAndHalfHourZones() {
        // Sydney: UTC+11 in January (daylight time), UTC+10 in July.
        let sydney = weekdays("Australia/Sydney", nineToFive)
        #expect(sydney.isOpen(at: date("2025-01-06T22:00:00Z")))   // Tue 09:00
        #expect(!sydney.isOpen(at: date("2025-01-06T21:59:00Z")))
        #expect(sydney.isOpen(at: date("2025-07-07T23:00:00Z")))   // Tue 09:00
        #expect(!sydney.isOpen(at: date("2025-07-07T22:30:00Z")))
        // Kolkata: UTC+5:30.
        let kolkata = weekdays("Asia/Kolkata", nineToFive)
        #expect(kolkata.isOpen(at: date("2025-03-03T03:30:00Z")))
        #expect(!kolkata.isOpen(at: date("2025-03-03T03:29:00Z")))
    }

    @Test func splitDaysAndMidnight() {
        let hours = Hours(timeZone: testZones.zone(named: "UTC")!, open: [
            .tue: [TimeRange(start: 9 * 60, end: 12 * 60), TimeRange(start: 13 * 60, end: 17 * 60)],
            .fri: [TimeRange(start: 22 * 60, end: 24 * 60)],
            .sat: [TimeRange(start: 0, end: 6 * 60)],
        ])
        #expect(hours.isOpen(at: date("2025-03-04T11:59:00Z")))
        #expect(!hours.isOpen(at: date("2025-03-04T12:30:00Z")))
        #expect(hours.isOpen(at: date("2025-03-04T13:00:00Z")))
        #expect(hours.isOpen(at: date("2025-03-07T23:59:59Z")))
        #expect(hours.isOpen(at: date("2025-03-08T00:00:00Z")))
        #expect(hours.isOpen(at: date("2025-03-08T05:59:00Z")))
        #expect(!hours.isOpen(at: date("2025-03-08T06:00:00Z")))
        #expect(!hours.isOpen(at: date("2025-03-07T21:59:00Z")))
    }

    @Test func springForwardGapIsNeverOpen() {
        // 02:00-03:00 does not exist in New York on 2025-03-09 (a Sunday).
        let hours = Hours(timeZone: testZones.zone(named: "America/New_York")!,
                          open: [.sun: [TimeRange(start: 2 * 60, end: 3 * 60)]])
        #expect(!hours.isOpen(at: date("2025-03-09T06:59:00Z")))   // 01:59 EST
        #expect(!hours.isOpen(at: date("2025-03-09T07:00:00Z")))   // 03:00 EDT
        #expect(hours.isOpen(at: date("2025-03-02T07:30:00Z")))    // a week earlier, 02:30 EST
    }

    @Test func fallBackRepeatsTheHour() {
        // 01:00-02:00 happens twice in New York on 2025-11-02; both are open.
        let hours = Hours(timeZone: testZones.zone(named: "America/New_York")!,
                          open: [.sun: [TimeRange(start: 60, end: 120)]])
        #expect(hours.isOpen(at: date("2025-11-02T05:30:00Z")))    // 01:30 EDT
        #expect(hours.isOpen(at: date("2025-11-02T06:30:00Z")))    // 01:30 EST
        #expect(!hours.isOpen(at: date("2025-11-02T07:00:00Z")))   // 02:00 EST
    }

    @Test func poolWithoutHoursIsAlwaysOpen() {
        #expect(Pool(name: "p", members: []).isOpen(at: date("2025-03-08T03:00:00Z")))
    }

    @Test(arguments: [
        ("09:00-17:00", TimeRange(start: 540, end: 1020)), ("00:00-24:00", TimeRange(start: 0, end: 1440)),
        ("23:59-24:00", TimeRange(start: 1439, end: 1440)),
    ])
    func parsesRanges(_ text: String, expected: TimeRange) {
        #expect(TimeRange(parsing: text) == expected)
        #expect(TimeRange(parsing: text)?.description == text)
    }

    @Test(arguments: ["9:00-17:00", "09:00-", "09:00-17:00-18:00", "17:00-09:00", "09:00-09:00", "24:00-24:00",
                      "09:00-24:01", "0900-1700", "09:0a-17:00", "-09:00-17:00", "+9:00-17:00", ""])
    func refusesBadRanges(_ text: String) {
        #expect(TimeRange(parsing: text) == nil, "\(text)")
    }

    @Test func weekdayFromCalendar() {
        #expect(Weekday(calendarWeekday: 1) == .sun)
        #expect(Weekday(calendarWeekday: 2) == .mon)
        #expect(Weekday(calendarWeekday: 7) == .sat)
        #expect(Weekday(calendarWeekday: 0) == nil)
        #expect(Weekday.allCases.sorted() == Weekday.allCases)
    }
}
