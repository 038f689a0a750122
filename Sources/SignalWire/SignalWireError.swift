import FoundationEssentials
import Platform

/// A failed Relay REST call, with SignalWire's own explanation when it gave one.
package enum SignalWireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 401 or 403: the project id or token is wrong, or the token lacks the Numbers scope.
    case unauthorized(status: Int, details: [String])
    /// A 4xx other than 401, 403 and 429 (422: invalid attribute); not retried.
    case rejected(status: Int, details: [String])
    /// 429 or 5xx, still failing after every attempt.
    case unavailable(status: Int, details: [String], attempts: Int)
    /// No HTTP answer (connection refused, timeout, TLS failure), after every attempt.
    case transport(message: String, attempts: Int)
    /// An answer that is not the JSON expected.
    case invalidResponse(String)

    /// The HTTP status, when there was one.
    package var status: Int? {
        switch self {
        case let .unauthorized(status, _), let .rejected(status, _), let .unavailable(status, _, _): status
        case .transport, .invalidResponse: nil
        }
    }

    /// SignalWire's messages: `errors[].detail`, or `error`.
    package var details: [String] {
        switch self {
        case let .unauthorized(_, details), let .rejected(_, details), let .unavailable(_, details, _): details
        case .transport, .invalidResponse: []
        }
    }

    package var description: String {
        switch self {
        case let .unauthorized(status, _):
            "SignalWire refused the API token (\(status)): check SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and the token's Numbers scope"
        case let .rejected(status, details):
            "SignalWire rejected the request (\(status))" + Self.joined(details)
        case let .unavailable(status, details, attempts):
            "SignalWire answered \(status) after \(attempts) attempt\(attempts == 1 ? "" : "s")" + Self.joined(details)
        case let .transport(message, attempts):
            "could not reach SignalWire after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(message)"
        case let .invalidResponse(reason):
            "unexpected answer from SignalWire: \(reason)"
        }
    }

    private static func joined(_ details: [String]) -> String {
        details.isEmpty ? "" : ": " + details.joined(separator: "; ")
    }

    /// Reads `{"errors":[{"detail":...}]}` or `{"error":"..."}`; other bodies give a short excerpt.
    static func details(fromBody body: [UInt8]) -> [String] {
        struct Body: Decodable {
            struct Item: Decodable { var detail: String?; var title: String?; var code: String? }
            var errors: [Item]?
            var error: String?
            /// The Compatibility (LaML) API's shape: `{"code": 21211, "message": "...", "status": 400}`.
            var message: String?
            var code: Int?
        }
        if let parsed = try? JSONDecoder().decode(Body.self, from: Data(body)) {
            let items = (parsed.errors ?? []).compactMap { item -> String? in
                guard let text = item.detail ?? item.title else { return nil }
                return item.code.map { "\(text) (\($0))" } ?? text
            }
            if !items.isEmpty { return items }
            if let error = parsed.error { return [error] }
            if let message = parsed.message { return [parsed.code.map { "\(message) (\($0))" } ?? message] }
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingWhitespaceAndNewlines()
        return text.isEmpty ? [] : [text]
    }
}
