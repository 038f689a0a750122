import Dispatch
import Foundation
import Logging
import Routing
@testable import Store
import Testing
import TestSupport
@testable import Switchboard

/// The daemon in-process, over real sockets and a real SQLite file.
@Suite(.serialized)
struct DaemonTests {
    static let routes = #"""
    {"numbers": {"+15550000001": {"voice": "sales", "sms": "sales"}},
     "pools": {"sales": {"members": ["+15551111111", "+15551111112", "+15551111113"]},
               "support": {"members": ["+15552222221"]}}}
    """#

    @Test func thousandConcurrentCallsShareTheTurnsEvenly() throws {
        let live = try LiveDaemon(routes: Self.routes)
        defer { live.remove() }
        let counts = Locked([String: Int]())
        DispatchQueue.concurrentPerform(iterations: 32) { worker in
            for i in 0..<(1000 / 32 + (worker < 1000 % 32 ? 1 : 0)) {
                let response = try? live.voice(to: "+15550000001", callID: "call-\(worker)-\(i)")
                let member = response.flatMap { $0.status == 200 ? firstMember($0.body) : nil } ?? "failed"
                counts.withLock { $0[member, default: 0] += 1 }
            }
        }
        let seen = counts.current
        #expect(seen["failed"] == nil)
        #expect(seen.values.reduce(0, +) == 1000)
        for member in ["+15551111111", "+15551111112", "+15551111113"] {
            #expect([333, 334].contains(seen[member] ?? 0), "\(member): \(seen[member] ?? 0)")
        }
        live.stop()
        let store = try SQLiteStore(path: live.databasePath, readOnly: true)
        #expect(try store.decisionCount() == 1000)
        let last = try #require(try store.recentDecisions(channel: .voice, limit: 1).first)
        store.close()

        // A restart continues after the last member recorded.
        let again = try LiveDaemon(routes: Self.routes, directory: live.directory)
        defer { again.stop() }
        let next = firstMember(try again.voice(to: "+15550000001").body)
        let members = ["+15551111111", "+15551111112", "+15551111113"]
        let expected = members[(members.firstIndex(of: last.member)! + 1) % 3]
        #expect(next == expected)
    }

    @Test func voiceAnswersEveryShapeAndMethod() throws {
        let live = try LiveDaemon(routes: Self.routes)
        defer { live.stop(); live.remove() }
        let json = try live.voice(to: "+15550000001")
        #expect(json.status == 200)
        #expect(json.headers["content-type"] == "application/json")
        #expect(firstMember(json.body) == "+15551111111")
        let form = try live.request("POST", "/voice", body: "To=%2B15550000001&From=%2B1213&CallSid=CA1",
                                    contentType: "application/x-www-form-urlencoded")
        #expect(firstMember(form.body) == "+15551111112")
        let get = try live.request("GET", "/voice?To=%2B15550000001&From=%2B1213&CallSid=CA2")
        #expect(firstMember(get.body) == "+15551111113")
        let unknown = try live.voice(to: "+15559999999")
        #expect(unknown.status == 200)
        #expect(unknown.body.contains("not in service"))
        #expect(!unknown.body.contains("+1555111"))
    }

    @Test func badRequestsGet4xxAndTheDaemonKeepsServing() throws {
        let live = try LiveDaemon(routes: Self.routes)
        defer { live.stop(); live.remove() }
        #expect(try live.request("POST", "/voice", body: "{not json", contentType: "application/json").status == 400)
        #expect(try live.request("POST", "/voice", body: "From=%2B1", contentType: "application/x-www-form-urlencoded").status == 400)
        #expect(try live.request("POST", "/sms", body: "To=%2B1", contentType: "application/x-www-form-urlencoded").status == 400)
        #expect(try live.request("POST", "/status/call", body: "{}", contentType: "application/json").status == 400)
        #expect(try live.request("GET", "/nowhere").status == 404)
        #expect(try live.request("DELETE", "/voice").status == 405)
        #expect(try live.request("POST", "/healthz").status == 405)
        #expect(try live.voice(to: "+15550000001").status == 200)
    }

    @Test func statusCallbacksAreIdempotent() throws {
        let live = try LiveDaemon(routes: Self.routes)
        defer { live.remove() }
        let form = "application/x-www-form-urlencoded"
        for _ in 0..<2 {
            #expect(try live.request("POST", "/status/call", body: "CallSid=CA1&CallStatus=ringing", contentType: form).status == 204)
        }
        #expect(try live.request("POST", "/status/call", body: "CallSid=CA1&CallStatus=completed&CallDuration=3", contentType: form).status == 204)
        #expect(try live.request("POST", "/status/call", body: "CallSid=CA1&CallStatus=in-progress", contentType: form).status == 204)
        #expect(try live.request("GET", "/status/message?MessageSid=SM1&MessageStatus=delivered").status == 204)
        #expect(try live.request("POST", "/voicemail", body: "CallSid=CA1&RecordingUrl=https%3A%2F%2Fr%2F1.mp3", contentType: form).status == 204)
        live.stop()
        let store = try SQLiteStore(path: live.databasePath, readOnly: true)
        defer { store.close() }
        #expect(try store.currentStatus(id: "CA1") == "completed")
        #expect(try store.currentStatus(id: "SM1") == "delivered")
    }

    @Test func smsRelayBothWays() throws {
        let live = try LiveDaemon(routes: Self.routes)
        defer { live.stop(); live.remove() }
        let form = "application/x-www-form-urlencoded"
        let inbound = try live.request("POST", "/sms", body: "MessageSid=SM1&From=%2B12135877632&To=%2B15550000001&Body=Hello", contentType: form)
        #expect(inbound.headers["content-type"] == "application/xml")
        #expect(inbound.body.contains(#"<Message to="+15551111111" from="+15550000001">From +12135877632: Hello</Message>"#))
        let reply = try live.request("POST", "/sms", body: "MessageSid=SM2&From=%2B15551111111&To=%2B15550000001&Body=Hi+back", contentType: form)
        #expect(reply.body.contains(#"<Message to="+12135877632" from="+15550000001">Hi back</Message>"#))
    }

    @Test func reloadKeepsRunningRoutesWhenTheFileIsBad() throws {
        let live = try LiveDaemon(routes: Self.routes)
        defer { live.stop(); live.remove() }
        try #"{"numbers": {"+15550000001": {"voice": "nope"}}, "pools": {}}"#.write(toFile: live.routesPath, atomically: true, encoding: .utf8)
        live.daemon.reload()
        #expect(firstMember(try live.voice(to: "+15550000001").body) == "+15551111111")
        let edited = Self.routes.replacingOccurrences(of: #""voice": "sales""#, with: #""voice": "support""#)
        try edited.write(toFile: live.routesPath, atomically: true, encoding: .utf8)
        live.daemon.reload()
        #expect(firstMember(try live.voice(to: "+15550000001").body) == "+15552222221")
        #expect(live.daemon.metrics.render().contains(#"switchboard_reloads_total{result="failure"} 1"#))
    }

    /// A batch that waits for the write lock (another process writing) is timed in the metrics and,
    /// past 100 ms, logged; the call is still answered once the lock is free.
    @Test func aSlowCommitIsTimedAndLogged() throws {
        let lines = Locked<[String]>([])
        var logger = Logger(label: "test") { KeyValueLogHandler(label: $0, environment: [:], output: { line in lines.withLock { $0.append(line) } }) }
        logger.logLevel = .warning
        let live = try LiveDaemon(routes: Self.routes, logger: logger)
        defer { live.stop(); live.remove() }
        _ = try live.voice(to: "+15550000001")
        let blocker = try SQLiteConnection(path: live.databasePath, readOnly: false)
        defer { blocker.close() }
        try blocker.execute("BEGIN IMMEDIATE", [], "test")
        let answered = Locked<Int?>(nil)
        let done = DispatchSemaphore(value: 0)
        // A thread of its own (the global queue may be busy with other suites' work), and the call
        // seen arriving (its connection open) before the 0.3 s: on a loaded machine the request
        // could otherwise reach the daemon only after the lock is free.
        Thread {
            let status = try? live.voice(to: "+15550000001").status
            answered.withLock { $0 = status }
            done.signal()
        }.start()
        let arrived = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < arrived,
              !(try live.request("GET", "/metrics").body.contains("switchboard_open_connections 2")) {
            Thread.sleep(forTimeInterval: 0.005)
        }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(answered.withLock { $0 } == nil, "answered while another connection held the write lock")
        try blocker.execute("COMMIT", [], "test")
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(answered.withLock { $0 } == 200)
        // The batch is observed just after its callers are answered.
        var metrics = try live.request("GET", "/metrics").body
        let observed = ContinuousClock.now + .seconds(10)
        func logged() -> Bool { lines.withLock { $0.contains { $0.contains("Slow database commit") } } }
        while !(metrics.contains("switchboard_store_batch_seconds_count 2") && logged()), ContinuousClock.now < observed {
            Thread.sleep(forTimeInterval: 0.01)
            metrics = try live.request("GET", "/metrics").body
        }
        #expect(metrics.contains("switchboard_store_batch_seconds_count 2"))
        #expect(metrics.contains(#"switchboard_store_batch_seconds_bucket{le="0.1"} 1"#))
        let slow = lines.withLock { $0 }.filter { $0.contains("Slow database commit") }
        #expect(slow.count == 1)
        #expect(slow.first?.contains("jobs=1") == true)
        let milliseconds = slow.first.flatMap { $0.split(separator: " ").first { $0.hasPrefix("milliseconds=") } }
            .flatMap { Int($0.dropFirst("milliseconds=".count)) }
        #expect((milliseconds ?? 0) >= 250)
    }

    @Test func healthMetricsAndAdmin() throws {
        let live = try LiveDaemon(routes: Self.routes, environment: ["SWITCHBOARD_ADMIN_TOKEN": "s3cret-admin"])
        defer { live.stop(); live.remove() }
        #expect(try live.request("GET", "/healthz").body == "ok\n")
        for _ in 0..<3 { _ = try live.voice(to: "+15550000001") }
        let metrics = try live.request("GET", "/metrics").body
        #expect(metrics.contains(#"switchboard_http_requests_total{endpoint="/voice",status="200"} 3"#))
        #expect(metrics.contains(#"switchboard_routing_decisions_total{channel="voice",pool="sales",member="+1******1111"} 1"#))
        #expect(!metrics.contains("+15551111111"))
        #expect(try live.request("GET", "/admin/pools").status == 401)
        #expect(try live.request("GET", "/admin/pools", headers: [("Authorization", "Bearer wrong")]).status == 401)
        let pools = try live.request("GET", "/admin/pools", headers: [("Authorization", "Bearer s3cret-admin")])
        #expect(pools.status == 200)
        let object = try JSONSerialization.jsonObject(with: Data(pools.body.utf8)) as? [String: Any]
        let sales = (object?["pools"] as? [[String: Any]])?.first { $0["name"] as? String == "sales" }
        #expect(sales?["position"] as? String == "+15551111113")
        let calls = try live.request("GET", "/admin/calls?limit=2", headers: [("Authorization", "Bearer s3cret-admin")])
        #expect((try JSONSerialization.jsonObject(with: Data(calls.body.utf8)) as? [String: Any])?["calls"].map { ($0 as? [Any])?.count } == 2)
    }

    @Test func adminIsOffWithoutAToken() throws {
        let live = try LiveDaemon(routes: Self.routes)
        defer { live.stop(); live.remove() }
        #expect(try live.request("GET", "/admin/pools", headers: [("Authorization", "Bearer x")]).status == 404)
    }
}
