import FoundationEssentials
import Logging
import Platform

/// A blocking client for the parts of SignalWire's Relay REST API the daemon uses
/// (`/api/relay/rest/phone_numbers`), over libcurl with HTTP Basic auth.
///
/// 429, 5xx and transport failures are retried per `RetryPolicy`; 401/403 and other 4xx are not.
/// Every attempt is reported to `onAPICall` (method, status or nil) for metrics. The API token is
/// never logged.
package final class SignalWireClient: Sendable {
    /// Told about every HTTP attempt: the method and the status, or nil when none came back.
    package typealias APICallObserver = @Sendable (_ method: String, _ status: Int?) -> Void

    /// The most pages `listPhoneNumbers` follows (100 numbers each).
    package static let maxPages = 1000

    package let credentials: SignalWireCredentials
    let logger: Logger
    let retryPolicy: RetryPolicy
    let connectTimeout: Double
    let requestTimeout: Double
    let sleep: @Sendable (Double) -> Void
    let onAPICall: APICallObserver?
    let curl = CurlClient()

    /// - Parameters:
    ///   - requestTimeout: seconds allowed for one attempt, connection included.
    ///   - sleep: waits between attempts (tests pass one that records and returns).
    package init(
        credentials: SignalWireCredentials, logger: Logger, retryPolicy: RetryPolicy = .default,
        connectTimeout: Double = 10, requestTimeout: Double = 30,
        sleep: @escaping @Sendable (Double) -> Void = { if $0 > 0 { Platform.sleep(seconds: $0) } },
        onAPICall: APICallObserver? = nil
    ) {
        self.credentials = credentials
        self.logger = logger
        self.retryPolicy = retryPolicy
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.sleep = sleep
        self.onAPICall = onAPICall
    }

    /// Every number the project owns, following `links.next` through all pages.
    package func listPhoneNumbers() throws -> [PhoneNumber] {
        struct Page: Decodable {
            struct Links: Decodable { var next: String? }
            var links: Links?
            var data: [PhoneNumber]
        }
        var url = credentials.baseURL + "/phone_numbers?page_size=100"
        var visited: Set<String> = [url]
        var numbers: [PhoneNumber] = []
        for _ in 0..<Self.maxPages {
            let page = try decode(Page.self, from: send("GET", url), what: "phone number list")
            numbers += page.data
            guard let next = page.links?.next, !next.isEmpty else { return numbers }
            url = try resolve(next: next)
            guard visited.insert(url).inserted else {
                throw SignalWireError.invalidResponse("links.next repeats a page already read")
            }
        }
        throw SignalWireError.invalidResponse("more than \(Self.maxPages) pages of phone numbers")
    }

    /// One number.
    package func phoneNumber(id: String) throws -> PhoneNumber {
        try decode(PhoneNumber.self, from: send("GET", numberURL(id)), what: "phone number")
    }

    /// Changes the handler fields set in `update` (only those are sent) and returns the number.
    package func updatePhoneNumber(id: String, _ update: PhoneNumberUpdate) throws -> PhoneNumber {
        let body = try OrderedJSONEncoder().encode(update)
        return try decode(PhoneNumber.self, from: send("PUT", numberURL(id), body: body), what: "updated phone number")
    }

    func numberURL(_ id: String) -> String {
        credentials.baseURL + "/phone_numbers/" + Self.percentEncodedSegment(id)
    }

    /// `text` as one path segment: everything but RFC 3986's unreserved ASCII characters
    /// (letters, digits, `-._~`) percent-encoded, byte by byte of its UTF-8.
    static func percentEncodedSegment(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `links.next` may be absolute or a path; it must stay on the space's origin, since the
    /// credentials go wherever it points.
    func resolve(next: String) throws -> String {
        guard let space = URLParts(credentials.spaceURL) else { return next }
        if next.hasPrefix("/") { return space.origin + next }
        guard let link = URLParts(next),
              link.scheme.lowercased() == space.scheme.lowercased(),
              link.host.lowercased() == space.host.lowercased(),
              (link.port ?? link.defaultPort) == (space.port ?? space.defaultPort) else {
            throw SignalWireError.invalidResponse("links.next points outside \(space.scheme)://\(space.host)")
        }
        return next
    }

    func decode<T: Decodable>(_ type: T.Type, from body: [UInt8], what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            throw SignalWireError.invalidResponse("\(what) is not the JSON expected (\(error))")
        }
    }
}
