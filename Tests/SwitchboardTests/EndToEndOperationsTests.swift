import Foundation
import Store
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// Issue 5 against the built binary: metrics and the admin API, graceful shutdown, limits,
    /// journald output, the healthcheck command (systemd: EndToEndSystemdTests.swift).
    @Suite struct Operations {
        @Test func metricsAndAdminCountWhatWasAsked() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let token = "admin-e2e-token-42"
            let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure", "--admin-token", token])
            defer { daemon.process.kill() }

            for i in 1...4 {
                let call = try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "m-\(i)"))
                #expect(call.status == 200)
                #expect(Answer.firstMember(call.body) == Fixture.sales[(i - 1) % 3])
            }
            #expect(try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: #"{"call":{"call_id":"m-bad"}}"#).status == 400)
            for i in 1...2 {
                let sms = try daemon.request("POST", "/sms", headers: Fixture.formHeaders, body: HTTP.form(Fixture.smsFields(sid: "SM-\(i)", from: "+1213555010\(i)")))
                #expect(sms.status == 200)
                #expect(Answer.messageRecipients(sms.body) == [Fixture.support[i - 1]])
            }
            for status in ["ringing", "completed", "completed"] {
                let callback = try daemon.request("POST", "/status/call", headers: Fixture.formHeaders,
                                                  body: HTTP.form([("CallSid", "m-1"), ("CallStatus", status)]))
                #expect(callback.status == 204)
            }
            #expect(try daemon.request("POST", "/status/message", headers: Fixture.formHeaders,
                                       body: HTTP.form([("MessageSid", "SM-1"), ("MessageStatus", "delivered")])).status == 204)
            #expect(try daemon.request("GET", "/nope").status == 404)

            let metrics = try daemon.request("GET", "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            let expected: [String: Double] = [
                #"switchboard_http_requests_total{endpoint="/voice",status="200"}"#: 4,
                #"switchboard_http_requests_total{endpoint="/voice",status="400"}"#: 1,
                #"switchboard_http_requests_total{endpoint="/sms",status="200"}"#: 2,
                #"switchboard_http_requests_total{endpoint="/status/call",status="204"}"#: 3,
                #"switchboard_http_requests_total{endpoint="/status/message",status="204"}"#: 1,
                #"switchboard_http_requests_total{endpoint="other",status="404"}"#: 1,
                #"switchboard_http_requests_total{endpoint="/healthz",status="200"}"#: 1,
                #"switchboard_http_request_duration_seconds_count{endpoint="/voice"}"#: 5,
                #"switchboard_routing_decisions_total{channel="voice",pool="sales",member="+1******1111"}"#: 2,
                #"switchboard_routing_decisions_total{channel="voice",pool="sales",member="+1******1112"}"#: 1,
                #"switchboard_routing_decisions_total{channel="voice",pool="sales",member="+1******1113"}"#: 1,
                #"switchboard_routing_decisions_total{channel="sms",pool="support",member="+1******2221"}"#: 1,
                #"switchboard_routing_decisions_total{channel="sms",pool="support",member="+1******2222"}"#: 1,
                #"switchboard_status_callbacks_total{kind="call",outcome="advanced"}"#: 2,
                #"switchboard_status_callbacks_total{kind="call",outcome="duplicate"}"#: 1,
                #"switchboard_status_callbacks_total{kind="message",outcome="advanced"}"#: 1,
            ]
            for (series, value) in expected {
                #expect(Answer.metric(metrics.body, series) == value, "\(series)")
            }
            #expect(!metrics.body.contains("+15551111111"), "member numbers are redacted in metrics")

            // The admin API: no token or a wrong one -> 401; the right one -> the pools, calls, messages.
            #expect(try daemon.request("GET", "/admin/pools").status == 401)
            #expect(try daemon.request("GET", "/admin/pools", headers: [("Authorization", "Bearer wrong-token")]).status == 401)
            #expect(try daemon.request("GET", "/admin/pools", headers: [("Authorization", "Bearer \(token)x")]).status == 401)
            let bearer = [("Authorization", "Bearer \(token)")]
            let pools = try daemon.request("GET", "/admin/pools", headers: bearer)
            #expect(pools.status == 200)
            let poolList = try #require(Self.json(pools.body)?["pools"] as? [[String: Any]])
            let sales = try #require(poolList.first { $0["name"] as? String == "sales" })
            #expect(sales["position"] as? String == Fixture.sales[0], "the last member used")
            let counts = (sales["members"] as? [[String: Any]] ?? []).map { $0["decisions24h"] as? Int ?? -1 }
            #expect(counts == [2, 1, 1])
            let support = try #require(poolList.first { $0["name"] as? String == "support" })
            #expect(support["position"] as? String == Fixture.support[1])

            let calls = try #require(Self.json(try daemon.request("GET", "/admin/calls", headers: bearer).body)?["calls"] as? [[String: Any]])
            #expect(Set(calls.compactMap { $0["id"] as? String }) == ["m-1", "m-2", "m-3", "m-4"])
            #expect(calls.first { $0["id"] as? String == "m-1" }?["status"] as? String == "completed")
            #expect(calls.first { $0["id"] as? String == "m-4" }?["member"] as? String == Fixture.sales[0])
            let messages = try #require(Self.json(try daemon.request("GET", "/admin/messages", headers: bearer).body)?["messages"] as? [[String: Any]])
            #expect(Set(messages.compactMap { $0["id"] as? String }) == ["SM-1", "SM-2"])
            #expect(messages.first { $0["id"] as? String == "SM-1" }?["status"] as? String == "delivered")

            let after = try daemon.request("GET", "/metrics").body
            #expect(Answer.metric(after, #"switchboard_http_requests_total{endpoint="/admin/pools",status="401"}"#) == 3)
            #expect(Answer.metric(after, #"switchboard_http_requests_total{endpoint="/admin/pools",status="200"}"#) == 1)
            #expect(Answer.metric(after, #"switchboard_http_requests_total{endpoint="/metrics",status="200"}"#) == 1)
            #expect(daemon.stop() == .exited(0))
            #expect(!daemon.log.text.contains(token), "the admin token is never logged")
        }

        @Test func sigtermWithAnOpenConnectionExitsCleanly() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure"])
            defer { daemon.process.kill() }
            #expect(try daemon.request("GET", "/admin/pools", headers: [("Authorization", "Bearer x")]).status == 404, "admin API off without a token")
            #expect(try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "before-stop")).status == 200)

            let client = try TestClient(port: daemon.port, timeout: 12)
            client.send(HTTP.raw("GET", "/healthz"))
            #expect(client.readResponse()?.status == 200, "a keep-alive connection stays open")
            let started = Date()
            daemon.signal(SIGTERM)
            let status = daemon.process.waitForExit(timeout: 11)
            #expect(status == .exited(0), "\(String(describing: status)) after \(Date().timeIntervalSince(started)) s")
            #expect(client.isClosedByServer(), "the idle connection is closed")
            daemon.log.waitForEnd(timeout: 2)
            #expect(daemon.log.lines.contains { $0.contains("Stopping") })
            #expect(daemon.log.lines.last?.contains("Stopped") == true, "\(daemon.log.lines.suffix(3))")
            let wal = (try? FileManager.default.attributesOfItem(atPath: workspace.databasePath + "-wal"))?[.size] as? Int ?? 0
            #expect(wal == 0, "the database was checkpointed and closed")
        }

        @Test func sigtermFinishesTheRequestInFlightAndStopsAccepting() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure"])
            defer { daemon.process.kill() }

            // A call whose body is still arriving when SIGTERM comes.
            let body = Fixture.voiceBody(callID: "in-flight")
            let client = try TestClient(port: daemon.port, timeout: 12)
            client.send("POST /voice HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
                        + String(body.prefix(20)))
            usleep(200_000)
            daemon.signal(SIGTERM)
            #expect(daemon.log.waitForLine(containing: "Stopping"))
            let deadline = Date().addingTimeInterval(3)
            var refused = false
            while !refused, Date() < deadline {
                refused = (try? TestClient(port: daemon.port, timeout: 1)) == nil
                if !refused { usleep(20_000) }
            }
            #expect(refused, "new connections are refused while the request in flight finishes")
            #expect(!daemon.process.hasExited, "it waits for the request in flight")

            client.send(String(body.dropFirst(20)))
            let response = client.readResponse()
            #expect(response?.status == 200)
            #expect(response.flatMap { Answer.firstMember($0.body) } == Fixture.sales[0])
            #expect(response?.headers["connection"]?.lowercased() == "close")
            #expect(daemon.process.waitForExit(timeout: 11) == .exited(0))
            let store = try SQLiteStore(path: workspace.databasePath, readOnly: true)
            defer { store.close() }
            #expect(try store.decisionCount() == 1, "the decision was committed before the database closed")
        }

        @Test func healthcheckCommandReflectsTheDaemon() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure"])
            defer { daemon.process.kill() }
            let binary = try SwitchboardBinary.path()
            let environment = workspace.environment(["SWITCHBOARD_LISTEN": "127.0.0.1:\(daemon.port)"])
            let healthy = try ChildProcess.run(binary, ["healthcheck"], environment: environment)
            #expect(healthy.status == .exited(0))
            #expect(healthy.stdout == "healthy: 200 from http://127.0.0.1:\(daemon.port)/healthz: ok\n")
            #expect(daemon.stop() == .exited(0))
            let gone = try ChildProcess.run(binary, ["healthcheck", "--timeout", "1"], environment: environment)
            #expect(gone.status == .exited(1))
            #expect(gone.stdout.hasPrefix("no answer from http://127.0.0.1:\(daemon.port)/healthz: "), "\(gone.stdout)")
        }

        @Test func requestLimitsAndTheConnectionCapHold() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure"], environment: ["SWITCHBOARD_MAX_CONNECTIONS": "4"])
            defer { daemon.process.kill() }
            func status(_ raw: String) -> Int? {
                guard let client = try? TestClient(port: daemon.port) else { return nil }
                client.send(raw)
                return client.readResponse()?.status
            }
            #expect(status(HTTP.raw("GET", "/healthz", headers: [("X-Big", String(repeating: "a", count: 17 * 1024))])) == 431)
            #expect(status(HTTP.raw("GET", "/healthz", headers: (0..<101).map { ("X-H\($0)", "v") })) == 431)
            #expect(status("POST /voice HTTP/1.1\r\nHost: x\r\nContent-Length: \(2 * 1024 * 1024)\r\n\r\n") == 413)
            #expect(status("GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n") == 505)

            // SWITCHBOARD_MAX_CONNECTIONS=4: a fifth connection is turned away with 503.
            let held = try (0..<4).map { _ in try TestClient(port: daemon.port) }
            let deadline = Date().addingTimeInterval(3)
            var refused: Int?
            repeat {
                refused = status(HTTP.raw("GET", "/healthz", headers: [("Connection", "close")]))
                if refused != 503 { usleep(20_000) }
            } while refused != 503 && Date() < deadline
            #expect(refused == 503)
            withExtendedLifetime(held) {}
            #expect(daemon.stop() == .exited(0))
        }

        @Test func journaldPrioritiesAndTheStateDirectoryDatabase() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let state = workspace.path + "/state"
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: false)
            let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure"], environment: [
                "STATE_DIRECTORY": state, "JOURNAL_STREAM": "8:123456",
            ], database: false)
            defer { daemon.process.kill() }
            #expect(try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "journal")).status == 200)
            #expect(daemon.stop() == .exited(0))
            #expect(FileManager.default.fileExists(atPath: state + "/switchboard.sqlite"), "the database defaults to $STATE_DIRECTORY")
            let lines = daemon.log.lines
            #expect(!lines.isEmpty)
            #expect(lines.allSatisfy { $0.range(of: #"^<[0-7]>[A-Z]+ "#, options: .regularExpression) != nil }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("<5>NOTICE Listening") }, "\(lines)")
        }

        // MARK: Helpers

        static func json(_ text: String) -> [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        }
    }
}
