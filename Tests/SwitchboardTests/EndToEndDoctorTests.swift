import Foundation
import HTTPServer
import Logging
import SignalWire
import Testing
import TestSupport

extension EndToEnd {
    /// Issue 21: `switchboard doctor` against the built binary, the fake API, and the daemon at a
    /// loopback public URL (the HTTPS URL's stand-in), directly or through a proxy that alters the
    /// request-target.
    @Suite struct DoctorCommand {
        static let key = "PSKdoctor-signing-key"
        static func e164(_ index: Int) -> String { "+1555800" + String(format: "%04d", index) }

        /// The handler fields that point a number at `publicURL`, and an E911 address.
        static func pointingAt(_ publicURL: String) -> [String: Any] {
            ["call_handler": "relay_script", "call_relay_script_url": publicURL + "/voice", "message_handler": "laml_webhooks",
             "message_request_url": publicURL + "/sms", "message_request_method": "POST", "e911_address_id": "ea-1"]
        }

        /// 001 routed for calls and texts, 002 for calls; 009 owned and not routed (no default route).
        static let routes = """
        {
          "numbers": { "\(e164(1))": { "voice": "sales", "sms": "sales" }, "\(e164(2))": { "voice": "sales" } },
          "pools": { "sales": { "members": ["+15551111111", "+15551111112"] } }
        }
        """

        struct Setup {
            let fake: FakeSignalWire
            let workspace: Workspace
            let daemon: DaemonProcess
            let publicURL: String

            func doctor(_ arguments: [String] = [], publicURL: String? = nil, key: String? = DoctorCommand.key)
                throws -> (status: ExitStatus?, stdout: String, stderr: String) {
                var environment = [
                    "SIGNALWIRE_PROJECT_ID": fake.projectID, "SIGNALWIRE_API_TOKEN": fake.apiToken, "SIGNALWIRE_SPACE_URL": fake.origin,
                    "SWITCHBOARD_PUBLIC_URL": publicURL ?? self.publicURL, "SWITCHBOARD_ROUTES": workspace.routesPath,
                    "SWITCHBOARD_DB": workspace.databasePath,
                ]
                if let key { environment["SIGNALWIRE_SIGNING_KEY"] = key }
                return try ChildProcess.run(try SwitchboardBinary.path(), ["doctor"] + arguments, environment: workspace.environment(environment))
            }
        }

