import FoundationEssentials
import JSON
import Routing
import SignalWire
import Store

/// One check of `switchboard doctor`: what it looked at, how it went, and what to do about it.
package struct DoctorFinding: Sendable, Equatable, Codable {
    package enum Level: String, Sendable, Codable, Comparable {
        case ok, warning, problem

        package static func < (lhs: Level, rhs: Level) -> Bool {
            [Level.ok, .warning, .problem].firstIndex(of: lhs)! < [Level.ok, .warning, .problem].firstIndex(of: rhs)!
        }
    }

    /// What was checked: `routes`, `render`, `credentials`, a number, `public-url`, `recent`.
    package var check: String
    package var level: Level
    package var message: String
    /// What to do; nil when nothing is to be done.
    package var fix: String?

    package init(_ check: String, _ level: Level, _ message: String, fix: String? = nil) {
        self.check = check
        self.level = level
        self.message = message
        self.fix = fix
    }
}

/// The checks of `switchboard doctor` that decide from what was fetched: pure, no I/O, so each can be
/// tested on its own. `DoctorRun` fetches and calls them in order.
package enum Doctor {
    static let configure = "run `switchboard numbers configure` (see the plan first with --dry-run)"

    // MARK: Numbers

    /// For every number routes.json names: owned by the project, capable of what it is routed for,
    /// pointing here; an E911 address on voice numbers. Then the project's numbers it does not name.
    package static func numbers(owned: [PhoneNumber], routes: Routes, publicURL: String?) -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        let byNumber = Dictionary(owned.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        for routed in AutoConfigurator.routedNumbers(routes) {
            let check = routed.number
            guard let number = byNumber[routed.number] else {
                findings.append(DoctorFinding(check, .problem, "not a number of this SignalWire project",
                                              fix: "correct it in routes.json, check SIGNALWIRE_PROJECT_ID, or buy it: `switchboard numbers buy \(routed.number)`"))
                continue
            }
            var problems: [DoctorFinding] = []
            for (routedFor, capability) in [(routed.voice, "voice"), (routed.sms, "sms")] where routedFor && !number.capabilities.contains(capability) {
                problems.append(DoctorFinding(check, .problem,
                                              "routed for \(capability == "voice" ? "calls" : "texts") but has no \(capability) capability (it has: \(number.capabilities.joined(separator: ", ")))",
                                              fix: "route only what it can do in routes.json, or route a number with \(capability)"))
            }
            if let publicURL {
                let here = number.pointsHere(publicURL: publicURL)
                if routed.voice && !here.voice {
                    problems.append(DoctorFinding(check, .problem, "calls go elsewhere: \(describeVoice(number))", fix: configure))
                }
                if routed.sms && !here.sms {
                    problems.append(DoctorFinding(check, .problem, "texts go elsewhere: \(describeSMS(number))", fix: configure))
                }
            }
            if routed.voice, number.capabilities.contains("voice"), number.e911AddressID == nil {
                problems.append(DoctorFinding(check, .warning, "no E911 address attached: an emergency call from it would carry no address",
                                              fix: "`switchboard numbers address create`, then `switchboard numbers address attach \(routed.number) ID`"))
            }
            if problems.isEmpty {
                let channels = [routed.voice ? "calls" : nil, routed.sms ? "texts" : nil].compactMap { $0 }.joined(separator: " and ")
                findings.append(DoctorFinding(check, .ok, publicURL == nil ? "owned, can take its \(channels)" : "owned, its \(channels) come here"))
            }
            findings += problems
        }
        for number in owned.sorted(by: { $0.number < $1.number }) where routes.numbers[number.number] == nil {
            let here = publicURL.map { number.pointsHere(publicURL: $0) } ?? (voice: false, sms: false)
            let pointsHere = here.voice || here.sms
            if let fallback = routes.defaultRoute, fallback.voice != nil || fallback.sms != nil {
                findings.append(pointsHere
                    ? DoctorFinding(number.number, .ok, "not in routes.json: the default route answers it")
                    : DoctorFinding(number.number, .warning, "not in routes.json, and not pointing here: only numbers listed in routes.json are configured, so the default route never hears from it",
                                    fix: "list it under \"numbers\" in routes.json if Switchboard should answer it"))
            } else if pointsHere {
                findings.append(DoctorFinding(number.number, .warning, "points here, but routes.json has no route for it: callers hear \"not in service\"",
                                              fix: "list it under \"numbers\" in routes.json, or add a \"default\" route"))
            }
        }
        return findings
    }

    static func describeVoice(_ number: PhoneNumber) -> String {
        let url = number.callRelayScriptURL ?? number.callRequestURL
        return "call_handler \(number.callHandler ?? "unset")" + (url.map { ", \(SignatureURL.redactingPassword($0))" } ?? "")
    }

    static func describeSMS(_ number: PhoneNumber) -> String {
        "message_handler \(number.messageHandler ?? "unset")" + (number.messageRequestURL.map { ", \(SignatureURL.redactingPassword($0))" } ?? "")
    }

    // MARK: Rendering

    /// The answer each routed number and channel gets now is well formed: SWML a JSON object with
    /// `version` and a non-empty `sections.main`, cXML well-formed XML. Members are left out of
    /// messages; the number and channel say which.
    package static func rendering(routes: Routes, now: Date, callbackBase: String?) -> [DoctorFinding] {
        let engine = RoutingEngine(routes: routes)
        var entries = routes.numbers.keys.sorted().map { ($0, routes.numbers[$0]!) }
        if let fallback = routes.defaultRoute { entries.append(("+10000000000", fallback)) }
        var checked = 0
        var findings: [DoctorFinding] = []
        for (number, route) in entries {
            let label = routes.numbers[number] == nil ? "the default route" : number
            var random = SystemRandomNumberGenerator()
            if route.voice != nil {
                checked += 1
                let request = RouteRequest(channel: .voice, id: "doctor", from: "+15550000000", to: number, now: now)
                let plan = engine.decide(request, states: [:], random: &random).plan
                if let problem = swmlProblem(SWMLRenderer(callbackBase: callbackBase).render(plan, dialed: number).jsonBytes()) {
                    findings.append(DoctorFinding("render", .problem, "the SWML for a call to \(label) is malformed: \(problem)",
                                                  fix: "a bug: please report it with routes.json"))
                }
            }
            if route.sms != nil {
                checked += 1
                let request = RouteRequest(channel: .sms, id: "doctor", from: "+15550000000", to: number, now: now, body: "doctor")
                let plan = engine.decide(request, states: [:], random: &random).plan
                if let problem = XMLWellFormed.problem(CXMLRenderer(callbackBase: callbackBase).render(plan).render()) {
                    findings.append(DoctorFinding("render", .problem, "the cXML for a text to \(label) is malformed: \(problem)",
                                                  fix: "a bug: please report it with routes.json"))
                }
            }
        }
        return findings.isEmpty ? [DoctorFinding("render", .ok, "\(checked) answers rendered now, each well formed")] : findings
    }

    /// nil when `bytes` is an SWML document: an object with a `version` string and `sections.main`,
    /// a non-empty array of steps (each an object or a string).
    package static func swmlProblem(_ bytes: [UInt8]) -> String? {
        let document: JSONValue
        do { document = try JSONParser.parse(bytes) } catch { return "not JSON: \(error)" }
        guard case .string = document["version"]?.kind else { return "no version" }
        guard case .array(let steps) = document["sections"]?["main"]?.kind, !steps.isEmpty else { return "no steps in sections.main" }
        for step in steps {
            switch step.kind {
            case .object(let members) where members.count == 1: continue
            case .string: continue
            default: return "a step at \(step.position) is not one method"
            }
        }
        return nil
    }

    // MARK: Recent failures

    /// What SignalWire's common message error codes mean (its Compatibility API uses Twilio's).
    static let messageErrors: [String: String] = [
        "21610": "the recipient replied STOP: they opted out of texts from this number",
        "21717": "no active 10DLC campaign for this number: US carriers refuse texts from unregistered local numbers",
        "30003": "the handset is unreachable (off, or out of coverage)",
        "30004": "blocked by the recipient or their carrier",
        "30005": "unknown destination number",
        "30006": "the destination is a landline or cannot take texts",
        "30007": "filtered by the carrier as spam (often: 10DLC registration missing or the content flagged)",
        "30008": "unknown delivery error",
    ]

    /// Calls routed to a member more than `settle` seconds ago that no status callback mentions, and
    /// texts that failed, grouped by error code with its meaning.
    package static func recent(unheardCalls: [DecisionRecord], messageFailures: [StatusEvent]) -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        if !unheardCalls.isEmpty {
            findings.append(DoctorFinding("recent", .warning,
                                          "\(unheardCalls.count) call(s) routed in the last day got no status callback (newest: \(unheardCalls[0].id))",
                                          fix: "SignalWire could not reach PUBLIC/status/call: check the public URL and that the proxy passes /status/ paths"))
        }
        var byCode: [String: [StatusEvent]] = [:]
        for event in messageFailures {
            let code = event.detail.flatMap { $0.hasPrefix("error=") ? String($0.dropFirst(6)) : nil } ?? "none"
            byCode[code, default: []].append(event)
        }
        for code in byCode.keys.sorted() {
            let events = byCode[code]!
            let meaning = messageErrors[code].map { ": \($0)" } ?? ""
            findings.append(DoctorFinding("recent", .warning,
                                          "\(events.count) text(s) \(events[0].status) in the last day, error \(code)\(meaning) (newest: \(events[0].id))",
                                          fix: code == "21717" || code == "30007" ? "register the number in a 10DLC campaign (SignalWire Dashboard: Messaging Campaigns)" : nil))
        }
        return findings.isEmpty ? [DoctorFinding("recent", .ok, "no unanswered status callbacks or failed texts in the last day")] : findings
    }

    // MARK: Public URL

    /// Judges what `POST PUBLIC/probe?doctor=NONCE` answered. `sentTarget` is the request-target the
    /// URL should arrive as; `answer` nil when the body was not a probe answer.
    package static func publicURL(_ url: PublicURL, status: Int?, error: String?, answer: ProbeAnswer?, nonce: String,
                                  sentTarget: String, signed: Bool) -> [DoctorFinding] {
        let shown = url.description
        var findings: [DoctorFinding] = []
        if url.scheme != "https" {
            findings.append(url.isLoopback
                ? DoctorFinding("public-url", .warning, "\(shown) is not HTTPS: fine for a test on this host, but SignalWire calls only https:// URLs")
                : DoctorFinding("public-url", .problem, "\(shown) is not HTTPS: SignalWire will not call it",
                                fix: "put TLS in front (a reverse proxy, or a tunnel: `cloudflared tunnel --url http://127.0.0.1:8080`) and set --public-url to the https:// URL"))
        }
        guard let status else {
            findings.append(DoctorFinding("public-url", .problem, "\(shown) is unreachable from this host: \(error ?? "no answer")",
                                          fix: "start the daemon (`switchboard serve`), and check the tunnel or proxy in front of it and the URL's host name"))
            return findings
        }
        if status == 401 {
            findings.append(DoctorFinding("public-url", .problem, "\(shown) asks for HTTP Basic credentials this command does not have",
                                          fix: "give doctor the same SWITCHBOARD_PUBLIC_URL (with its user:password) as the daemon"))
            return findings
        }
        guard status == 200, let answer, answer.service == "switchboard", answer.nonce == nonce else {
            findings.append(DoctorFinding("public-url", .problem, "\(shown) answers HTTP \(status), but not as Switchboard",
                                          fix: "point the tunnel or proxy at the daemon's --listen address, and check the URL's path prefix"))
            return findings
        }
        let received = "switchboard \(answer.version) answers at \(shown)"
        switch answer.signature {
        case "valid":
            findings.append(DoctorFinding("public-url", .ok, "\(received); a request signed for it verified, so the proxy passes the URL unchanged"))
        case "off":
            findings.append(DoctorFinding("public-url", .warning, "\(received), but it checks no signatures: anyone who finds the URL can call its webhooks",
                                          fix: "set SIGNALWIRE_SIGNING_KEY (Dashboard: API, Signing Key) for the daemon"))
        default:
            if !signed {
                findings.append(DoctorFinding("public-url", .warning, "\(received); it checks signatures, but this command has no signing key to prove the URL arrives unchanged",
                                              fix: "set SIGNALWIRE_SIGNING_KEY for doctor too"))
            } else if !answer.target.hasSuffix(sentTarget) {
                findings.append(DoctorFinding("public-url", .problem,
                                              "the request-target was altered on the way: sent \(sentTarget), the daemon received \(answer.target), so SignalWire's signatures will not verify",
                                              fix: "let the proxy pass the path and query unchanged (nginx: `proxy_pass http://127.0.0.1:8080;` with no URI part)"))
            } else {
                findings.append(DoctorFinding("public-url", .problem, "\(received), but a request signed for \(shown) did not verify there",
                                              fix: "give the daemon and doctor the same SIGNALWIRE_SIGNING_KEY and SWITCHBOARD_PUBLIC_URL"))
            }
        }
        return findings
    }
}
