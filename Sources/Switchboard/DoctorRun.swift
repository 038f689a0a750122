import FoundationEssentials
import Logging
import Platform
import Routing
import SignalWire
import Store

/// `switchboard doctor`'s fetching: loads routes.json, asks the API (read-only), probes the public
/// URL, reads the store; each step's verdict comes from `Doctor`. A step whose input failed is
/// reported, and the steps that do not need it still run.
package struct DoctorRun: Sendable {
    let config: ServeConfig
    let logger: Logger
    /// A call routed less than this long ago may still be waiting for its first callback.
    static let settleSeconds: TimeInterval = 300

    package init(config: ServeConfig, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    package func run(now: Date = Date()) -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        var routes: Routes?
        do {
            let file = try RoutesFile(path: config.routesPath, logger: logger)
            routes = file.currentRoutes
            findings.append(DoctorFinding("routes", .ok, file.currentRoutes.summary(file: config.routesPath)))
        } catch {
            findings.append(DoctorFinding("routes", .problem, "\(config.routesPath) is refused:\n\(error)",
                                          fix: "correct it (`switchboard check` lists every problem); a running daemon keeps its last good routes"))
        }
        if let routes {
            findings += Doctor.rendering(routes: routes, now: now, callbackBase: config.publicURL?.raw)
        }
        if let owned = ownedNumbers(&findings), let routes {
            findings += Doctor.numbers(owned: owned, routes: routes, publicURL: config.publicURL?.raw)
        }
        findings += probePublicURL()
        findings += recentFailures(now: now)
        return findings
    }

    /// The project's numbers, or nil (with the finding saying why) without credentials or an answer.
    func ownedNumbers(_ findings: inout [DoctorFinding]) -> [PhoneNumber]? {
        guard let credentials = AutoConfigurator.credentials(config) else {
            let missing = [("SIGNALWIRE_PROJECT_ID", config.projectID), ("SIGNALWIRE_API_TOKEN", config.apiToken), ("SIGNALWIRE_SPACE_URL", config.spaceURL)]
                .filter { $0.1 == nil }.map(\.0)
            findings.append(DoctorFinding("credentials", .problem, "\(missing.joined(separator: ", ")) not set: the numbers cannot be checked",
                                          fix: "set them from the SignalWire Dashboard's API page (Project ID, Space URL, an API token with the Numbers scope)"))
            return nil
        }
        let client = SignalWireClient(credentials: credentials, logger: logger, retryPolicy: RetryPolicy(maxAttempts: 2), requestTimeout: 15)
        do {
            let owned = try client.listPhoneNumbers()
            findings.append(DoctorFinding("credentials", .ok, "accepted by \(credentials.spaceURL): \(owned.count) number(s) in the project"))
            return owned
        } catch let error as SignalWireError where error.status == 401 || error.status == 403 {
            findings.append(DoctorFinding("credentials", .problem, "refused by \(credentials.spaceURL) (HTTP \(error.status!))",
                                          fix: "check SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and SIGNALWIRE_SPACE_URL; the token needs the Numbers scope"))
        } catch {
            findings.append(DoctorFinding("credentials", .problem, "\(credentials.spaceURL) did not answer the list of numbers: \(error)",
                                          fix: "check SIGNALWIRE_SPACE_URL (your-space.signalwire.com) and this host's connection"))
        }
        return nil
    }

    /// `POST PUBLIC/probe?doctor=NONCE`, signed for the public URL as SignalWire signs, through
    /// whatever stands in front of the daemon.
    func probePublicURL() -> [DoctorFinding] {
        guard let url = config.publicURL else {
            return [DoctorFinding("public-url", .problem, "no public URL: SignalWire has no address to call, and signatures cannot be checked",
                                  fix: "set --public-url or SWITCHBOARD_PUBLIC_URL to the https:// URL SignalWire reaches the daemon at")]
        }
        let nonce = UUID().uuidString.lowercased()
        let target = "/probe?doctor=\(nonce)"
        let params = [("nonce", nonce)]
        var headers: [(name: String, value: String)] = [("Content-Type", "application/x-www-form-urlencoded")]
        if let key = config.signingKey {
            headers.append(("X-SignalWire-Signature", WebhookSignature(signingKey: key).formSignature(url: url.raw + target, params: params)))
        }
        let request = CurlRequest(method: "POST", url: url.url(for: target), headers: headers, body: Array(FormEncoding.encode(params).utf8),
                                  basicAuth: url.user.map { CurlRequest.BasicAuth(user: $0, password: url.password ?? "") },
                                  connectTimeout: 5, timeout: 10, maxResponseBytes: 64 * 1024)
        do {
            let response = try CurlClient().perform(request)
            let answer = try? JSONDecoder().decode(ProbeAnswer.self, from: Data(response.body))
            return Doctor.publicURL(url, status: response.status, error: nil, answer: answer, nonce: nonce, sentTarget: target,
                                    signed: config.signingKey != nil)
        } catch {
            return Doctor.publicURL(url, status: nil, error: "\(error)", answer: nil, nonce: nonce, sentTarget: target,
                                    signed: config.signingKey != nil)
        }
    }

    /// From the store, when there is one: calls of the last day that no callback mentions, and texts
    /// that failed. Read-only; a missing database is not created.
    func recentFailures(now: Date) -> [DoctorFinding] {
        let location = StoreLocation(config.databasePath)
        guard location.exists else {
            return [DoctorFinding("recent", .ok, "no database at \(location.display) yet: nothing recorded to look at")]
        }
        do {
            let store = try location.open(readOnly: true)
            defer { store.close() }
            let since = now.addingTimeInterval(-86_400)
            let settled = now.addingTimeInterval(-Self.settleSeconds)
            var unheard: [DecisionRecord] = []
            for decision in try store.recentDecisions(channel: .voice, limit: 200) where decision.time >= since && decision.time <= settled {
                let facts = try store.callFacts(id: decision.id)
                if facts.legs.isEmpty && facts.ended == nil && facts.voicemail == nil { unheard.append(decision) }
            }
            return Doctor.recent(unheardCalls: unheard, messageFailures: try store.messageFailures(since: since, limit: 200))
        } catch {
            return [DoctorFinding("recent", .warning, "\(location.display) could not be read: \(error)",
                                  fix: "run doctor as the daemon's user, or pass --db")]
        }
    }
}
