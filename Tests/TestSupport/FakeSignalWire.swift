import Foundation
import HTTPServer
import Logging
import SignalWire

/// A local fake of SignalWire's Relay REST API for phone numbers (search, purchase, update, release,
/// E911 addresses) and the Compatibility API's `Messages.json` (to send texts) and `Calls.json` /
/// `Messages.json` lists (usage), on 127.0.0.1 (port 0), speaking
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
    /// Numbers for sale (`search`, `POST /phone_numbers`).
    private var available: [[String: Any]]
    private var addresses: [[String: Any]] = []
    /// SignalWire's own records of calls and messages (`Calls.json`, `Messages.json`).
    private let callRecords: [[String: Any]]
    private let messageRecords: [[String: Any]]
    private var recorded: [Recorded] = []
    private var sent: [SentMessage] = []
    private var script: [Scripted] = []
    private var server: HTTPServer!

    package init(numbers: [[String: Any]], maxPageSize: Int = 100, rejectUpdatesWith: String? = nil, nextLinkOrigin: String? = nil,
                 available: [[String: Any]] = [], calls: [[String: Any]] = [], messages: [[String: Any]] = []) throws {
        self.numbers = numbers
        self.available = available
        self.callRecords = calls
        self.messageRecords = messages
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
    package var ownedNumbers: [[String: Any]] { lock.withLock { numbers } }
    package var putBodies: [String] { requests.filter { $0.method == "PUT" }.map(\.body) }
    package var sentMessages: [SentMessage] { lock.withLock { sent } }

    package func enqueue(_ answers: Scripted...) {
        lock.withLock { script += answers }
    }

    package func shutdown() {
        server.shutdown(timeout: 5)
    }

    /// A number for sale as the search lists it: capabilities as an object of booleans.
    package static func availableNumber(_ e164: String, region: String = "WA", rateCenter: String = "SEATTLE",
                                        type: String = "local", sms: Bool = true) -> [String: Any] {
        ["e164": e164, "country_code": "US", "number_type": type, "rate_center": rateCenter, "region": region,
         "capabilities": ["voice": true, "sms": sms, "mms": sms, "fax": false]]
    }

    /// A call or message record of the Compatibility API.
    package static func record(_ sid: String, from: String, to: String, status: String = "completed") -> [String: Any] {
        ["sid": sid, "from": from, "to": to, "status": status, "direction": "inbound", "account_sid": "b1a7c4de-0000-4000-8000-00000000abcd"]
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
        let laml = "/api/laml/2010-04-01/Accounts/\(projectID)"
        if request.path == laml + "/Messages.json" {
            switch request.method {
            case "POST": return sendMessage(request)
            case "GET": return usage(request, key: "messages", records: messageRecords)
            default: return Self.json(405, ["code": 20004, "message": "Method not allowed", "status": 405])
            }
        }
        if request.method == "GET", request.path == laml + "/Calls.json" { return usage(request, key: "calls", records: callRecords) }
        if request.path == "/api/relay/rest/addresses" { return request.method == "POST" ? createAddress(request) : addressList() }
        let base = "/api/relay/rest/phone_numbers"
        if request.path == base {
            switch request.method {
            case "GET": return list(request)
            case "POST": return purchase(request)
            default: return .text(405, "method not allowed")
            }
        }
        if request.method == "GET", request.path == base + "/search" { return search(request) }
        guard request.path.hasPrefix(base + "/") else { return Self.json(404, ["error": "Not Found"]) }
        var id = String(request.path.dropFirst(base.count + 1))
        if request.method == "POST", id.hasSuffix("/e911_address") {
            id = String(id.dropLast("/e911_address".count))
            return attachAddress(id: id, body: request.body)
        }
        switch request.method {
        case "GET": return lock.withLock { numbers.first { $0["id"] as? String == id } }.map { Self.json(200, $0) }
            ?? Self.json(404, ["error": "Not Found"])
        case "PUT": return update(id: id, body: request.body)
        case "DELETE":
            let removed: Bool = lock.withLock {
                guard let index = numbers.firstIndex(where: { $0["id"] as? String == id }) else { return false }
                numbers.remove(at: index)
                return true
            }
            return removed ? HTTPResponse(status: 204) : Self.json(404, ["error": "Not Found"])
        default: return .text(405, "method not allowed")
        }
    }

    static func invalid(_ detail: String) -> HTTPResponse {
        json(422, ["errors": [["detail": detail, "status": "422", "title": "Invalid Attribute", "code": "422"]]])
    }

    /// `GET /phone_numbers/search`: the numbers for sale that match `areacode`, `number_type`,
    /// `region`, `contains`, `starts_with`, `ends_with`, at most `max_results`.
    private func search(_ request: HTTPRequest) -> HTTPResponse {
        let query = Dictionary(request.queryItems, uniquingKeysWith: { first, _ in first })
        let limit = Int(query["max_results"] ?? "") ?? 50
        let matches = lock.withLock { available }.filter { number in
            let e164 = number["e164"] as? String ?? ""
            let national = e164.hasPrefix("+1") ? String(e164.dropFirst(2)) : e164
            if let code = query["areacode"], !national.hasPrefix(code) { return false }
            if let type = query["number_type"], number["number_type"] as? String != type { return false }
            if let region = query["region"], number["region"] as? String != region { return false }
            if let digits = query["contains"], !national.contains(digits) { return false }
            if let digits = query["starts_with"], !national.hasPrefix(digits) { return false }
            if let digits = query["ends_with"], !national.hasSuffix(digits) { return false }
            return true
        }
        return Self.json(200, ["data": Array(matches.prefix(limit))])
    }

    /// `POST /phone_numbers` `{"number": "+1..."}`: 201 with the new number, or 422.
    private func purchase(_ request: HTTPRequest) -> HTTPResponse {
        guard let fields = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any],
              let e164 = fields["number"] as? String else {
            return Self.invalid("number is required")
        }
        let bought: [String: Any]? = lock.withLock {
            guard let index = available.firstIndex(where: { $0["e164"] as? String == e164 }) else { return nil }
            available.remove(at: index)
            let number = Self.number("pn-bought-\(numbers.count)", e164)
            numbers.append(number)
            return number
        }
        return bought.map { Self.json(201, $0) } ?? Self.invalid("Number \(e164) is not available for purchase")
    }

    private func addressList() -> HTTPResponse {
        Self.json(200, ["links": ["self": "\(origin)/api/relay/rest/addresses"], "data": lock.withLock { addresses }])
    }

    /// `POST /addresses`: 422 unless every required field is there.
    private func createAddress(_ request: HTTPRequest) -> HTTPResponse {
        guard var fields = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] else {
            return Self.json(400, ["error": "Bad Request"])
        }
        let required = ["label", "country", "first_name", "last_name", "street_number", "street_name", "city", "state", "postal_code"]
        if let missing = required.first(where: { (fields[$0] as? String)?.isEmpty ?? true }) {
            return Self.invalid("\(missing) can't be blank")
        }
        fields["id"] = "addr-\(lock.withLock { addresses.count } + 1)"
        lock.withLock { addresses.append(fields) }
        return Self.json(201, fields)
    }

    /// `POST /phone_numbers/{id}/e911_address` `{"e911_address_id": ...}`.
    private func attachAddress(id: String, body: [UInt8]) -> HTTPResponse {
        guard let fields = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
              let address = fields["e911_address_id"] as? String else {
            return Self.invalid("e911_address_id is required")
        }
        guard lock.withLock({ addresses.contains { $0["id"] as? String == address } }) else {
            return Self.invalid("Address \(address) not found")
        }
        let updated: [String: Any]? = lock.withLock {
            guard let index = numbers.firstIndex(where: { $0["id"] as? String == id }) else { return nil }
            numbers[index]["e911_address_id"] = address
            return numbers[index]
        }
        return updated.map { Self.json(200, $0) } ?? Self.json(404, ["error": "Not Found"])
    }

    /// A Compatibility API list, filtered by `To`, in one page.
    private func usage(_ request: HTTPRequest, key: String, records: [[String: Any]]) -> HTTPResponse {
        let query = Dictionary(request.queryItems, uniquingKeysWith: { first, _ in first })
        let matching = records.filter { query["To"] == nil || $0["to"] as? String == query["To"] }
        return Self.json(200, [key: matching, "next_page_uri": NSNull(), "page": 0, "page_size": 1000])
    }

    private func list(_ request: HTTPRequest) -> HTTPResponse {
        let query = Dictionary(request.queryItems, uniquingKeysWith: { first, _ in first })
        let size = min(Int(query["page_size"] ?? "") ?? 50, maxPageSize)
        let page = Int(query["page_number"] ?? "") ?? 0
        var all = lock.withLock { numbers }
        if let number = query["filter_number"] { all = all.filter { ($0["number"] as? String)?.contains(number) == true } }
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
