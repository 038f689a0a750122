import FoundationEssentials
import HTTPServer
import JSON
import Routing
import Store

/// A webhook that cannot be understood: answered 400 with `reason`.
/// A webhook that cannot be read: 400 with the reason.
struct WebhookError: HTTPResponseError, Equatable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
    var status: Int { 400 }
    var message: String { reason }
}

/// The fields of a webhook, whichever way SignalWire sent them: JSON body, form body or query.
struct WebhookFields {
    private var form: [String: String] = [:]
    /// The JSON paths the webhook reads, declared up front: only their values are decoded from the body.
    private let jsonPaths: JSONPaths
    private var jsonValues: [JSONScalar?] = []
    /// Whether the body is a JSON object (checked in full, with the parser of routes.json).
    private(set) var isJSON = false

    init(_ request: HTTPRequest, json jsonPaths: JSONPaths = JSONPaths([])) throws(WebhookError) {
        self.jsonPaths = jsonPaths
        if request.query != nil {
            for (name, value) in request.queryItems where form[name] == nil { form[name] = value }
        }
        if request.hasJSONBody {
            guard !request.body.isEmpty else { return }
            guard let selection = try? JSONParser.select(jsonPaths, in: request.body), selection.isObject else {
                throw WebhookError("the body is not a JSON object")
            }
            isJSON = true
            jsonValues = selection.values
        } else {
            // Body fields win over query fields of the same name.
            let items = request.formItems
            form.reserveCapacity(form.count + items.count)
            for (name, value) in items { form[name] = value }
        }
    }

    /// A form or query field.
    subscript(_ name: String) -> String? {
        guard let value = form[name], !value.isEmpty else { return nil }
        return value
    }

    /// A string (or number) at one of the declared paths of JSON object keys, e.g. `["call", "to"]`.
    func json(_ path: String...) -> String? {
        guard let index = jsonPaths.paths.firstIndex(of: path) else {
            // A path the webhook did not declare: a mistake tests catch; a release build reads nothing.
            assertionFailure("JSON path \(path) not declared")
            return nil
        }
        guard isJSON else { return nil }
        switch jsonValues[index] {
        case .string(let s)? where !s.isEmpty: return s
        case .number(let n)?: return n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
        default: return nil
        }
    }
}

extension HTTPRequest {
    /// Whether a webhook's body is JSON (SWML requests): declared so, or undeclared and starting with
    /// `{`; otherwise it is form-encoded (cXML requests). The one rule for the parser and the signature
    /// check, which must agree on what was signed.
    var hasJSONBody: Bool {
        let type = contentType
        return type == "application/json" || (type == nil && body.first == UInt8(ascii: "{"))
    }
}

/// Parses the webhooks of the README's "HTTP endpoints" table.
enum Webhook {
    static let voiceJSON = JSONPaths([["call", "to_number"], ["call", "to"], ["call", "from_number"], ["call", "from"], ["call", "call_id"]])
    static let callStatusJSON = JSONPaths([
        ["params", "call_id"], ["call", "call_id"], ["call_id"], ["params", "call_state"], ["call", "call_state"], ["call_state"],
        ["params", "segment_id"], ["params", "device", "params", "from_number"], ["params", "device", "params", "to_number"],
        ["params", "device", "params", "to"], ["params", "parent", "call_id"], ["timestamp"],
    ])
    static let voicemailJSON = JSONPaths([
        ["params", "call_id"], ["call_id"], ["call", "call_id"], ["params", "url"], ["params", "record", "url"], ["record_url"],
        ["url"], ["params", "duration"],
    ])

    /// `/voice`: SignalWire's SWML request (`{"call":{...}}`), or cXML-style `To`/`From`/`CallSid`.
    static func voice(_ request: HTTPRequest, now: Date) throws(WebhookError) -> RouteRequest {
        let fields = try WebhookFields(request, json: voiceJSON)
        let to = fields.json("call", "to_number") ?? fields.json("call", "to") ?? fields["To"]
        let from = fields.json("call", "from_number") ?? fields.json("call", "from") ?? fields["From"] ?? fields["Caller"]
        let id = fields.json("call", "call_id") ?? fields["CallSid"] ?? "unknown"
        guard let to else { throw WebhookError("missing the dialed number (call.to or To)") }
        return RouteRequest(channel: .voice, id: id, from: from ?? "anonymous", to: to, now: now)
    }

