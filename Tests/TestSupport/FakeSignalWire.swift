import Foundation
import HTTPServer
import Logging
import SignalWire

/// A local fake of SignalWire's Relay REST API for phone numbers (and the Compatibility API's
/// `Messages.json`, to send texts), on 127.0.0.1 (port 0), speaking
/// the shapes of `signalwire.md`: Basic auth (401 `{"error":"Unauthorized"}`), pages with an
/// absolute `links.next`, `PUT` merging the fields sent, 422 with an `errors` array. Scripted
/// answers (`enqueue`) come first, so tests can inject 429 + Retry-After, 500 or a hang.
package final class FakeSignalWire: @unchecked Sendable {
    /// One request as the fake saw it.
    package struct Recorded: Sendable {
        package var method: String
        package var target: String
        package var body: String
        package var authorization: String?
    }

    /// A text sent through the Compatibility messaging API.
    package struct SentMessage: Sendable, Equatable {
        package var sid: String
        package var from: String
        package var to: String
        package var body: String

        package init(sid: String, from: String, to: String, body: String) {
            self.sid = sid
            self.from = from
            self.to = to
            self.body = body
        }
    }

    /// A canned answer for the next request, before normal handling.
    package enum Scripted: Sendable {
        case respond(HTTPResponse)
        /// Sleep this long, then answer normally: longer than the client's timeout, it "hangs".
        case hang(seconds: Double)
    }

    package let projectID = "b1a7c4de-0000-4000-8000-00000000abcd"
    package let apiToken = "PTfake-secret-token-5678"
    /// Numbers per page, whatever `page_size` asks (the real API caps it too).
    let maxPageSize: Int
    /// When set, `PUT` answers 422 with this detail.
    let rejectUpdatesWith: String?
    /// Overrides the origin of `links.next` (to test links pointing elsewhere).
    let nextLinkOrigin: String?

    private let lock = NSLock()
    private var numbers: [[String: Any]]
    private var recorded: [Recorded] = []
    private var sent: [SentMessage] = []
    private var script: [Scripted] = []
    private var server: HTTPServer!

    package init(numbers: [[String: Any]], maxPageSize: Int = 100, rejectUpdatesWith: String? = nil, nextLinkOrigin: String? = nil) throws {
        self.numbers = numbers
        self.maxPageSize = maxPageSize
        self.rejectUpdatesWith = rejectUpdatesWith
        self.nextLinkOrigin = nextLinkOrigin
        server = HTTPServer(
            configuration: .init(host: "127.0.0.1", port: 0), logger: Logger(label: "fake-signalwire")
        ) { [unowned self] request in self.handle(request) }
        try server.start()
    }

    package var origin: String { "http://127.0.0.1:\(server.port)" }

    /// Credentials that pass the fake's Basic auth (or not, with another token).
    package func credentials(token: String? = nil) -> SignalWireCredentials {
        SignalWireCredentials(projectID: projectID, apiToken: token ?? apiToken, spaceURL: origin + "/")
    }

    package var requests: [Recorded] { lock.withLock { recorded } }
    package var putBodies: [String] { requests.filter { $0.method == "PUT" }.map(\.body) }
    package var sentMessages: [SentMessage] { lock.withLock { sent } }

    package func enqueue(_ answers: Scripted...) {
        lock.withLock { script += answers }
    }

    package func shutdown() {
        server.shutdown(timeout: 5)
    }

    /// A number object with the fields the daemon reads plus some it ignores.
    package static func number(_ id: String, _ e164: String, handlers: [String: Any] = [:]) -> [String: Any] {
        var object: [String: Any] = [
            "id": id, "number": e164, "name": "Line \(e164)", "capabilities": ["voice", "sms", "mms"],
            "number_type": "longcode", "call_handler": NSNull(), "call_request_url": NSNull(),
            "message_handler": NSNull(), "created_at": "2024-05-01T12:00:00Z", "next_billed_at": "2024-06-01T12:00:00Z",
        ]
        object.merge(handlers) { $1 }
        return object
    }

    // MARK: Handling

    private func handle(_ request: HTTPRequest) -> HTTPResponse {
        let next: Scripted? = lock.withLock {
            recorded.append(Recorded(method: request.method, target: request.target, body: request.bodyText,
                                     authorization: request.headers["Authorization"]))
            return script.isEmpty ? nil : script.removeFirst()
        }
        switch next {
        case let .respond(response)?: return response
        case let .hang(seconds)?: Thread.sleep(forTimeInterval: seconds)
        case nil: break
        }
        let expected = "Basic " + Data("\(projectID):\(apiToken)".utf8).base64EncodedString()
        guard request.headers["Authorization"] == expected else {
            return Self.json(401, ["error": "Unauthorized"])
        }
        if request.path == "/api/laml/2010-04-01/Accounts/\(projectID)/Messages.json" {
            return request.method == "POST" ? sendMessage(request) : Self.json(405, ["code": 20004, "message": "Method not allowed", "status": 405])
        }
        let base = "/api/relay/rest/phone_numbers"
        if request.method == "GET", request.path == base { return list(request) }
        guard request.path.hasPrefix(base + "/") else { return Self.json(404, ["error": "Not Found"]) }
        let id = String(request.path.dropFirst(base.count + 1))
        switch request.method {
        case "GET": return lock.withLock { numbers.first { $0["id"] as? String == id } }.map { Self.json(200, $0) }
            ?? Self.json(404, ["error": "Not Found"])
        case "PUT": return update(id: id, body: request.body)
        default: return .text(405, "method not allowed")
        }
    }

    private func list(_ request: HTTPRequest) -> HTTPResponse {
        let query = Dictionary(request.queryItems, uniquingKeysWith: { first, _ in first })
        let size = min(Int(query["page_size"] ?? "") ?? 50, maxPageSize)
        let page = Int(query["page_number"] ?? "") ?? 0
        let all = lock.withLock { numbers }
        let slice = Array(all.dropFirst(page * size).prefix(size))
        let linkOrigin = nextLinkOrigin ?? origin
        var links: [String: Any] = [
            "self": "\(origin)/api/relay/rest/phone_numbers?page_number=\(page)&page_size=\(size)",
            "first": "\(origin)/api/relay/rest/phone_numbers?page_size=\(size)",
        ]
        if (page + 1) * size < all.count {
            links["next"] = "\(linkOrigin)/api/relay/rest/phone_numbers?page_number=\(page + 1)&page_size=\(size)&page_token=PA\(page + 1)%3D"
        }
        if page > 0 {
            links["prev"] = "\(origin)/api/relay/rest/phone_numbers?page_number=\(page - 1)&page_size=\(size)"
        }
        return Self.json(200, ["links": links, "data": slice])
    }

    /// `POST /api/laml/2010-04-01/Accounts/{ProjectID}/Messages.json`, form-encoded `From`, `To`, `Body`:
    /// 201 with the message resource, or 400 with the Compatibility API's error shape.
    private func sendMessage(_ request: HTTPRequest) -> HTTPResponse {
        let form = Dictionary(request.formItems, uniquingKeysWith: { first, _ in first })
        func error(_ code: Int, _ message: String) -> HTTPResponse {
            Self.json(400, ["code": code, "message": message, "more_info": "https://developer.signalwire.com/compatibility-api/reference/error-codes", "status": 400])
        }
        guard let to = form["To"], !to.isEmpty else { return error(21604, "A 'To' phone number is required.") }
        guard let from = form["From"], !from.isEmpty else { return error(21603, "A 'From' phone number is required.") }
        guard let body = form["Body"], !body.isEmpty else { return error(21602, "Message body is required.") }
        guard to.hasPrefix("+"), to.count >= 8 else { return error(21211, "The 'To' number \(to) is not a valid phone number.") }
        let sid = "SM" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        lock.withLock { sent.append(SentMessage(sid: sid, from: from, to: to, body: body)) }
        return Self.json(201, [
            "account_sid": projectID, "api_version": "2010-04-01", "body": body, "num_segments": "1", "num_media": "0",
            "date_created": "Sun, 06 Dec 2026 13:00:00 +0000", "date_sent": NSNull(), "date_updated": "Sun, 06 Dec 2026 13:00:00 +0000",
            "direction": "outbound-api", "error_code": NSNull(), "error_message": NSNull(), "from": from, "to": to,
            "price": NSNull(), "price_unit": "USD", "sid": sid, "status": "queued",
            "uri": "/api/laml/2010-04-01/Accounts/\(projectID)/Messages/\(sid).json",
        ])
    }

    private func update(id: String, body: [UInt8]) -> HTTPResponse {
        if let detail = rejectUpdatesWith {
            return Self.json(422, ["errors": [["detail": detail, "status": "422", "title": "Invalid Attribute", "code": "422"]]])
        }
        guard let fields = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            return Self.json(400, ["error": "Bad Request"])
        }
        let updated: [String: Any]? = lock.withLock {
            guard let index = numbers.firstIndex(where: { $0["id"] as? String == id }) else { return nil }
            numbers[index].merge(fields) { $1 }
            return numbers[index]
        }
        return updated.map { Self.json(200, $0) } ?? Self.json(404, ["error": "Not Found"])
    }

    package static func json(_ status: Int, _ object: Any, headers: [(String, String)] = []) -> HTTPResponse {
        let body = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        var response = HTTPResponse(status: status, contentType: "application/json", body: Array(body))
        for (name, value) in headers { response.headers.add(name, value) }
        return response
    }
}
