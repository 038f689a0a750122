import Foundation
import SignalWire
import Store
import Testing
import TestSupport

extension EndToEnd {
    /// Issue 17 against the built binary: call outcomes from the leg events SignalWire sends, and
    /// notifications of a voicemail and of a missed call by SMS (the fake messaging API), email (an SMTP
    /// sink) and a signed webhook (a receiver), each exactly once, through repeated callbacks, failures
    /// of every channel and a restart.
    @Suite struct Notifications {
        static let secret = "notify-s3cret"

        static func routes(webhook: String) -> String {
            let notify = #"{"sms": ["members"], "email": ["team@example.com"], "webhook": "\#(webhook)"}"#
            return """
            {
              "numbers": {
                "\(Fixture.salesNumber)": { "voice": "sales" },
                "\(Fixture.supportNumber)": { "voice": "support" }
              },
              "pools": {
                "sales": { "members": ["\(Fixture.sales[0])", "\(Fixture.sales[1])"], "strategy": "simultaneous",
                           "voicemail": { "max_length": 1 }, "notify": \(notify) },
                "support": { "members": ["\(Fixture.support[0])"], "voicemail": false, "notify": \(notify) }
              }
            }
            """
        }

        /// A `calling.call.state` event of a leg (signalwire.md, SignalWire's CallState reference).
        static func legEvent(leg: String, parent: String, member: String, state: String) -> String {
            """
            {"event_type":"calling.call.state","event_channel":"swml:\(parent)","timestamp":\(Date().timeIntervalSince1970),\
            "project_id":"p","space_id":"s","params":{"node_id":"n","call_id":"\(leg)","call_state":"\(state)",\
            "direction":"outbound","device":{"type":"phone","params":{"from_number":"+12135877632","to_number":"\(member)"}},\
            "parent":{"node_id":"n","call_id":"\(parent)","device_type":"phone"}}}
            """
        }

        /// A `calling.call.record` event with the finished recording (the `record` method's `status_url`).
        static func recordEvent(call: String) -> String {
            """
            {"event_type":"calling.call.record","params":{"call_id":"\(call)","node_id":"n","control_id":"rec-1",\
            "state":"finished","url":"https://files.signalwire.example/rec-\(call).mp3","duration":33,"size":12345,\
            "record":{"audio":{"format":"mp3"}}}}
            """
        }

        @Test func voicemailAndMissedCallAreNotifiedOnceOnEveryChannel() throws {
            let fake = try FakeSignalWire(numbers: [])
            defer { fake.shutdown() }
            // The first attempt on each channel fails: delivery waits for the retry, and goes out once.
            fake.enqueue(.respond(FakeSignalWire.json(503, ["code": 20500, "message": "Service Unavailable", "status": 503])))
            let smtp = try SMTPSink(refuseFirst: 1)
            defer { smtp.shutdown() }
            let receiver = try WebhookReceiver(failFirst: 1)
            defer { receiver.shutdown() }

            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Self.routes(webhook: "http://127.0.0.1:\(receiver.port)/hooks/switchboard"))
            let arguments = ["--no-configure", "--public-url", "https://sb.example.com"]
            let environment = [
                "SIGNALWIRE_PROJECT_ID": fake.projectID, "SIGNALWIRE_API_TOKEN": fake.apiToken, "SIGNALWIRE_SPACE_URL": fake.origin,
                "SWITCHBOARD_SMTP_URL": "smtp://127.0.0.1:\(smtp.port)", "SWITCHBOARD_SMTP_FROM": "switchboard@example.com",
                "SWITCHBOARD_NOTIFY_SECRET": Self.secret, "SWITCHBOARD_MISSED_AFTER": "1", "SWITCHBOARD_ADMIN_TOKEN": "admin-t0ken",
            ]
            var daemon = try DaemonProcess(workspace: workspace, arguments: arguments, environment: environment)
            func post(_ path: String, _ body: String) throws {
                let response = try daemon.request("POST", path, headers: Fixture.jsonHeaders, body: body)
                #expect(response.status == 200 || response.status == 204, "\(path): \(response.status) \(response.body)")
            }

