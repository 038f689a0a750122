import Dispatch
import Foundation
import HTTPServer
import Logging
import Routing
import Store
import Testing
@testable import Switchboard

/// A store whose every call fails, as a full disk or a read-only file would make it.
final class FailingStore: SwitchboardStore, @unchecked Sendable {
    func holdCommits() {}
    func releaseCommits() {}
    struct Broken: Error {}
    func route<T>(_ query: StateQuery, _ choose: ([String: PoolState]) throws -> (T, [DecisionRecord])) throws -> T { throw Broken() }
    func route<T: Sendable>(_ query: StateQuery, _ choose: @escaping @Sendable ([String: PoolState]) throws -> (T, [DecisionRecord]),
                            completion: @escaping @Sendable (Result<T, any Error>) -> Void) {
        // Answers from another thread, as a real store's writer would.
        DispatchQueue.global().async { completion(.failure(Broken())) }
    }
    func poolStates(_ query: StateQuery) throws -> [String: PoolState] { throw Broken() }
    func recordStatus(_ event: StatusEvent) throws -> StatusOutcome { throw Broken() }
    func recordVoicemail(_ voicemail: Voicemail) throws { throw Broken() }
    func recordConversation(poolNumber: String, member: String, customer: String, at time: Date) throws { throw Broken() }
    func openConversations(poolNumber: String, member: String, since: Date, callPools: [String]) throws -> [String] { throw Broken() }
    func setOptOut(poolNumber: String, customer: String, keyword: String?, at time: Date) throws { throw Broken() }
    func isOptedOut(poolNumber: String, customer: String) throws -> Bool { throw Broken() }
    func optOuts() throws -> [OptOut] { throw Broken() }
    func prune(olderThan cutoff: Date) throws -> Int { throw Broken() }
    func stats(since: Date) throws -> [StatsRow] { throw Broken() }
    func recentDecisions(channel: Channel, limit: Int) throws -> [DecisionRecord] { throw Broken() }
    func currentStatus(id: String) throws -> String? { throw Broken() }
    func messageFailures(since: Date, limit: Int) throws -> [StatusEvent] { throw Broken() }
    func pauseMember(_ pause: MemberPause) throws { throw Broken() }
    func resumeMember(pool: String, member: String) throws -> Bool { throw Broken() }
    func memberPauses() throws -> [MemberPause] { throw Broken() }
    func countOffers(pool: String, missed: [String], answered: String?) throws -> [String: Int] { throw Broken() }
    func callFacts(id: String) throws -> CallFacts { throw Broken() }
    func saveCall(_ call: CallOutcome, notifications: [PendingNotification]) throws -> Int { throw Broken() }
    func callsToSettle(now: Date, since: Date) throws -> [String] { throw Broken() }
    func calls(since: Date, outcome: CallOutcomeKind?, pool: String?, limit: Int) throws -> [CallOutcome] { throw Broken() }
    func voicemails(since: Date, pool: String?, limit: Int) throws -> [VoicemailEntry] { throw Broken() }
    func claimNotifications(now: Date, lease: Double, limit: Int) throws -> [PendingNotification] { throw Broken() }
    func finishNotification(key: String, _ result: NotificationResult) throws { throw Broken() }
    func notificationCounts() throws -> [NotificationCounts] { throw Broken() }
    func keepHandlers(_ handlers: SavedHandlers) throws { throw Broken() }
    func keptHandlers() throws -> [SavedHandlers] { throw Broken() }
    func forgetHandlers(number: String) throws { throw Broken() }
    func ping() throws { throw Broken() }
    var health: StoreHealth { StoreHealth(state: .degraded, since: Date(), reason: "broken", failures: 1) }
    func maintain() {}
    func close() {}
}

/// Calls an answer-later endpoint and waits (bounded) for its answer.
func answer(_ endpoint: (HTTPRequest, HTTPResponder) throws -> Void, _ request: HTTPRequest) -> HTTPResponse {
    let box = AnswerWait()
    let responder = HTTPResponder { make in box.put(make()) }
    do { try endpoint(request, responder) } catch { responder.fail(error) }
    return box.wait() ?? .text(599, "no answer within 5 s")
}

final class AnswerWait: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var response: HTTPResponse?
    func put(_ value: HTTPResponse) {
        response = value
        done.signal()
    }
    func wait() -> HTTPResponse? {
        done.wait(timeout: .now() + 5) == .success ? response : nil
    }
}

@Suite(.serialized)
struct StoreFallbackTests {
    static func endpoints(metrics: Metrics) throws -> (WebhookEndpoints, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fallback-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("routes.json").path
        try DaemonTests.routes.write(toFile: path, atomically: true, encoding: .utf8)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let routes = try RoutesFile(path: path, logger: logger)
        return (WebhookEndpoints(routes: routes, store: FailingStore(), callbackBase: nil, metrics: metrics, logger: logger), dir)
    }