        /// The fake holds `numbers(publicURL)`; the daemon serves at the public URL with the signing key.
        static func withSetup(numbers: (String) -> [[String: Any]], _ body: (Setup) throws -> Void) throws {
            let port = try FreePort.pick()
            let publicURL = "http://127.0.0.1:\(port)"
            let fake = try FakeSignalWire(numbers: numbers(publicURL))
            defer { fake.shutdown() }
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(routes)
            let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure"], environment: [
                "SIGNALWIRE_SIGNING_KEY": key, "SWITCHBOARD_PUBLIC_URL": publicURL,
            ], port: port)
            defer { daemon.process.kill() }
            try body(Setup(fake: fake, workspace: workspace, daemon: daemon, publicURL: publicURL))
            #expect(daemon.stop() == .exited(0))
        }

        static func clean(_ publicURL: String) -> [[String: Any]] {
            [FakeSignalWire.number("pn-1", e164(1), handlers: pointingAt(publicURL)),
             FakeSignalWire.number("pn-2", e164(2), handlers: pointingAt(publicURL)),
             FakeSignalWire.number("pn-9", e164(9))]
        }

        /// The lines of a finding: its level, check, message, and fix.
        static func finding(_ stdout: String, _ level: String, _ check: String, _ message: String) -> Bool {
            stdout.split(separator: "\n").contains { $0.hasPrefix(level) && $0.contains(" \(check): ") && $0.contains(message) }
        }

        @Test func aCleanSetupPassesAndSaysSo() throws {
            try Self.withSetup(numbers: Self.clean) { setup in
                let result = try setup.doctor()
                #expect(result.status == .exited(0), "\(result.stdout)\(result.stderr)")
                #expect(Self.finding(result.stdout, "ok", "routes", "2 numbers, 1 pool"), "\(result.stdout)")
                #expect(Self.finding(result.stdout, "ok", "render", "3 answers rendered now, each well formed"))
                #expect(Self.finding(result.stdout, "ok", "credentials", "3 number(s) in the project"))
                #expect(Self.finding(result.stdout, "ok", Self.e164(1), "owned, its calls and texts come here"))
                #expect(Self.finding(result.stdout, "ok", Self.e164(2), "owned, its calls come here"))
                #expect(Self.finding(result.stdout, "ok", "public-url", "a request signed for it verified"), "\(result.stdout)")
                #expect(Self.finding(result.stdout, "warning", "public-url", "is not HTTPS: fine for a test on this host"))
                #expect(!result.stdout.contains("problem"), "\(result.stdout)")
                #expect(result.stdout.hasSuffix("\nNothing stops a call; 1 warning(s) in 8 checks.\n"))
                #expect(!result.stdout.contains(Self.e164(9)), "owned, unrouted, not pointing here and no default: nothing to say")
                #expect(!result.stdout.contains(setup.fake.apiToken) && !result.stdout.contains(Self.key))

                let json = try setup.doctor(["--json"])
                #expect(json.status == .exited(0))
                let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
                #expect(report?["ok"] as? Bool == true)
                let checks = report?["checks"] as? [[String: Any]] ?? []
                #expect(checks.count == result.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") && !$0.isEmpty && !$0.hasSuffix(".") }.count)
                #expect(checks.allSatisfy { ["ok", "warning"].contains($0["level"] as? String) })
                // Only reads: the fake saw GETs, the daemon's database no decision.
                #expect(setup.fake.requests.allSatisfy { $0.method == "GET" })
            }
        }

        @Test func numberProblemsAreEachReportedWithTheirFix() throws {
            // 001 cannot take texts, 002 points elsewhere, 003 is routed but not owned.
            try Self.withSetup(numbers: { publicURL in
                var voiceOnly = FakeSignalWire.number("pn-1", Self.e164(1), handlers: Self.pointingAt(publicURL))
                voiceOnly["capabilities"] = ["voice"]
                return [voiceOnly, FakeSignalWire.number("pn-2", Self.e164(2), handlers: [
                    "call_handler": "laml_webhooks", "call_request_url": "https://old.example.net/voice",
                ])]
            }) { setup in
                try setup.workspace.writeRoutes("""
                {
                  "numbers": { "\(Self.e164(1))": { "voice": "sales", "sms": "sales" }, "\(Self.e164(2))": { "voice": "sales" },
                               "\(Self.e164(3))": { "voice": "sales" } },
                  "pools": { "sales": { "members": ["+15551111111"] } }
                }
                """)
                let result = try setup.doctor()
                #expect(result.status == .exited(1), "\(result.stdout)")
                let out = result.stdout
                #expect(Self.finding(out, "problem", Self.e164(1), "routed for texts but has no sms capability (it has: voice)"), "\(out)")
                #expect(Self.finding(out, "problem", Self.e164(2), "calls go elsewhere: call_handler laml_webhooks, https://old.example.net/voice"))
                #expect(Self.finding(out, "warning", Self.e164(2), "no E911 address attached"))
                #expect(Self.finding(out, "problem", Self.e164(3), "not a number of this SignalWire project"))
                #expect(out.contains("fix: run `switchboard numbers configure`"))
                #expect(out.contains("fix: route only what it can do in routes.json"))
                #expect(out.contains("fix: correct it in routes.json, check SIGNALWIRE_PROJECT_ID, or buy it: `switchboard numbers buy \(Self.e164(3))`"))
                #expect(out.hasSuffix("3 problem(s), 2 warning(s) in 10 checks.\n"), "\(out)")
            }
        }

        @Test func anUnreachableOrForeignPublicURLIsAProblem() throws {
            try Self.withSetup(numbers: Self.clean) { setup in
                let nobody = "http://127.0.0.1:\(try FreePort.pick())"
                let unreachable = try setup.doctor(publicURL: nobody)
                #expect(unreachable.status == .exited(1))
                #expect(Self.finding(unreachable.stdout, "problem", "public-url", "\(nobody) is unreachable from this host"), "\(unreachable.stdout)")
                #expect(unreachable.stdout.contains("fix: start the daemon (`switchboard serve`)"))
                // The numbers point at the daemon, not at this URL: they are problems too.
                #expect(Self.finding(unreachable.stdout, "problem", Self.e164(1), "calls go elsewhere"))

                // Something answers there, but not Switchboard: the fake API, say.
                let foreign = try setup.doctor(publicURL: setup.fake.origin)
                #expect(foreign.status == .exited(1))
                #expect(Self.finding(foreign.stdout, "problem", "public-url", "answers HTTP 401, but not as Switchboard")
                    || Self.finding(foreign.stdout, "problem", "public-url", "asks for HTTP Basic credentials"), "\(foreign.stdout)")

                // Another signing key: the daemon answers, the signature does not verify.
                let otherKey = try setup.doctor(key: "PSKsomething-else")
                #expect(otherKey.status == .exited(1))
                #expect(Self.finding(otherKey.stdout, "problem", "public-url", "did not verify there"), "\(otherKey.stdout)")
                #expect(otherKey.stdout.contains("fix: give the daemon and doctor the same SIGNALWIRE_SIGNING_KEY"))
            }
        }

        @Test func aProxyThatAltersTheRequestTargetIsCaught() throws {
            // The daemon's public URL is the proxy's; the proxy drops the query before passing it on.
            let proxyPort = try FreePort.pick()
            let publicURL = "http://127.0.0.1:\(proxyPort)"
            let daemonPort = try FreePort.pick()
            let proxy = HTTPServer(configuration: .init(host: "127.0.0.1", port: proxyPort), logger: Logger(label: "proxy")) { request in
                let target = String(request.target.prefix { $0 != "?" })
                let headers = request.headers.map { ($0.name, $0.value) }.filter { !["host", "content-length", "connection"].contains($0.0.lowercased()) }
                guard let answer = try? HTTP.request(port: daemonPort, request.method, target, headers: headers,
                                                     body: String(decoding: request.body, as: UTF8.self)) else {
                    return HTTPResponse(status: 502, contentType: "text/plain", body: Array("no daemon".utf8))
                }
                return HTTPResponse(status: answer.status, contentType: answer.headers["content-type"] ?? "text/plain", body: Array(answer.body.utf8))
            }
            try proxy.start()
            defer { proxy.shutdown() }
            let fake = try FakeSignalWire(numbers: Self.clean(publicURL))
            defer { fake.shutdown() }
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Self.routes)
            let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure"], environment: [
                "SIGNALWIRE_SIGNING_KEY": Self.key, "SWITCHBOARD_PUBLIC_URL": publicURL,
            ], port: daemonPort)
            defer { daemon.process.kill() }
            let result = try Setup(fake: fake, workspace: workspace, daemon: daemon, publicURL: publicURL).doctor()
            #expect(result.status == .exited(1))
            #expect(Self.finding(result.stdout, "problem", "public-url", "the request-target was altered on the way: sent /probe?doctor="), "\(result.stdout)")
            #expect(result.stdout.contains("the daemon received /probe, so SignalWire's signatures will not verify"))
            #expect(result.stdout.contains("fix: let the proxy pass the path and query unchanged"))
            #expect(daemon.stop() == .exited(0))
        }

        @Test func badRoutesAndMissingCredentialsAreProblemsAndTheRestStillRuns() throws {
            try Self.withSetup(numbers: Self.clean) { setup in
                try setup.workspace.writeRoutes(#"{ "numbers": { "+15558000001": { "voice": "nowhere" } }, "pools": {} }"#)
                let result = try setup.doctor()
                #expect(result.status == .exited(1))
                #expect(Self.finding(result.stdout, "problem", "routes", "is refused:"), "\(result.stdout)")
                #expect(result.stdout.contains("nowhere"), "the validation error is shown")
                #expect(result.stdout.contains("fix: correct it (`switchboard check` lists every problem)"))
                #expect(Self.finding(result.stdout, "ok", "public-url", "a request signed for it verified"), "the probe still runs")

                let bare = try ChildProcess.run(try SwitchboardBinary.path(), ["doctor", "--routes", setup.workspace.routesPath],
                                                environment: setup.workspace.environment([:]))
                #expect(bare.status == .exited(1))
                #expect(Self.finding(bare.stdout, "problem", "credentials", "SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN, SIGNALWIRE_SPACE_URL not set"))
                #expect(Self.finding(bare.stdout, "problem", "public-url", "no public URL"))
            }
        }

        @Test func failedTextsInTheStoreAreExplained() throws {
            try Self.withSetup(numbers: Self.clean) { setup in
                for (sid, code) in [("SM1", "30007"), ("SM2", "30007"), ("SM3", "21717")] {
                    let params = [("MessageSid", sid), ("MessageStatus", "undelivered"), ("ErrorCode", code), ("To", "+15551111111"), ("From", Self.e164(1))]
                    let signature = WebhookSignature(signingKey: Self.key).formSignature(url: setup.publicURL + "/status/message", params: params)
                    let response = try setup.daemon.request("POST", "/status/message", headers: [
                        ("Content-Type", "application/x-www-form-urlencoded"), (WebhookSignature.signatureHeader, signature),
                    ], body: HTTP.form(params))
                    #expect(response.status == 200 || response.status == 204, "\(response.body)")
                }
                let result = try setup.doctor()
                #expect(result.status == .exited(0), "warnings only: \(result.stdout)")
                #expect(Self.finding(result.stdout, "warning", "recent", "2 text(s) undelivered in the last day, error 30007: filtered by the carrier as spam"), "\(result.stdout)")
                #expect(Self.finding(result.stdout, "warning", "recent", "1 text(s) undelivered in the last day, error 21717: no active 10DLC campaign"))
                #expect(result.stdout.contains("fix: register the number in a 10DLC campaign"))
            }
        }
    }
}