            // A voicemail: both legs ring out, the caller leaves a message; every callback comes three times.
            try post("/voice", Fixture.voiceBody(callID: "call-vm", to: Fixture.salesNumber))
            for _ in 0..<3 {
                for (index, member) in Fixture.sales.prefix(2).enumerated() {
                    for state in ["created", "ringing", "ended"] {
                        try post("/status/call", Self.legEvent(leg: "leg-vm-\(index)", parent: "call-vm", member: member, state: state))
                    }
                }
                try post("/voicemail", Self.recordEvent(call: "call-vm"))
            }
            // A missed call: the one member's leg rings out, no voicemail in this pool.
            try post("/voice", Fixture.voiceBody(callID: "call-missed", to: Fixture.supportNumber))
            for _ in 0..<3 {
                for state in ["ringing", "created", "ended"] {
                    try post("/status/call", Self.legEvent(leg: "leg-m", parent: "call-missed", member: Fixture.support[0], state: state))
                }
            }
            // An answered call: nobody is told.
            try post("/voice", Fixture.voiceBody(callID: "call-ok", to: Fixture.salesNumber))
            try post("/status/call", Self.legEvent(leg: "leg-ok", parent: "call-ok", member: Fixture.sales[1], state: "answered"))
            try post("/status/call", Self.legEvent(leg: "leg-ok", parent: "call-ok", member: Fixture.sales[1], state: "ended"))

            // 2 + 1 texts, 2 emails, 2 webhooks, each after one failed attempt at most (first retry after 5 s).
            let deadline = Date().addingTimeInterval(40)
            while Date() < deadline, fake.sentMessages.count < 3 || smtp.mails.count < 2 || receiver.requests.filter({ $0.status == 200 }).count < 2 {
                usleep(100_000)
            }
            let texts = fake.sentMessages
            #expect(texts.count == 3, "\(texts)\n\(daemon.log.text)")
            let voicemailTexts = texts.filter { $0.body.hasPrefix("Voicemail from +12135877632 (33 s) to \(Fixture.salesNumber) (sales)") }
            #expect(Set(voicemailTexts.map(\.to)) == Set(Fixture.sales.prefix(2)), "\(texts)")
            #expect(voicemailTexts.allSatisfy { $0.from == Fixture.salesNumber && $0.body.hasSuffix("Listen: https://files.signalwire.example/rec-call-vm.mp3") })
            let missedTexts = texts.filter { $0.body.hasPrefix("Missed call from +12135877632 to \(Fixture.supportNumber) (support)") }
            #expect(missedTexts.map(\.to) == [Fixture.support[0]])
            #expect(missedTexts.first?.from == Fixture.supportNumber)

            let mails = smtp.mails
            #expect(mails.count == 2, "\(mails)")
            #expect(mails.allSatisfy { $0.from == "switchboard@example.com" && $0.recipients == ["team@example.com"] })
            #expect(mails.contains { $0.data.contains("Subject: Voicemail from +12135877632 (33 s)") && $0.data.contains("Listen:  https://files.signalwire.example/rec-call-vm.mp3") })
            #expect(mails.contains { $0.data.contains("Subject: Missed call from +12135877632") && $0.data.contains("Nobody answered a call.") })