    @Test func callsAreAnsweredFromTheFirstMemberWhenTheStoreFails() throws {
        let metrics = Metrics()
        let (endpoints, dir) = try Self.endpoints(metrics: metrics)
        defer { try? FileManager.default.removeItem(at: dir) }
        let request = HTTPRequest(method: "POST", target: "/voice", headers: ["Content-Type": "application/json"],
                                  body: Array(#"{"call":{"call_id":"c1","from":"+1213","to":"+15550000001"}}"#.utf8))
        for _ in 0..<3 {
            let response = answer(endpoints.voice, request)
            #expect(response.status == 200)
            #expect(firstMember(String(decoding: response.body, as: UTF8.self)) == "+15551111111")
        }
        let text = metrics.render()
        #expect(text.contains(#"switchboard_routing_fallbacks_total{reason="store"} 3"#))
        #expect(text.contains(#"switchboard_store_errors_total{operation="route"} 3"#))
    }

    @Test func textsAreForwardedAndCallbacksAskForARetry() throws {
        let (endpoints, dir) = try Self.endpoints(metrics: Metrics())
        defer { try? FileManager.default.removeItem(at: dir) }
        let form: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]
        let sms = answer(endpoints.sms, HTTPRequest(method: "POST", target: "/sms", headers: form, body: Array("From=%2B1213&To=%2B15550000001&Body=hi".utf8)))
        #expect(sms.status == 200)
        #expect(String(decoding: sms.body, as: UTF8.self).contains(#"<Message to="+15551111111""#))
        let status = answer(endpoints.callStatus, HTTPRequest(method: "POST", target: "/status/call", headers: form, body: Array("CallSid=CA1&CallStatus=ringing".utf8)))
        #expect(status.status == 503)
    }
}

/// The daemon's router over a store that fails: every refusal and failure has its status, headers
/// and a reason that tells nothing internal.
struct ErrorAnswerTests {
    @Test func adminAndWebhookErrorsCarryTheirStatusAndHeaders() throws {
        let (_, dir) = try StoreFallbackTests.endpoints(metrics: Metrics())
        defer { try? FileManager.default.removeItem(at: dir) }
        var flags = ServeConfig.Flags()
        flags.routes = dir.appendingPathComponent("routes.json").path
        flags.listen = "127.0.0.1:0"
        let config = try ServeConfig.resolve(flags, environment: [
            "SWITCHBOARD_ADMIN_TOKEN": "t0ken", "SWITCHBOARD_PUBLIC_URL": "https://sw:pw@example.com",
        ])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let daemon = Daemon(config: config, logger: logger, environment: [:])
        let handler = daemon.makeHandler(routes: try RoutesFile(path: flags.routes!, logger: logger), store: FailingStore())
        let ask = { (target: String, headers: HTTPHeaders) in
            answer(handler, HTTPRequest(method: "GET", target: target, headers: headers))
        }
        let bearer: HTTPHeaders = ["Authorization": "Bearer t0ken"]

        let unauthorized = ask("/admin/pools", [:])
        #expect(unauthorized.status == 401)
        #expect(unauthorized.headers["WWW-Authenticate"] == "Bearer")
        // FailingStore throws an error of its own: a 500 that says nothing of it.
        let failed = ask("/admin/pools", bearer)
        #expect(failed.status == 500)
        #expect(String(decoding: failed.body, as: UTF8.self) == "internal error\n")
        // A store's own error: 503, without its operation or SQLite's message.
        let unavailable = HTTPResponse(error: StoreError(operation: "read /var/lib/x.sqlite", code: 10, message: "disk I/O error"))
        #expect(unavailable.status == 503)
        #expect(String(decoding: unavailable.body, as: UTF8.self) == "the database did not answer; try again\n")
        #expect(ask("/admin/calls?limit=0", bearer).status == 400)
        #expect(ask("/admin/calls?outcome=maybe", bearer).status == 400)

        let unsigned = ask("/voice?To=%2B15550000001", [:])
        #expect(unsigned.status == 401)
        #expect(unsigned.headers["WWW-Authenticate"] == #"Basic realm="switchboard""#)
        #expect(unsigned.headers["X-Request-Id"] != nil)
        let basic: HTTPHeaders = ["Authorization": "Basic " + Data("sw:pw".utf8).base64EncodedString()]
        let malformed = ask("/status/call", basic)
        #expect(malformed.status == 400)
        #expect(String(decoding: malformed.body, as: UTF8.self).hasPrefix("missing"))
        let notStored = ask("/status/call?CallSid=CA1&CallStatus=ringing", basic)
        #expect(notStored.status == 503)
        #expect(String(decoding: notStored.body, as: UTF8.self) == "could not store the status; try again\n")
        #expect(daemon.metrics.render().contains(#"switchboard_http_requests_total{endpoint="/status/call",status="503"} 1"#))
    }
}
