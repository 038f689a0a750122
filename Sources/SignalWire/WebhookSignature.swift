import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
#if canImport(Platform)  // the fuzz harnesses compile Platform's Text.swift in with this file
import Platform
#endif

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
package struct WebhookSignature: Sendable {
    package static let signatureHeader = "X-SignalWire-Signature"
    package static let sha256Header = "X-SignalWire-SHA256-Signature"
    package static let twilioHeader = "X-Twilio-Signature"

    /// HMACs with the key already absorbed: each check copies one instead of setting the key up.
    private let sha1: KeyedHMAC
    private let sha256: KeyedHMAC

    /// - Parameter signingKey: the project's Signing Key (`SIGNALWIRE_SIGNING_KEY`).
    package init(signingKey: String) {
        let key = Array(signingKey.utf8)
        sha1 = KeyedHMAC(.sha1, key: key)
        sha256 = KeyedHMAC(.sha256, key: key)
    }

    /// Checks a request against the URLs it may have been signed for.
    ///
    /// - Parameters:
    ///   - candidateURLs: the public URLs SignalWire may have called, from `SignatureURL.candidates`.
    ///   - headers: the request's header fields (names compared without regard to case).
    ///   - rawBody: the body exactly as received.
    ///   - formParams: the decoded form (or, for a GET, query) parameters of a cXML request;
    ///     nil for a JSON or other raw-body request.
    @inlinable
    package func validate(
        candidateURLs: [String],
        headers: some Sequence<(name: String, value: String)>,
        rawBody: [UInt8],
        formParams: [(String, String)]?
    ) -> SignatureResult {
        var signature: String?
        var sha256: String?
        var twilio: String?
        for field in headers {
            if signature == nil, Self.isField(field.name, "x-signalwire-signature") {
                signature = field.value
            } else if sha256 == nil, Self.isField(field.name, "x-signalwire-sha256-signature") {
                sha256 = field.value
            } else if twilio == nil, Self.isField(field.name, "x-twilio-signature") {
                twilio = field.value
            }
        }
        return validate(candidateURLs: candidateURLs, signature: signature, sha256: sha256, twilio: twilio,
                        rawBody: rawBody, formParams: formParams)
    }

    /// Whether header field `name` is `lowercaseName` (ASCII case ignored), without allocating.
    @usableFromInline
    static func isField(_ name: String, _ lowercaseName: StaticString) -> Bool {
        guard name.utf8.count == lowercaseName.utf8CodeUnitCount else { return false }
        return lowercaseName.withUTF8Buffer { lower in
            name.withUTF8Bytes { bytes in
                bytes.indices.allSatisfy { i in
                    bytes[i] == lower[i] || (bytes[i] >= UInt8(ascii: "A") && bytes[i] <= UInt8(ascii: "Z") && bytes[i] | 0x20 == lower[i])
                }
            }
        }
    }

    /// `validate` once the signature headers are found.
    @usableFromInline
    func validate(
        candidateURLs: [String], signature: String?, sha256: String?, twilio: String?, rawBody: [UInt8],
        formParams: [(String, String)]?
    ) -> SignatureResult {
        if let formParams {
            guard let given = signature ?? twilio else { return .missing }
            return validateForm(candidateURLs: candidateURLs, signature: given, params: formParams)
        }
        guard let signature else { return .missing }
        return validateJSON(candidateURLs: candidateURLs, signature: signature, sha256: sha256, rawBody: rawBody)
    }

    /// The same check with headers as a dictionary (keys in any case).
    package func validate(
        candidateURLs: [String], headers: [String: String], rawBody: [UInt8], formParams: [(String, String)]?
    ) -> SignatureResult {
        validate(
            candidateURLs: candidateURLs, headers: headers.map { (name: $0.key, value: $0.value) },
            rawBody: rawBody, formParams: formParams
        )
    }

    /// `hex(HMAC-SHA1(key, url + body))`: what SignalWire sends for a JSON request.
    package func jsonSignature(url: String, rawBody: [UInt8]) -> String {
        Self.hex(sha1.mac(url, rawBody))
    }

    /// `hex(HMAC-SHA256(key, url + body))`: the second signature on a JSON request.
    package func jsonSHA256Signature(url: String, rawBody: [UInt8]) -> String {
        Self.hex(sha256.mac(url, rawBody))
    }

    /// `base64(HMAC-SHA1(key, url + sorted params))`: what SignalWire sends for a form request.
    package func formSignature(url: String, params: [(String, String)]) -> String {
        formSignature(url: url, sortedParams: Self.sortedParamBytes(params))
    }

    private func formSignature(url: String, sortedParams: [UInt8]) -> String {
        String(decoding: Self.base64(sha1.mac(url, sortedParams)), as: UTF8.self)
    }

    /// Standard base64 with padding (RFC 4648 §4), as bytes: a MAC compared with the header
    /// needs no `Data` and no string.
    static func base64(_ bytes: [UInt8]) -> [UInt8] {
        let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        return alphabet.withUTF8Buffer { digits in
            var out: [UInt8] = []
            out.reserveCapacity((bytes.count + 2) / 3 * 4)
            var i = 0
            while i < bytes.count {
                let n = min(3, bytes.count - i)
                let word = UInt32(bytes[i]) << 16 | (n > 1 ? UInt32(bytes[i + 1]) << 8 : 0) | (n > 2 ? UInt32(bytes[i + 2]) : 0)
                for k in 0..<4 {
                    out.append(k <= n ? digits[Int(word >> UInt32(18 - 6 * k) & 0x3F)] : UInt8(ascii: "="))
                }
                i += 3
            }
            return out
        }
    }

    /// key1 + value1 + key2 + value2 ..., sorted by key, then by value.
    /// Compared and copied over their contiguous UTF-8 (the generic `UTF8View` iterator cost tens of
    /// instructions a byte).
    /// Sorted as indices, so that the sort moves integers, not pairs of strings.
    private static func sortedParamBytes(_ params: [(String, String)]) -> [UInt8] {
        let order = params.indices.sorted { i, j in
            let byName = utf8Order(params[i].0, params[j].0)
            return byName != 0 ? byName < 0 : utf8Order(params[i].1, params[j].1) < 0
        }
        var data: [UInt8] = []
        data.reserveCapacity(params.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count })
        for index in order {
            params[index].0.withUTF8Bytes { data.append(contentsOf: $0) }
            params[index].1.withUTF8Bytes { data.append(contentsOf: $0) }
        }
        return data
    }

    /// Negative, zero or positive as `a`'s UTF-8 sorts before, with or after `b`'s, byte by byte
    /// (unsigned), a prefix first: the order of `lexicographicallyPrecedes` over `utf8`.
    static func utf8Order(_ a: String, _ b: String) -> Int {
        a.withUTF8Bytes { x in
            b.withUTF8Bytes { y in
                let common = min(x.count, y.count)
                if common > 0, let xs = x.baseAddress, let ys = y.baseAddress {
                    let order = memcmp(xs, ys, common)
                    if order != 0 { return Int(order) }
                }
                return x.count - y.count
            }
        }
    }

    private func validateJSON(candidateURLs: [String], signature: String, sha256: String?, rawBody: [UInt8]) -> SignatureResult {
        let urls = Self.unique(candidateURLs.map(SignatureURL.removingCredentials))
        // Compared as bytes: the header's hex decoded once, each candidate's MAC never turned into text.
        // Hex that does not decode cannot match, and is still compared in full against a MAC.
        let given = Self.unhex(signature) ?? []
        let given256 = sha256.map { Self.unhex($0) ?? [] }
        var sha1Matched = false
        for url in urls {
            guard ConstantTime.equals(sha1.mac(url, rawBody), given) else { continue }
            sha1Matched = true
            guard let given256 else { return .valid(url: url) }
            if ConstantTime.equals(self.sha256.mac(url, rawBody), given256) { return .valid(url: url) }
        }
        let reason = sha1Matched
            ? "\(Self.sha256Header) does not match"
            : "\(Self.signatureHeader) does not match"
        return .invalid(reason: reason, triedURLs: urls)
    }

    /// Hex digits (either case) as bytes; nil when `text` is not an even run of hex digits.
    static func unhex(_ text: String) -> [UInt8]? {
        text.withUTF8Bytes { unhex($0) }
    }

    private static func unhex(_ digits: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard digits.count % 2 == 0 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let high = value(digits[i]), let low = value(digits[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
            i += 2
        }
        return bytes
    }

    private func validateForm(candidateURLs: [String], signature: String, params: [(String, String)]) -> SignatureResult {
        let given = Array(signature.utf8)
        let paramBytes = Self.sortedParamBytes(params)
        func matches(_ url: String) -> Bool { ConstantTime.equals(Self.base64(sha1.mac(url, paramBytes)), given) }
        // The candidates as given first (a valid request matches one of them, without parsing URLs),
        // then their port variants; only one URL can match, so the order does not change the answer.
        for url in candidateURLs where matches(url) { return .valid(url: url) }
        let urls = Self.unique(candidateURLs.flatMap(SignatureURL.portVariants))
        for url in urls where !candidateURLs.contains(url) && matches(url) { return .valid(url: url) }
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

    /// `urls` without repeats, in order (two to four of them: no set needed).
    static func unique(_ urls: [String]) -> [String] {
        var result: [String] = []
        result.reserveCapacity(urls.count)
        for url in urls where !result.contains(url) { result.append(url) }
        return result
    }
}