            let hooks = receiver.requests.filter { $0.status == 200 }
            #expect(hooks.count == 2)
            for hook in hooks {
                #expect(hook.path == "/hooks/switchboard")
                #expect(hook.header("X-Switchboard-Signature") == BodySignature.sign(Array(hook.body.utf8), secret: Self.secret))
                #expect(hook.header("Content-Type") == "application/json")
            }
            let events = hooks.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.body.utf8))) as? [String: Any] }
            #expect(Set(events.compactMap { $0["event"] as? String }) == ["voicemail", "missed"])
            let vm = try #require(events.first { $0["event"] as? String == "voicemail" })
            #expect(vm["call_id"] as? String == "call-vm")
            #expect(vm["recording_url"] as? String == "https://files.signalwire.example/rec-call-vm.mp3")
            #expect(vm["recording_seconds"] as? Int == 33)
            #expect(vm["rung"] as? [String] == Array(Fixture.sales.prefix(2)))
            // Each retried delivery repeats its delivery id: a receiver can tell a repeat.
            let failed = receiver.requests.filter { $0.status != 200 }
            #expect(failed.count == 1)
            #expect(failed.allSatisfy { attempt in hooks.contains { $0.header("X-Switchboard-Delivery") == attempt.header("X-Switchboard-Delivery") } })

            #expect(daemon.waitForMetric(#"switchboard_notifications_total{channel="sms",result="sent"}"#, toBe: 3) == 3)
            #expect(daemon.waitForMetric(#"switchboard_call_outcomes_total{pool="sales",outcome="answered"}"#, toBe: 1) == 1)
            let admin = try daemon.request("GET", "/admin/calls", headers: [("Authorization", "Bearer admin-t0ken")])
            let calls = try #require((try JSONSerialization.jsonObject(with: Data(admin.body.utf8)) as? [String: Any])?["calls"] as? [[String: Any]])
            #expect(calls.first { $0["id"] as? String == "call-ok" }?["outcome"] as? String == "answered")
            #expect(calls.first { $0["id"] as? String == "call-ok" }?["answered_by"] as? String == Fixture.sales[1])
            #expect(calls.first { $0["id"] as? String == "call-vm" }?["outcome"] as? String == "voicemail")
            #expect(calls.first { $0["id"] as? String == "call-missed" }?["outcome"] as? String == "missed")
            let voicemails = try daemon.request("GET", "/admin/voicemails?pool=sales", headers: [("Authorization", "Bearer admin-t0ken")])
            #expect(voicemails.body.contains(#""recording_url" : "https://files.signalwire.example/rec-call-vm.mp3""#), "\(voicemails.body)")
            #expect(daemon.stop() == .exited(0))

            // A restart, and the callbacks once more: nothing is sent again.
            daemon = try DaemonProcess(workspace: workspace, arguments: arguments, environment: environment)
            try post("/voicemail", Self.recordEvent(call: "call-vm"))
            try post("/status/call", Self.legEvent(leg: "leg-m", parent: "call-missed", member: Fixture.support[0], state: "ended"))
            usleep(3_000_000)
            #expect(fake.sentMessages.count == 3)
            #expect(smtp.mails.count == 2)
            #expect(receiver.requests.filter { $0.status == 200 }.count == 2)
            #expect(daemon.stop() == .exited(0))

            let binary = try SwitchboardBinary.path()
            let listing = try ChildProcess.run(binary, ["calls", "--db", workspace.databasePath], environment: workspace.environment(), timeout: 20)
            #expect(listing.status == .exited(0))
            #expect(listing.stdout.contains("voicemail") && listing.stdout.contains("missed") && listing.stdout.contains("answered"), "\(listing.stdout)")
            let missedOnly = try ChildProcess.run(binary, ["calls", "--outcome", "missed", "--json", "--db", workspace.databasePath],
                                                  environment: workspace.environment(), timeout: 20)
            #expect(missedOnly.stdout.contains("call-missed") && !missedOnly.stdout.contains("call-vm"), "\(missedOnly.stdout)")
            let recordings = try ChildProcess.run(binary, ["voicemails", "--pool", "sales", "--db", workspace.databasePath],
                                                  environment: workspace.environment(), timeout: 20)
            #expect(recordings.stdout.contains("https://files.signalwire.example/rec-call-vm.mp3"), "\(recordings.stdout)")
            let stats = try ChildProcess.run(binary, ["stats", "--db", workspace.databasePath], environment: workspace.environment(), timeout: 20)
            #expect(stats.stdout.contains("ANSWER RATE"), "\(stats.stdout)")
            let salesTotal = stats.stdout.split(separator: "\n").first { $0.hasPrefix("sales") && $0.contains("total") }.map(String.init) ?? ""
            #expect(salesTotal.split(separator: " ").map(String.init) == ["sales", "total", "2", "1", "0", "1", "50%"], "\(stats.stdout)")
        }
    }
}