    /// `/sms`: the cXML messaging webhook.
    static func sms(_ request: HTTPRequest, now: Date) throws(WebhookError) -> RouteRequest {
        let fields = try WebhookFields(request)
        guard let to = fields["To"] else { throw WebhookError("missing To") }
        guard let from = fields["From"] else { throw WebhookError("missing From") }
        let count = min(Int(fields["NumMedia"] ?? "0") ?? 0, 10)
        let media = (0..<max(count, 0)).compactMap { fields["MediaUrl\($0)"] }
        return RouteRequest(
            channel: .sms, id: fields["MessageSid"] ?? fields["SmsSid"] ?? "unknown", from: from, to: to, now: now,
            body: fields["Body"] ?? "", mediaURLs: media
        )
    }

    /// `/status/call`: a Relay `calling.call.state` event (JSON) or cXML `CallSid`/`CallStatus` (form).
    static func callStatus(_ request: HTTPRequest, now: Date) throws(WebhookError) -> StatusEvent {
        let fields = try WebhookFields(request, json: callStatusJSON)
        if fields.isJSON {
            let id = fields.json("params", "call_id") ?? fields.json("call", "call_id") ?? fields.json("call_id")
            let state = fields.json("params", "call_state") ?? fields.json("call", "call_state") ?? fields.json("call_state")
            guard let id, let state else { throw WebhookError("missing params.call_id or params.call_state") }
            return StatusEvent(
                kind: .call, id: id, status: normalizedCallStatus(state),
                sequence: fields.json("params", "segment_id") ?? "", time: eventTime(fields.json("timestamp"), now: now),
                from: fields.json("params", "device", "params", "from_number"),
                to: fields.json("params", "device", "params", "to_number") ?? fields.json("params", "device", "params", "to"),
                parent: fields.json("params", "parent", "call_id")
            )
        }
        guard let id = fields["CallSid"] else { throw WebhookError("missing CallSid") }
        guard let status = fields["CallStatus"] else { throw WebhookError("missing CallStatus") }
        return StatusEvent(
            kind: .call, id: id, status: normalizedCallStatus(status), sequence: fields["SequenceNumber"] ?? "",
            time: now, from: fields["From"], to: fields["To"], detail: fields["CallDuration"].map { "duration=\($0)" }
        )
    }

    /// `/status/message`: `MessageSid`/`MessageStatus`, one callback per segment and status.
    static func messageStatus(_ request: HTTPRequest, now: Date) throws(WebhookError) -> StatusEvent {
        let fields = try WebhookFields(request)
        guard let id = fields["MessageSid"] ?? fields["SmsSid"] else { throw WebhookError("missing MessageSid") }
        guard let status = fields["MessageStatus"] ?? fields["SmsStatus"] else { throw WebhookError("missing MessageStatus") }
        let sequence = [fields["SegmentSid"], fields["SegmentIndex"], fields["SequenceNumber"]].compactMap { $0 }.joined(separator: "/")
        return StatusEvent(
            kind: .message, id: id, status: status.lowercased(), sequence: sequence, time: now,
            from: fields["From"], to: fields["To"], detail: fields["ErrorCode"].map { "error=\($0)" }
        )
    }

    /// `/voicemail`: SWML `record.status_url` (a `calling.call.record` event) or cXML `RecordingUrl`.
    static func voicemail(_ request: HTTPRequest, now: Date) throws(WebhookError) -> Voicemail? {
        let fields = try WebhookFields(request, json: voicemailJSON)
        if fields.isJSON {
            let id = fields.json("params", "call_id") ?? fields.json("call_id") ?? fields.json("call", "call_id")
            let url = fields.json("params", "url") ?? fields.json("params", "record", "url") ?? fields.json("record_url") ?? fields.json("url")
            guard let id else { throw WebhookError("missing params.call_id") }
            // A recording still in progress has no URL yet: nothing to keep.
            guard let url else { return nil }
            return Voicemail(callID: id, recordingURL: url, duration: fields.json("params", "duration").flatMap { Double($0) }.map { Int($0) }, time: now)
        }
        guard let id = fields["CallSid"] else { throw WebhookError("missing CallSid") }
        guard let url = fields["RecordingUrl"] else { return nil }
        return Voicemail(callID: id, recordingURL: url, duration: fields["RecordingDuration"].flatMap { Int($0) },
                         from: fields["From"], to: fields["To"], time: now)
    }

    /// When SignalWire says the event happened (`timestamp`, Unix seconds, possibly fractional), so that
    /// talk time does not depend on how late callbacks arrive; `now` when absent or more than a day off.
    static func eventTime(_ timestamp: String?, now: Date) -> Date {
        guard let seconds = timestamp.flatMap(Double.init), seconds.isFinite else { return now }
        let time = Date(timeIntervalSince1970: seconds)
        return abs(time.timeIntervalSince(now)) <= 86400 ? time : now
    }

    /// `answered` and `in-progress` are one step (signalwire.md field notes); case folded.
    static func normalizedCallStatus(_ status: String) -> String {
        let s = status.lowercased()
        return s == "answered" ? "in-progress" : s
    }
}
