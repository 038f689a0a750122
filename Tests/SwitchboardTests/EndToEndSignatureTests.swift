import Foundation
import SignalWire
import Testing
import TestSupport

extension EndToEnd {
    /// Issue 4's webhook authentication against the built binary: both signature schemes, the URL
    /// rebuilt from the public URL and the raw request-target, log-only mode, path prefixes, HTTP
    /// Basic credentials, and the refusal to listen beyond loopback unauthenticated.
    @Suite struct Signatures {
        static let key = "PSK_e2eSigningKey7TruNcSNT"
        static let signer = WebhookSignature(signingKey: key)

        static func signedVoice(_ daemon: DaemonProcess, target: String = "/voice", url: String, body: String,
                                sha256URL: String? = nil, extra: [(String, String)] = []) throws -> TestClient.Response {
            var headers = Fixture.jsonHeaders + [(WebhookSignature.signatureHeader, signer.jsonSignature(url: url, rawBody: Array(body.utf8)))]
            if let sha256URL { headers.append((WebhookSignature.sha256Header, signer.jsonSHA256Signature(url: sha256URL, rawBody: Array(body.utf8)))) }
            return try daemon.request("POST", target, headers: headers + extra, body: body)
        }

        @Test func signedWebhooksAreServedAndEverythingElseRefused() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let daemon = try DaemonProcess(workspace: workspace, environment: [
                "SIGNALWIRE_SIGNING_KEY": Self.key, "SWITCHBOARD_PUBLIC_URL": "https://sb.example.com",
            ])
            defer { daemon.process.kill() }
            let body = Fixture.voiceBody(callID: "signed-1")
            let url = "https://sb.example.com/voice"

            let signed = try Self.signedVoice(daemon, url: url, body: body)
            #expect(signed.status == 200)
            #expect(Answer.firstMember(signed.body) == Fixture.sales[0])
            let both = try Self.signedVoice(daemon, url: url, body: Fixture.voiceBody(callID: "signed-2"), sha256URL: url)
            #expect(both.status == 200, "SHA-1 and SHA-256 both right")
            let charset = Fixture.voiceBody(callID: "signed-charset")
            let withCharset = try daemon.request("POST", "/voice", headers: [
                ("Content-Type", "application/json; charset=utf-8"),
                (WebhookSignature.signatureHeader, Self.signer.jsonSignature(url: url, rawBody: Array(charset.utf8))),
            ], body: charset)
            #expect(withCharset.status == 200, "a media type parameter does not change the scheme")

