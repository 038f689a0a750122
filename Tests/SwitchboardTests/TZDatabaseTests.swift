import Foundation
import Testing
@testable import Routing
@testable import Switchboard

/// The daemon's zone source: the host's compiled tz database (Debian's tzdata), read one file a zone.
@Suite("time zones from the tz database")
struct TZDatabaseTests {
    static let database = TZDatabase()

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
        let zone = try #require(Self.database.zone(named: name))
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
        let names = Self.database.identifiers.filter { !irregular.contains($0) }
        try #require(names.count > 300, "no tz database at \(TZDatabase.systemDirectory)")
        var checked = 0
        var mismatches: [String] = []
        for name in names {
            guard let zone = Self.database.zone(named: name), let footer = zone.footer,
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

    @Test func malformedFilesAreRefused() throws {
        let data = try #require(FileManager.default.contents(atPath: TZDatabase.systemDirectory + "/Europe/Paris"))
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
        let data = try #require(FileManager.default.contents(atPath: TZDatabase.systemDirectory + "/America/New_York"))
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
        #expect(Self.database.zone(named: name) == nil)
    }

    @Test func utcStandsWithoutATzDatabase() throws {
        let missing = "/nonexistent-zoneinfo-\(UUID().uuidString)"
        #expect(TZDatabase(directory: missing).zone(named: "UTC")?.secondsEast(at: 1_700_000_000) == 0)
        #expect(TZDatabase(directory: missing).zone(named: "America/New_York") == nil)
        #expect(TZDatabase(directory: missing).identifiers.isEmpty)
    }

    @Test func knownIdentifiersAreZonesOnly() {
        let names = Self.database.identifiers
        #expect(names.contains("America/New_York"))
        #expect(names.contains("Europe/London"))
        #expect(!names.contains { $0.hasPrefix("posix/") || $0.hasPrefix("right/") || $0.hasSuffix(".tab") })
    }

    /// A hint for a bad name reads the database's index, not every file of it.
    @Test func hintsComeFromTheIndexAndRoutesUseTheDatabase() throws {
        let names = Self.database.identifiers
        #expect(names.contains("US/Eastern"))
        let routes = #"{"default": {"voice": "a"}, "pools": {"a": {"members": ["+15551111111"], "hours": {"timezone": "America/New_Yrok", "open": {}}}}}"#
        guard case .failure(let error) = RoutesLoader.load(Array(routes.utf8), zones: Self.database) else {
            Issue.record("a misspelt zone validated")
            return
        }
        #expect(error.description.contains(#"did you mean "America/New_York"?"#))
    }
}
