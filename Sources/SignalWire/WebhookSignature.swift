import Crypto
import Foundation

/// Checks the signatures SignalWire puts on its webhook requests (see `signalwire.md`).
///
/// - JSON (SWML) requests: `X-SignalWire-Signature` is `hex(HMAC-SHA1(key, url + rawBody))`, and
///   when `X-SignalWire-SHA256-Signature` is present `hex(HMAC-SHA256(key, url + rawBody))` must
///   match too. `user:pass@` in the URL is removed before signing.
/// - Form (cXML) requests: `X-SignalWire-Signature` (or its alias `X-Twilio-Signature`) is
///   `base64(HMAC-SHA1(key, url + key1 + value1 + key2 + value2 ...))` with the parameters sorted
///   by key, then by value. The URL is tried as given, with the default port and without it.
///
/// Every comparison reads all bytes, whatever they hold.
public struct WebhookSignature: Sendable {
    public static let signatureHeader = "X-SignalWire-Signature"
    public static let sha256Header = "X-SignalWire-SHA256-Signature"
    public static let twilioHeader = "X-Twilio-Signature"

    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// - Parameter signingKey: the project's Signing Key (`SIGNALWIRE_SIGNING_KEY`).
    public init(signingKey: String) {
        keyBytes = Array(signingKey.utf8)
    }

    /// Checks a request against the URLs it may have been signed for.
    ///
    /// - Parameters:
    ///   - candidateURLs: the public URLs SignalWire may have called, from `SignatureURL.candidates`.
    ///   - headers: the request's header fields (names compared without regard to case).
    ///   - rawBody: the body exactly as received.
    ///   - formParams: the decoded form (or, for a GET, query) parameters of a cXML request;
    ///     nil for a JSON or other raw-body request.
    public func validate(
        candidateURLs: [String],
        headers: some Sequence<(name: String, value: String)>,
        rawBody: [UInt8],
        formParams: [(String, String)]?
    ) -> SignatureResult {
        var signature: String?
        var sha256: String?
        var twilio: String?
        for field in headers {
            switch field.name.lowercased() {
            case "x-signalwire-signature": signature = signature ?? field.value
            case "x-signalwire-sha256-signature": sha256 = sha256 ?? field.value
            case "x-twilio-signature": twilio = twilio ?? field.value
            default: break
            }
        }
        if let formParams {
            guard let given = signature ?? twilio else { return .missing }
            return validateForm(candidateURLs: candidateURLs, signature: given, params: formParams)
        }
        guard let signature else { return .missing }
        return validateJSON(candidateURLs: candidateURLs, signature: signature, sha256: sha256, rawBody: rawBody)
    }

    /// The same check with headers as a dictionary (keys in any case).
    public func validate(
        candidateURLs: [String], headers: [String: String], rawBody: [UInt8], formParams: [(String, String)]?
    ) -> SignatureResult {
        validate(
            candidateURLs: candidateURLs, headers: headers.map { (name: $0.key, value: $0.value) },
            rawBody: rawBody, formParams: formParams
        )
    }

    /// `hex(HMAC-SHA1(key, url + body))`: what SignalWire sends for a JSON request.
    public func jsonSignature(url: String, rawBody: [UInt8]) -> String {
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(url.utf8) + rawBody, using: key)
        return Self.hex(mac)
    }

    /// `hex(HMAC-SHA256(key, url + body))`: the second signature on a JSON request.
    public func jsonSHA256Signature(url: String, rawBody: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(url.utf8) + rawBody, using: key)
        return Self.hex(mac)
    }

    /// `base64(HMAC-SHA1(key, url + sorted params))`: what SignalWire sends for a form request.
    public func formSignature(url: String, params: [(String, String)]) -> String {
        var data = Array(url.utf8)
        let sorted = params.sorted { a, b in
            if a.0 != b.0 { return a.0.utf8.lexicographicallyPrecedes(b.0.utf8) }
            return a.1.utf8.lexicographicallyPrecedes(b.1.utf8)
        }
        for (name, value) in sorted {
            data += name.utf8
            data += value.utf8
        }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: data, using: key)
        return Data(mac).base64EncodedString()
    }

    private func validateJSON(candidateURLs: [String], signature: String, sha256: String?, rawBody: [UInt8]) -> SignatureResult {
        let urls = Self.unique(candidateURLs.map(SignatureURL.removingCredentials))
        let given = Array(signature.lowercased().utf8)
        let given256 = sha256.map { Array($0.lowercased().utf8) }
        var sha1Matched = false
        for url in urls {
            guard ConstantTime.equals(Array(jsonSignature(url: url, rawBody: rawBody).utf8), given) else { continue }
            sha1Matched = true
            guard let given256 else { return .valid(url: url) }
            let expected = Array(jsonSHA256Signature(url: url, rawBody: rawBody).utf8)
            if ConstantTime.equals(expected, given256) { return .valid(url: url) }
        }
        let reason = sha1Matched
            ? "\(Self.sha256Header) does not match"
            : "\(Self.signatureHeader) does not match"
        return .invalid(reason: reason, triedURLs: urls)
    }

    private func validateForm(candidateURLs: [String], signature: String, params: [(String, String)]) -> SignatureResult {
        let urls = Self.unique(candidateURLs.flatMap(SignatureURL.portVariants))
        let given = Array(signature.utf8)
        for url in urls where ConstantTime.equals(Array(formSignature(url: url, params: params).utf8), given) {
            return .valid(url: url)
        }
        return .invalid(reason: "form signature does not match", triedURLs: urls)
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func unique(_ urls: [String]) -> [String] {
        var seen = Set<String>()
        return urls.filter { seen.insert($0).inserted }
    }
}
