import Foundation
import Routing
import SignalWire
import Store
import Testing
@testable import Switchboard

/// The verdicts of `switchboard doctor`, from what was fetched (no I/O).
@Suite struct DoctorTests {
    static let here = "https://sb.example.com"
    static let pool = Pool(name: "sales", members: [Member(address: "+15551111111")])

    static func number(_ e164: String, voice: String? = nil, sms: String? = nil, capabilities: [String] = ["voice", "sms"],
                       e911: String? = "ea-1") -> PhoneNumber {
        PhoneNumber(id: "pn-\(e164.suffix(3))", number: e164, capabilities: capabilities,
                    callHandler: voice.map { _ in "relay_script" }, callRelayScriptURL: voice,
                    messageHandler: sms.map { _ in "laml_webhooks" }, messageRequestURL: sms, messageRequestMethod: sms.map { _ in "POST" },
                    e911AddressID: e911)
    }

    static func routes(default fallback: NumberRoute? = nil) -> Routes {
        Routes(numbers: ["+15550000001": NumberRoute(voice: "sales", sms: "sales"), "+15550000002": NumberRoute(sms: "sales")],
               pools: ["sales": pool], defaultRoute: fallback)
    }

    @Test func routedNumbersOwnedCapableAndPointingHereAreOK() {
        let owned = [Self.number("+15550000001", voice: Self.here + "/voice", sms: Self.here + "/sms"),
                     Self.number("+15550000002", sms: Self.here + "/sms", capabilities: ["sms"], e911: nil)]
        #expect(Doctor.numbers(owned: owned, routes: Self.routes(), publicURL: Self.here) == [
            DoctorFinding("+15550000001", .ok, "owned, its calls and texts come here"),
            DoctorFinding("+15550000002", .ok, "owned, its texts come here"),
        ])
        // Without a public URL, where they point cannot be judged.
        #expect(Doctor.numbers(owned: owned, routes: Self.routes(), publicURL: nil).map(\.message) == [
            "owned, can take its calls and texts", "owned, can take its texts",
        ])
    }

    @Test func eachNumberProblemIsNamed() {
        let owned = [Self.number("+15550000001", voice: "https://elsewhere.example/voice", sms: nil, capabilities: ["voice"], e911: nil)]
        let findings = Doctor.numbers(owned: owned, routes: Self.routes(), publicURL: Self.here)
        #expect(findings.map(\.level) == [.problem, .problem, .problem, .warning, .problem])
        #expect(findings[0].message == "routed for texts but has no sms capability (it has: voice)")
        #expect(findings[1].message == "calls go elsewhere: call_handler relay_script, https://elsewhere.example/voice")
        #expect(findings[2].message == "texts go elsewhere: message_handler unset")
        #expect(findings[3].message.hasPrefix("no E911 address attached"))
        #expect(findings[4] == DoctorFinding("+15550000002", .problem, "not a number of this SignalWire project",
                                             fix: "correct it in routes.json, check SIGNALWIRE_PROJECT_ID, or buy it: `switchboard numbers buy +15550000002`"))
        // Credentials in a URL a number points at are never printed.
        let secret = [Self.number("+15550000001", voice: "https://user:hunter2@elsewhere.example/voice", sms: Self.here + "/sms")]
        let described = Doctor.numbers(owned: secret, routes: Self.routes(), publicURL: Self.here).map(\.message).joined()
        #expect(!described.contains("hunter2") && described.contains("elsewhere.example/voice"), "\(described)")
    }

    @Test func numbersOnlyTheDefaultRouteCoversSayWhyTheyAreOrAreNotConfigured() {
        let owned = [Self.number("+15550000009", voice: Self.here + "/voice"), Self.number("+15550000008")]
        let withDefault = Doctor.numbers(owned: owned, routes: Self.routes(default: NumberRoute(voice: "sales")), publicURL: Self.here)
            .filter { $0.check.hasPrefix("+155500000") && !["+15550000001", "+15550000002"].contains($0.check) }
        #expect(withDefault == [
            DoctorFinding("+15550000008", .warning,
                          "not in routes.json, and not pointing here: only numbers listed in routes.json are configured, so the default route never hears from it",
                          fix: "list it under \"numbers\" in routes.json if Switchboard should answer it"),
            DoctorFinding("+15550000009", .ok, "not in routes.json: the default route answers it"),
        ])
        let noDefault = Doctor.numbers(owned: owned, routes: Self.routes(), publicURL: Self.here).filter { $0.check >= "+15550000008" }
        #expect(noDefault.map(\.check) == ["+15550000009"], "a number neither routed nor pointing here is none of our business")
        #expect(noDefault.first?.message.contains("callers hear \"not in service\"") == true)
    }

    @Test func publicURLVerdicts() throws {
        let url = try PublicURL("https://user:pw@sb.example.com/x")
        func verdict(status: Int? = 200, error: String? = nil, signature: String = "valid", target: String = "/x/probe?doctor=n",
                     nonce: String = "n", signed: Bool = true) -> [DoctorFinding] {
            Doctor.publicURL(url, status: status, error: error,
                             answer: status == 200 ? ProbeAnswer(nonce: nonce, target: target, signature: signature) : nil,
                             nonce: "n", sentTarget: "/probe?doctor=n", signed: signed)
        }
        #expect(verdict().map(\.level) == [.ok])
        #expect(!verdict().description.contains("pw"), "the password is never shown")
        #expect(verdict(target: "/probe?doctor=n").map(\.level) == [.ok], "a proxy stripping the prefix is fine")
        #expect(verdict(signature: "invalid", target: "/x/probe").first?.message.hasPrefix("the request-target was altered on the way") == true)
        #expect(verdict(signature: "invalid").first?.message.hasSuffix("did not verify there") == true)
        #expect(verdict(signature: "missing", signed: false).map(\.level) == [.warning])
        #expect(verdict(signature: "off").first?.message.contains("checks no signatures") == true)
        #expect(verdict(nonce: "other").first?.message.contains("not as Switchboard") == true, "an answer to another request")
        #expect(verdict(status: 404).first?.message.contains("answers HTTP 404, but not as Switchboard") == true)
        #expect(verdict(status: 401).first?.message.contains("Basic credentials") == true)
        #expect(verdict(status: nil, error: "Couldn't connect").first?.message.contains("unreachable from this host: Couldn't connect") == true)

        let plain = try PublicURL("http://sb.example.com")
        #expect(Doctor.publicURL(plain, status: nil, error: "x", answer: nil, nonce: "n", sentTarget: "/", signed: true).map(\.level) == [.problem, .problem])
        for loopback in ["http://127.0.0.1:8080", "http://[::1]:8080", "http://localhost:8080"] {
            let local = try PublicURL(loopback)
            #expect(Doctor.publicURL(local, status: nil, error: "x", answer: nil, nonce: "n", sentTarget: "/", signed: true).first?.level == .warning,
                    "\(loopback)")
        }
    }

    @Test func recentFailuresAreGroupedByCodeWithTheirMeaning() {
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(Doctor.recent(unheardCalls: [], messageFailures: []).map(\.level) == [.ok])
        let call = DecisionRecord(time: t, channel: .voice, id: "CA-new", from: "+1", to: "+2", pool: "sales", member: "+3")
        let failures = [
            StatusEvent(kind: .message, id: "SM3", status: "undelivered", time: t, detail: "error=30007"),
            StatusEvent(kind: .message, id: "SM2", status: "failed", time: t, detail: "error=21717"),
            StatusEvent(kind: .message, id: "SM1", status: "undelivered", time: t, detail: "error=30007"),
            StatusEvent(kind: .message, id: "SM0", status: "failed", time: t, detail: nil),
        ]
        let findings = Doctor.recent(unheardCalls: [call, call], messageFailures: failures)
        #expect(findings.map(\.message) == [
            "2 call(s) routed in the last day got no status callback (newest: CA-new)",
            "1 text(s) failed in the last day, error 21717: no active 10DLC campaign for this number: US carriers refuse texts from unregistered local numbers (newest: SM2)",
            "2 text(s) undelivered in the last day, error 30007: filtered by the carrier as spam (often: 10DLC registration missing or the content flagged) (newest: SM3)",
            "1 text(s) failed in the last day, error none (newest: SM0)",
        ], "calls first, then texts by error code")
    }

    @Test func everyRenderedAnswerIsCheckedAndMalformedOnesAreCaught() {
        let findings = Doctor.rendering(routes: Self.routes(default: NumberRoute(voice: "sales", sms: "sales")), now: Date(), callbackBase: Self.here)
        #expect(findings == [DoctorFinding("render", .ok, "5 answers rendered now, each well formed")])
        #expect(Doctor.swmlProblem(Array(#"{"version":"1.0.0","sections":{"main":["answer",{"hangup":{}}]}}"#.utf8)) == nil)
        #expect(Doctor.swmlProblem(Array(#"{"version":"1.0.0","sections":{"main":[]}}"#.utf8)) == "no steps in sections.main")
        #expect(Doctor.swmlProblem(Array(#"{"sections":{"main":["answer"]}}"#.utf8)) == "no version")
        #expect(Doctor.swmlProblem(Array(#"{"version":"1.0.0","sections":{"main":[{"a":1,"b":2}]}}"#.utf8))?.contains("not one method") == true)
        #expect(Doctor.swmlProblem(Array(#"{"version":"#.utf8))?.hasPrefix("not JSON") == true)
    }

    @Test(arguments: [
        (#"<?xml version="1.0" encoding="UTF-8"?><Response><Message to="+1" from="+2">a &amp; b &#x1F600; &#39;</Message></Response>"#, nil),
        ("<Response/>", nil),
        ("<Response>\n  <Message to='x'>hi</Message>\n</Response>\n", nil),
        ("", "no root element"),
        ("<Response>", "<Response> is never closed"),
        ("<Response></Message>", "</Message> closes nothing open at byte 19"),
        ("<Response>a & b</Response>", "a bare & or an unknown entity at byte 12"),
        ("<Response>&nbsp;</Response>", "a bare & or an unknown entity at byte 10"),
        ("<Response to=x/>", "an unquoted attribute value at byte 13"),
        ("<Response a=\"1\" a=\"2\"/>", "a repeated attribute at byte 17"),
        ("<Response a=\"<\"/>", "< in an attribute value at byte 13"),
        ("<Response a=\"1\"b=\"2\"/>", "attributes must be separated by spaces at byte 15"),
        ("<A/><B/>", "a second root element at byte 6"),
        ("text<A/>", "text outside the root element at byte 0"),
        ("<A>1 > 0</A>", "a bare > at byte 5"),
        ("<?xml version=\"1.0\"", "unterminated XML declaration at byte 0"),
        ("<A b=\"1", "an unterminated attribute value at byte 7"),
        ("< A/>", "a tag without a name at byte 1"),
    ] as [(String, String?)])
    func xmlWellFormedness(_ document: String, _ problem: String?) {
        #expect(XMLWellFormed.problem(document) == problem)
    }
}
