import Foundation
import Logging
import Store
import Synchronization
import Testing
@testable import Switchboard

/// How the daemon shows the store's health: the summarised failure log, `STATUS=`, `/metrics`, and
/// `/healthz` of a daemon whose database cannot be opened until its directory appears.
@Suite struct StoreHealthReportingTests {
    final class Clock: Sendable {
        private let seconds = Mutex(2_000_000.0)
        var now: Date { Date(timeIntervalSince1970: seconds.withLock { $0 }) }
        func advance(_ by: Double) { seconds.withLock { $0 += by } }
    }

    struct DiskFull: Error, CustomStringConvertible {
        var description: String { "database or disk is full" }
    }

    func failureLog() -> (StoreFailureLog, LineSink, Clock) {
        let sink = LineSink()
        let clock = Clock()
        let logger = Logger(label: "switchboard") { KeyValueLogHandler(label: $0, environment: ["JOURNAL_STREAM": "8:1"], output: sink.append) }
        return (StoreFailureLog(logger: logger, interval: 60, clock: { clock.now }), sink, clock)
    }

    @Test func theFirstFailureIsLoggedAtOnceAndTheRestCountedOncePerInterval() {
        let (log, sink, clock) = failureLog()
        log.failed("route", DiskFull(), requestID: "r-1")
        #expect(sink.lines.count == 1)
        #expect(sink.lines.first?.hasPrefix("<3>ERROR Store failed") == true)
        #expect(sink.lines.first?.contains("request.id=r-1") == true)
        for index in 0..<500 {
            log.failed(index % 5 == 0 ? "status" : "route", DiskFull(), requestID: "r-\(index)")
            clock.advance(0.1)
            log.flush()
        }
        // 50 s: still one line.
        #expect(sink.lines.count == 1)
        clock.advance(10)
        log.flush()
        #expect(sink.lines.count == 2)
        #expect(sink.lines.last == "<4>WARNING Store failures repeated count=500 operations=route:400,status:100 seconds=60")
        log.flush()
        #expect(sink.lines.count == 2)
    }

    @Test func aQuietIntervalClosesTheWindowSoTheNextFailureIsLoggedAtOnce() {
        let (log, sink, clock) = failureLog()
        log.failed("route", DiskFull(), requestID: "a")
        clock.advance(61)
        log.flush()
        #expect(sink.lines.count == 1, "no summary without repeats")
        log.failed("relay", DiskFull(), requestID: "b")
        #expect(sink.lines.count == 2)
        #expect(sink.lines.last?.contains("operation=relay") == true)
    }

    @Test func theStatusLineNamesTheDegradedStore() {
        #expect(Daemon.statusLine(serving: "127.0.0.1 port 8080", health: .healthy) == "Serving on 127.0.0.1 port 8080")
        let since = Date(timeIntervalSince1970: 1_800_000_000)
        let degraded = StoreHealth(state: .degraded, since: since, reason: "database or disk is full (13)", failures: 4)
        #expect(Daemon.statusLine(serving: "127.0.0.1 port 8080", health: degraded)
            == "Serving on 127.0.0.1 port 8080; database degraded since 2027-01-15T08:00:00Z: database or disk is full (13)")
    }

    @Test func metricsCarryTheStoreHealthGauges() {
        let metrics = Metrics()
        #expect(metrics.render().contains("\nswitchboard_store_healthy 1\n"))
        #expect(metrics.render().contains("\nswitchboard_store_degraded_seconds 0\n"))
        metrics.setStoreHealth { StoreHealth(state: .degraded, since: Date().addingTimeInterval(-42), reason: "x", failures: 1) }
        let text = metrics.render()
        #expect(text.contains("# TYPE switchboard_store_healthy gauge\nswitchboard_store_healthy 0\n"))
        #expect(text.contains("\nswitchboard_store_degraded_seconds 42\n"))
    }

    @Test func aDaemonWhoseDatabaseCannotBeOpenedServesDegradedAndRecoversOnceItCan() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("sb-missing-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: missing) }
        let live = try LiveDaemon(routes: DaemonTests.routes) { $0.databasePath = missing + "/switchboard.sqlite" }
        defer { live.stop(); live.remove() }

        let health = try live.request("GET", "/healthz")
        #expect(health.status == 503)
        #expect(health.body.hasPrefix("degraded: writes failing for "), "\(health.body)")
        let call = try live.voice(to: "+15550000001")
        #expect(call.status == 200)
        #expect(firstMember(call.body) == "+15551111111")
        #expect(try live.request("GET", "/metrics").body.contains("\nswitchboard_store_healthy 0\n"))
        #expect(try live.request("GET", "/livez").status == 200)

        try FileManager.default.createDirectory(atPath: missing, withIntermediateDirectories: true)
        let deadline = Date().addingTimeInterval(15)
        while try live.request("GET", "/healthz").status != 200, Date() < deadline { usleep(50_000) }
        #expect(try live.request("GET", "/healthz").body == "ok\n")
        #expect(try live.request("GET", "/metrics").body.contains("\nswitchboard_store_healthy 1\n"))
        // Recorded again: the rotation starts from the file's (empty) state and moves on.
        #expect(firstMember(try live.voice(to: "+15550000001").body) == "+15551111111")
        #expect(firstMember(try live.voice(to: "+15550000001").body) == "+15551111112")
        let store = try SQLiteStore(path: missing + "/switchboard.sqlite", readOnly: true)
        defer { store.close() }
        #expect(try store.decisionCount() == 2)
    }
}
