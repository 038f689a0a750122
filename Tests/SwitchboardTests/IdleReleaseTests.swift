import Dispatch
import Foundation
import Testing
@testable import Switchboard

/// When the daemon drops its code pages again: after a quiet interval that followed traffic.
@Suite struct IdleReleaseScheduleTests {
    /// Webhooks seen so far at each tick, and whether that tick releases.
    @Test(arguments: [
        ([0, 0, 0], [false, false, false]),                      // never busy: nothing to drop
        ([3, 3], [false, true]),                                 // busy, then a quiet interval
        ([3, 3, 3, 3], [false, true, false, false]),             // once per quiet spell, not every tick
        ([3, 5, 9, 9], [false, false, false, true]),             // not while traffic goes on
        ([3, 3, 4, 4, 4], [false, true, false, true, false]),    // busy again after a release
        ([1, 1, 2, 2, 2, 7, 7], [false, true, false, true, false, false, true]),
    ])
    func schedule(_ seen: [UInt64], _ expected: [Bool]) {
        var schedule = IdleRelease.Schedule()
        #expect(seen.map { schedule.shouldRelease(seen: $0) } == expected)
    }

    /// Random traffic: a release happens exactly at a quiet tick that follows a busy one since the last release.
    @Test func scheduleAgainstItsRule() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var schedule = IdleRelease.Schedule()
            var seen: UInt64 = 0, previous: UInt64 = 0, busy = false
            for _ in 0..<50 {
                if Bool.random(using: &generator) { seen += UInt64.random(in: 1...5, using: &generator) }
                let quiet = seen == previous
                let expected = quiet && busy
                if !quiet { busy = true } else if expected { busy = false }
                #expect(schedule.shouldRelease(seen: seen) == expected)
                previous = seen
            }
        }
    }
}

@Suite(.serialized) struct IdleReleaseDaemonTests {
    /// The running daemon releases after a request and a quiet interval, and answers the same after.
    @Test func daemonReleasesAfterQuietIntervalAndKeepsAnswering() throws {
        let live = try LiveDaemon(routes: DaemonTests.routes) { $0.idleReleaseInterval = 0.2 }
        defer { live.stop(); live.remove() }
        let release = try #require(live.daemon.idleRelease)
        // Health checks and scrapes are not traffic: they never keep the pages, nor bring a release.
        for _ in 0..<3 {
            #expect(try live.request("GET", "/healthz").status == 200)
            #expect(try live.request("GET", "/metrics").status == 200)
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(release.count == 0, "no webhook yet: nothing to release again")
        #expect(firstMember(try live.voice(to: "+15550000001").body) == "+15551111111")
        let deadline = Date().addingTimeInterval(10)
        while release.count == 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(release.count == 1)
        #expect(firstMember(try live.voice(to: "+15550000001").body) == "+15551111112")
    }
}
