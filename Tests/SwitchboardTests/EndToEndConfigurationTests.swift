import Foundation
import HTTPServer
import SignalWire
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// Issue 4 against the built binary: auto-configuration on start against a fake Relay REST API
    /// (3 pages, retries, hangs, failures, a reload), secrets from `$CREDENTIALS_DIRECTORY`;
    /// `--no-configure` and the `numbers` commands are in EndToEndNumbersCommandTests.swift.
    @Suite struct Configuration {
        static let publicURL = "https://sb.example.com"
        static let fullUpdate = [
            "call_handler": "relay_script", "call_relay_script_url": "https://sb.example.com/voice",
            "message_handler": "laml_webhooks", "message_request_url": "https://sb.example.com/sms", "message_request_method": "POST",
        ]
        /// The PUTs the project of `makeFake()` needs, by request-target.
        static let expectedPuts: [String: [String: String]] = [
            "/api/relay/rest/phone_numbers/pn-002": fullUpdate,
            "/api/relay/rest/phone_numbers/pn-003": ["message_request_url": "https://sb.example.com/sms"],
            "/api/relay/rest/phone_numbers/pn-004": ["call_handler": "relay_script", "call_relay_script_url": "https://sb.example.com/voice"],
            "/api/relay/rest/phone_numbers/pn-110": ["message_request_method": "POST"],
        ]
        static let notOwned = ["+15559990001", Fixture.salesNumber, Fixture.supportNumber]

        static func e164(_ index: Int) -> String { "+1555700" + String(format: "%04d", index) }

        /// 120 numbers, 50 a page (3 pages). Routed: 001 already right; 002 blank; 003 SMS elsewhere;
        /// 004 voice only, on cXML; 110 (page 3) SMS by GET. 005 is owned and blank but not routed.
        static func makeFake() throws -> FakeSignalWire {
            var numbers = (0..<120).map { FakeSignalWire.number(String(format: "pn-%03d", $0), e164($0)) }
            numbers[1] = FakeSignalWire.number("pn-001", e164(1), handlers: fullUpdate)
            var elsewhere = fullUpdate
            elsewhere["message_request_url"] = "https://old.example.net/sms"
            numbers[3] = FakeSignalWire.number("pn-003", e164(3), handlers: elsewhere)
            numbers[4] = FakeSignalWire.number("pn-004", e164(4), handlers: ["call_handler": "laml_webhooks", "call_request_url": "https://old.example.net/voice"])
            var byGet = fullUpdate
            byGet["message_request_method"] = "GET"
            numbers[110] = FakeSignalWire.number("pn-110", e164(110), handlers: byGet)
            return try FakeSignalWire(numbers: numbers, maxPageSize: 50)
        }

        static func routes(alsoRouting extra: [Int] = []) -> String {
            var numbers: [String: String] = [
                e164(1): #"{ "voice": "sales", "sms": "sales" }"#, e164(2): #"{ "voice": "sales", "sms": "sales" }"#,
                e164(3): #"{ "voice": "sales", "sms": "sales" }"#, e164(4): #"{ "voice": "sales" }"#,
                e164(110): #"{ "voice": "support", "sms": "support" }"#, "+15559990001": #"{ "voice": "sales" }"#,
            ]
            for index in extra { numbers[e164(index)] = #"{ "voice": "sales", "sms": "sales" }"# }
            return Fixture.routes(extraNumbers: numbers)
        }

        static func environment(_ fake: FakeSignalWire, token: String? = nil) -> [String: String] {
            [
                "SIGNALWIRE_PROJECT_ID": fake.projectID, "SIGNALWIRE_API_TOKEN": token ?? fake.apiToken,
                "SIGNALWIRE_SPACE_URL": fake.origin, "SWITCHBOARD_PUBLIC_URL": publicURL,
            ]
        }

        /// The PUTs the fake received: request-target -> the JSON fields sent.
        static func puts(_ fake: FakeSignalWire) -> [String: [String: String]] {
            var puts: [String: [String: String]] = [:]
            for request in fake.requests where request.method == "PUT" {
                let fields = (try? JSONSerialization.jsonObject(with: Data(request.body.utf8))) as? [String: String]
                puts[request.target] = fields ?? ["unparseable": request.body]
            }
            return puts
        }

        static func expectNoSecret(_ text: String, _ fake: FakeSignalWire, token: String? = nil) {
            let token = token ?? fake.apiToken
            #expect(!text.contains(token), "the API token appears in the output")
            #expect(!text.contains(Data("\(fake.projectID):\(token)".utf8).base64EncodedString()), "the Basic credentials appear in the output")
        }

        @Test func startupConfiguresOnlyWhatDiffersRetryingAndRerunsAfterAReload() throws {
            let fake = try Self.makeFake()
            defer { fake.shutdown() }
            fake.enqueue(
                .respond(FakeSignalWire.json(429, ["errors": [["detail": "slow down", "status": "429"]]], headers: [("Retry-After", "1")])),
                .respond(FakeSignalWire.json(500, ["error": "Internal Server Error"]))
            )
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Self.routes())
            let daemon = try DaemonProcess(workspace: workspace, arguments: ["--log-level", "debug"], environment: Self.environment(fake))
            defer { daemon.process.kill() }
            #expect(daemon.log.waitForLine(containing: "Auto-configuration done", timeout: 15), "\(daemon.log.text)")

            let requests = fake.requests
            let gets = requests.filter { $0.method == "GET" }.map(\.target)
            #expect(gets.count == 5, "429, 500, then the 3 pages: \(gets)")
            #expect(gets.prefix(3).allSatisfy { $0 == "/api/relay/rest/phone_numbers?page_size=100" }, "\(gets)")
            #expect(gets.dropFirst(3).allSatisfy { $0.contains("page_token=") }, "links.next is followed: \(gets)")
            #expect(Self.puts(fake) == Self.expectedPuts)
            #expect(requests.filter { $0.method == "PUT" }.count == Self.expectedPuts.count, "one PUT per number")
            let basic = "Basic " + Data("\(fake.projectID):\(fake.apiToken)".utf8).base64EncodedString()
            #expect(requests.allSatisfy { $0.authorization == basic })

            let log = daemon.log.text
            #expect(daemon.log.count(containing: "retrying") == 2, "\(log)")
            #expect(log.contains("retry.wait_seconds=1.00"), "Retry-After: 1 is honoured")
            for number in Self.notOwned {
                #expect(daemon.log.lines.contains { $0.contains("not owned") && $0.contains(number) }, "\(number) is reported")
            }
            #expect(daemon.log.lines.contains { $0.contains("Auto-configuration done") && $0.contains("updated=4") && $0.contains("unchanged=1") && $0.contains("not_owned=3") })
            #expect(daemon.log.count(containing: "Configured phone number") == 4)

            let voice = try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "configured"))
            #expect(voice.status == 200)
            let metrics = try daemon.request("GET", "/metrics").body
            #expect(Answer.metric(metrics, #"switchboard_signalwire_api_calls_total{method="GET",status="429"}"#) == 1)
            #expect(Answer.metric(metrics, #"switchboard_signalwire_api_calls_total{method="PUT",status="200"}"#) == 4)

            // A reload that routes one more owned number configures that number, and only it.
            try workspace.writeRoutes(Self.routes(alsoRouting: [5]))
            daemon.signal(SIGHUP)
            #expect(daemon.log.waitForLine(containing: "Auto-configuration done", count: 2, timeout: 15))
            var expected = Self.expectedPuts
            expected["/api/relay/rest/phone_numbers/pn-005"] = Self.fullUpdate
            #expect(Self.puts(fake) == expected)
            #expect(fake.requests.filter { $0.method == "PUT" }.count == 5)
            #expect(daemon.stop() == .exited(0))
            Self.expectNoSecret(daemon.log.text, fake)
        }

        @Test
        func retriedThenSuccessfulCallIsNotAFailure() throws {
            let fake = try Self.makeFake()
            defer { fake.shutdown() }
            fake.enqueue(.respond(FakeSignalWire.json(500, ["error": "Internal Server Error"], headers: [("Retry-After", "0")])))
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Self.routes())
            let daemon = try DaemonProcess(workspace: workspace, environment: Self.environment(fake))
            defer { daemon.process.kill() }
            #expect(daemon.log.waitForLine(containing: "Auto-configuration done", timeout: 15))
            let metrics = try daemon.request("GET", "/metrics").body
            #expect(Answer.metric(metrics, #"switchboard_signalwire_api_calls_total{method="GET",status="500"}"#) == 1)
            #expect(Answer.metric(metrics, "switchboard_signalwire_api_failures_total") == 0)
            #expect(daemon.stop() == .exited(0))
        }

        @Test func callsAreAnsweredWhileTheAPIHangsOrFails() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Self.routes())

            // Hanging: the first API answer takes 3 s; calls are answered meanwhile.
            let hanging = try Self.makeFake()
            defer { hanging.shutdown() }
            hanging.enqueue(.hang(seconds: 3))
            let daemon = try DaemonProcess(workspace: workspace, environment: Self.environment(hanging))
            defer { daemon.process.kill() }
            let deadline = Date().addingTimeInterval(5)
            while hanging.requests.isEmpty, Date() < deadline { usleep(10_000) }
            #expect(hanging.requests.count == 1, "the first API call has been made")
            let started = Date()
            let voice = try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "while-hanging"))
            #expect(voice.status == 200)
            #expect(Answer.firstMember(voice.body) == Fixture.sales[0])
            #expect(Date().timeIntervalSince(started) < 2, "answered without waiting for the API")
            #expect(hanging.requests.count == 1, "the API call is still hanging")
            #expect(daemon.log.count(containing: "Auto-configuration done") == 0)
            #expect(daemon.log.waitForLine(containing: "Auto-configuration done", timeout: 15), "it finishes once the API answers")
            #expect(daemon.stop() == .exited(0))

            // Failing: five 500s exhaust the retries; the failure is logged and serving goes on.
            let failing = try Self.makeFake()
            defer { failing.shutdown() }
            let error = FakeSignalWire.json(500, ["errors": [["detail": "database on fire", "status": "500"]]], headers: [("Retry-After", "0")])
            for _ in 0..<5 { failing.enqueue(.respond(error)) }
            let second = try DaemonProcess(workspace: workspace, environment: Self.environment(failing))
            defer { second.process.kill() }
            #expect(second.log.waitForLine(containing: "Auto-configuration failed; serving continues", timeout: 15))
            #expect(second.log.lines.contains { $0.contains("500 after 5 attempts") && $0.contains("database on fire") }, "\(second.log.text)")
            #expect(failing.requests.count == 5)
            let during = try second.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "while-failing"))
            #expect(during.status == 200)
            #expect(Answer.firstMember(during.body) == Fixture.sales[1])
            #expect(second.stop() == .exited(0))

            // Refused token: no retry, said plainly, never echoed.
            let refusing = try Self.makeFake()
            defer { refusing.shutdown() }
            let wrongToken = "PTwrong-token-0000"
            let third = try DaemonProcess(workspace: workspace, environment: Self.environment(refusing, token: wrongToken))
            defer { third.process.kill() }
            #expect(third.log.waitForLine(containing: "Auto-configuration failed", timeout: 15))
            #expect(third.log.text.contains("SIGNALWIRE_API_TOKEN"), "the log says which setting to check")
            #expect(refusing.requests.count == 1)
            #expect(try third.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "refused")).status == 200)
            #expect(third.stop() == .exited(0))
            Self.expectNoSecret(third.log.text, refusing, token: wrongToken)
            Self.expectNoSecret(daemon.log.text + second.log.text, hanging)
        }

        @Test func aHangingAPIDoesNotHoldUpShutdown() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Self.routes())
            // An API that accepts connections (the kernel does, from the backlog) and never answers.
            let silent = try FreePort.listeningSocket()
            defer { close(silent) }
            let daemon = try DaemonProcess(workspace: workspace, environment: [
                "SIGNALWIRE_PROJECT_ID": "p", "SIGNALWIRE_API_TOKEN": "PTsilent-token", "SWITCHBOARD_PUBLIC_URL": Self.publicURL,
                "SIGNALWIRE_SPACE_URL": "http://127.0.0.1:\(try FreePort.localPort(silent))",
            ])
            defer { daemon.process.kill() }
            #expect(daemon.log.waitForLine(containing: "Auto-configuration started"))
            #expect(try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "silent")).status == 200)
            let started = Date()
            let status = daemon.stop(timeout: 11)
            #expect(status == .exited(0), "\(String(describing: status)) after \(Date().timeIntervalSince(started)) s")
            #expect(Date().timeIntervalSince(started) < 5, "shutdown does not wait for the API's 30 s timeout")
        }

        @Test func secretsComeFromTheCredentialsDirectory() throws {
            let fake = try Self.makeFake()
            defer { fake.shutdown() }
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Self.routes())
            let credentials = workspace.path + "/credentials"
            try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: false)
            let signingKey = "PSK_fromCredentialsDir42"
            for (name, value) in [("signalwire-api-token", fake.apiToken), ("signalwire-project-id", fake.projectID),
                                  ("signalwire-signing-key", signingKey)] {
                try Data(value.utf8).write(to: URL(fileURLWithPath: credentials + "/" + name))
            }
            let daemon = try DaemonProcess(workspace: workspace, environment: [
                "CREDENTIALS_DIRECTORY": credentials, "SIGNALWIRE_SPACE_URL": fake.origin, "SWITCHBOARD_PUBLIC_URL": Self.publicURL,
            ])
            defer { daemon.process.kill() }
            #expect(daemon.log.waitForLine(containing: "Auto-configuration done", timeout: 15), "\(daemon.log.text)")
            #expect(Self.puts(fake) == Self.expectedPuts)

            let body = Fixture.voiceBody(callID: "credentials")
            #expect(try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: body).status == 403)
            let signature = WebhookSignature(signingKey: signingKey).jsonSignature(url: Self.publicURL + "/voice", rawBody: Array(body.utf8))
            #expect(try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders + [(WebhookSignature.signatureHeader, signature)], body: body).status == 200)
            #expect(daemon.stop() == .exited(0))
            Self.expectNoSecret(daemon.log.text, fake)
            #expect(!daemon.log.text.contains(signingKey))
        }
    }
}