            var refused = 0
            func expectRefused(_ response: TestClient.Response, _ why: String) {
                refused += 1
                #expect(response.status == 403, "\(why)")
                #expect(!response.body.contains("+1555111"), "no member number leaks: \(why)")
            }
            expectRefused(try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: body), "unsigned")
            let tampered = body.replacingOccurrences(of: "+12135877632", with: "+12135877633")
            expectRefused(try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders + [
                (WebhookSignature.signatureHeader, Self.signer.jsonSignature(url: url, rawBody: Array(body.utf8))),
            ], body: tampered), "tampered body")
            expectRefused(try Self.signedVoice(daemon, url: url, body: body, sha256URL: "https://sb.example.com/other"), "wrong SHA-256")
            expectRefused(try Self.signedVoice(daemon, url: "https://evil.example.com/voice", body: body, extra: [
                ("X-Forwarded-Host", "evil.example.com"), ("X-Forwarded-Proto", "https"),
            ]), "signed for the Host/X-Forwarded-* URL")
            expectRefused(try Self.signedVoice(daemon, url: "http://127.0.0.1:\(daemon.port)/voice", body: body), "signed for the socket address")
            let otherKey = WebhookSignature(signingKey: "PSK_someone_else")
            expectRefused(try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders + [
                (WebhookSignature.signatureHeader, otherKey.jsonSignature(url: url, rawBody: Array(body.utf8))),
            ], body: body), "wrong key")

            // The request-target is signed byte for byte: never decoded or re-sorted.
            let rawTarget = "/voice?b=2&a=1%20x"
            let exact = try Self.signedVoice(daemon, target: rawTarget, url: "https://sb.example.com" + rawTarget, body: Fixture.voiceBody(callID: "signed-3"))
            #expect(exact.status == 200)
            expectRefused(try Self.signedVoice(daemon, target: rawTarget, url: "https://sb.example.com/voice?a=1 x&b=2", body: body), "decoded and sorted URL")

            // Forms: base64 over the URL and the sorted parameters; X-Twilio-Signature is an alias;
            // the default port may or may not be in the signed URL.
            let fields = Fixture.smsFields(sid: "SM-signed-1")
            let form = HTTP.form(fields)
            for (header, signedURL) in [(WebhookSignature.signatureHeader, "https://sb.example.com/sms"),
                                        (WebhookSignature.twilioHeader, "https://sb.example.com/sms"),
                                        (WebhookSignature.signatureHeader, "https://sb.example.com:443/sms")] {
                let sms = try daemon.request("POST", "/sms", headers: Fixture.formHeaders + [
                    (header, Self.signer.formSignature(url: signedURL, params: fields)),
                ], body: form)
                #expect(sms.status == 200, "\(header) for \(signedURL)")
                #expect(Answer.messageRecipients(sms.body).count == 1, "\(sms.body)")
            }
            var changed = fields
            changed[4] = ("Body", "Hello therf")
            expectRefused(try daemon.request("POST", "/sms", headers: Fixture.formHeaders + [
                (WebhookSignature.signatureHeader, Self.signer.formSignature(url: "https://sb.example.com/sms", params: fields)),
            ], body: HTTP.form(changed)), "tampered parameter")
            expectRefused(try daemon.request("POST", "/status/call", headers: Fixture.formHeaders,
                                             body: HTTP.form([("CallSid", "signed-1"), ("CallStatus", "completed")])), "unsigned status callback")

            #expect(try daemon.request("GET", "/healthz").status == 200, "operations endpoints need no signature")
            let metrics = try daemon.request("GET", "/metrics").body
            #expect(Answer.metric(metrics, "switchboard_signature_failures_total") == Double(refused))
            #expect(daemon.stop() == .exited(0))
            #expect(daemon.log.count(containing: "Signature check failed") == refused)
            #expect(!daemon.log.text.contains(Self.key), "the signing key is never logged")
        }

        @Test func logModeServesUnsignedRequestsAndSaysWhichURLsItTried() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let daemon = try DaemonProcess(workspace: workspace, environment: [
                "SIGNALWIRE_SIGNING_KEY": Self.key, "SWITCHBOARD_PUBLIC_URL": "https://sb.example.com", "SWITCHBOARD_SIGNATURES": "log",
            ])
            defer { daemon.process.kill() }
            let unsigned = try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "log-1"))
            #expect(unsigned.status == 200)
            #expect(Answer.firstMember(unsigned.body) == Fixture.sales[0])
            #expect(daemon.stop() == .exited(0))
            let line = try #require(daemon.log.lines.first { $0.contains("Signature check failed") })
            #expect(line.contains("https://sb.example.com/voice"), "the URL candidates are logged: \(line)")
            #expect(!daemon.log.text.contains(Self.key))
        }

        @Test func aPublicURLWithAPathPrefixValidatesWithOrWithoutThePrefix() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let daemon = try DaemonProcess(workspace: workspace, environment: [
                "SIGNALWIRE_SIGNING_KEY": Self.key, "SWITCHBOARD_PUBLIC_URL": "https://sb.example.com/sb",
            ])
            defer { daemon.process.kill() }
            let url = "https://sb.example.com/sb/voice"
            let kept = try Self.signedVoice(daemon, target: "/sb/voice", url: url, body: Fixture.voiceBody(callID: "prefix-1"))
            #expect(kept.status == 200)
            #expect(Answer.firstMember(kept.body) == Fixture.sales[0])
            let stripped = try Self.signedVoice(daemon, target: "/voice", url: url, body: Fixture.voiceBody(callID: "prefix-2"))
            #expect(stripped.status == 200)
            #expect(Answer.firstMember(stripped.body) == Fixture.sales[1])
            let withoutPrefix = try Self.signedVoice(daemon, target: "/voice", url: "https://sb.example.com/voice", body: Fixture.voiceBody(callID: "prefix-3"))
            #expect(withoutPrefix.status == 403, "the signed URL must carry the prefix")
            #expect(daemon.stop() == .exited(0))
        }

        @Test func credentialsInThePublicURLRequireBasicAuth() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let password = "s3cret-basic-pw"
            let daemon = try DaemonProcess(workspace: workspace, environment: ["SWITCHBOARD_PUBLIC_URL": "https://sw:\(password)@sb.example.com"])
            defer { daemon.process.kill() }
            let body = Fixture.voiceBody(callID: "basic-1")
            let none = try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: body)
            #expect(none.status == 401)
            #expect(none.headers["www-authenticate"]?.hasPrefix("Basic") == true)
            let wrong = try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders + [
                ("Authorization", "Basic " + Data("sw:nope".utf8).base64EncodedString()),
            ], body: body)
            #expect(wrong.status == 401)
            let right = try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders + [
                ("Authorization", "Basic " + Data("sw:\(password)".utf8).base64EncodedString()),
            ], body: body)
            #expect(right.status == 200)
            #expect(Answer.firstMember(right.body) == Fixture.sales[0])
            #expect(daemon.stop() == .exited(0))
            #expect(!daemon.log.text.contains(password), "the password is never logged")
        }

        @Test
        func callbackURLsHandedOutWithBasicCredentialsAreAccepted() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let daemon = try DaemonProcess(workspace: workspace, environment: ["SWITCHBOARD_PUBLIC_URL": "https://sw:pw@sb.example.com"])
            defer { daemon.process.kill() }
            let basic = ("Authorization", "Basic " + Data("sw:pw".utf8).base64EncodedString())
            let voice = try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders + [basic], body: Fixture.voiceBody(callID: "cb-1"))
            let connect = Answer.swmlMain(voice.body)?.lazy.compactMap { $0["connect"] as? [String: Any] }.first
            let callStateURL = try #require(connect?["call_state_url"] as? String)
            // Call back exactly as SignalWire would: with the credentials the URL carries, if any.
            let url = try #require(URLComponents(string: callStateURL))
            var headers = Fixture.formHeaders
            if let user = url.user { headers.append(("Authorization", "Basic " + Data("\(user):\(url.password ?? "")".utf8).base64EncodedString())) }
            let callback = try daemon.request("POST", url.path, headers: headers, body: HTTP.form([("CallSid", "cb-1"), ("CallStatus", "completed")]))
            #expect(callback.status == 204, "\(callStateURL) answered \(callback.status)")
            #expect(daemon.stop() == .exited(0))
        }

        @Test func listeningBeyondLoopbackNeedsAuthenticationOrAnExplicitFlag() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let refused = try DaemonProcess(workspace: workspace, host: "0.0.0.0", waitUntilHealthy: false)
            defer { refused.process.kill() }
            let status = refused.process.waitForExit(timeout: 10)
            #expect(status != nil && status != .exited(0), "\(String(describing: status))")
            refused.process.stderr.waitForEnd(timeout: 2)
            let message = refused.log.text
            #expect(message.contains("SIGNALWIRE_SIGNING_KEY"), "\(message)")
            #expect(message.contains("--allow-unauthenticated"), "\(message)")
            #expect((try? HTTP.get(port: refused.port, "/healthz", timeout: 1)) == nil, "nothing listens")

            let allowed = try DaemonProcess(workspace: workspace, arguments: ["--allow-unauthenticated"], host: "0.0.0.0")
            defer { allowed.process.kill() }
            #expect(try allowed.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "open-1")).status == 200)
            #expect(allowed.stop() == .exited(0))

            let keyed = try DaemonProcess(workspace: workspace, environment: ["SIGNALWIRE_SIGNING_KEY": Self.key, "SWITCHBOARD_PUBLIC_URL": "https://sb.example.com"], host: "0.0.0.0")
            defer { keyed.process.kill() }
            #expect(try keyed.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "open-2")).status == 403)
            #expect(keyed.log.text.contains("Webhook authentication"), "the start-up log says how webhooks are checked")
            #expect(keyed.log.text.contains("enforced"))
            #expect(keyed.stop() == .exited(0))

            // A key without the public URL its signatures cover would refuse every webhook: refused at start.
            let keyOnly = try ChildProcess.run(try SwitchboardBinary.path(), ["serve", "--routes", workspace.routesPath, "--listen", "127.0.0.1:0"],
                                               environment: workspace.environment(["SIGNALWIRE_SIGNING_KEY": Self.key]), timeout: 10)
            #expect(keyOnly.status == .exited(2))
            #expect(keyOnly.stderr.contains("SIGNALWIRE_SIGNING_KEY is set but SWITCHBOARD_PUBLIC_URL is not"), "\(keyOnly.stderr)")
        }
    }
}
