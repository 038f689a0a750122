#if canImport(Platform)  // the fuzz harnesses compile Platform's Text.swift in with this file
import Platform
#endif

/// Rebuilds the URLs SignalWire may have signed, from the configured public URL and the
/// request-target exactly as received. `Host` and `X-Forwarded-*` are deliberately not inputs.
package enum SignatureURL {
    /// The URLs a webhook request may have been signed for, most likely first.
    ///
    /// The public URL gives scheme, optional `user:pass@`, host, port and an optional path prefix
    /// (`https://host/sb`). The request-target is appended byte for byte (never decoded,
    /// re-encoded or re-sorted). When the public URL has a prefix and the target does not start
    /// with it (the proxy stripped it), the prefix is put back; when it does, it is not doubled.
    /// The list also holds the URL with the scheme's default port added, or removed.
    package static func candidates(publicURL: String, requestTarget: String) -> [String] {
        Prepared(publicURL: publicURL).candidates(requestTarget: requestTarget)
    }

    /// `candidates` for one public URL, parsed once: what a server does for every request.
    package struct Prepared: Sendable {
        private let publicURL: String
        /// The public URL's origin as given, then with its default port added or removed.
        private let origins: [String]?
        private let prefix: String

        package init(publicURL: String) {
            self.publicURL = publicURL
            guard let base = URLParts(publicURL) else {
                origins = nil
                prefix = ""
                return
            }
            origins = SignatureURL.portVariants(base.origin)
            // The prefix is the public URL's path; a query or fragment there has no place in it.
            var prefix = String(base.path.prefix { $0 != "?" && $0 != "#" })
            while prefix.hasSuffix("/") { prefix.removeLast() }
            self.prefix = prefix
        }

        package func candidates(requestTarget: String) -> [String] {
            guard let origins else { return portVariants(publicURL + requestTarget) }
            var target = originForm(requestTarget)
            if !prefix.isEmpty, !startsWithSegment(target, prefix) {
                target = prefix + target
            }
            // The target starts with `/`, `?` or `#`, so it never changes the authority: the port
            // variants of the whole URL are those of its origin.
            return origins.map { $0 + target }
        }
    }

    /// The URL as given, plus the same URL with the default port (`:443` for https, `:80` for
    /// http) added when it has no port, or removed when it has the default one.
    package static func portVariants(_ url: String) -> [String] {
        guard var parts = URLParts(url), let defaultPort = parts.defaultPort else { return [url] }
        switch parts.port {
        case nil:
            parts.port = defaultPort
            return [url, parts.string]
        case defaultPort?:
            parts.port = nil
            return [url, parts.string]
        default:
            return [url]
        }
    }

    /// The URL with the password of `user:pass@` replaced by `***`, for logs and printed plans.
    package static func redactingPassword(_ url: String) -> String {
        guard var parts = URLParts(url), let userinfo = parts.userinfo, let colon = userinfo.firstIndex(of: ":") else { return url }
        parts.userinfo = userinfo[..<colon] + ":***"
        return parts.string
    }

    /// The URL without `user:pass@`, as SignalWire signs JSON (call) requests.
    package static func removingCredentials(_ url: String) -> String {
        guard url.withUTF8Bytes({ $0.contains(UInt8(ascii: "@")) }), var parts = URLParts(url), parts.userinfo != nil else { return url }
        parts.userinfo = nil
        return parts.string
    }

    /// The target in origin-form (`/path?query`): an absolute-form target (RFC 9112 §3.2.2) keeps
    /// only what follows its authority.
    private static func originForm(_ target: String) -> String {
        if target.hasPrefix("/") { return target }
        if let parts = URLParts(target) { return parts.path.isEmpty || parts.path.hasPrefix("?") ? "/" + parts.path : parts.path }
        return "/" + target
    }

    /// True when `target` is `prefix` itself or continues it with `/` or `?`.
    private static func startsWithSegment(_ target: String, _ prefix: String) -> Bool {
        guard target.hasPrefix(prefix) else { return false }
        let rest = target.utf8.dropFirst(prefix.utf8.count)
        guard let next = rest.first else { return true }
        return next == UInt8(ascii: "/") || next == UInt8(ascii: "?")
    }
}

/// `scheme://[userinfo@]host[:port]` and whatever follows it, split without decoding anything.
struct URLParts {
    var scheme: String
    var userinfo: String?
    var host: String
    var port: Int?
    /// Everything after the authority: path, query and fragment, as written.
    var path: String

    /// Split on the ASCII delimiters alone (a URL's bytes, not its characters: no Unicode work).
    init?(_ url: String) {
        let bytes = url.utf8
        var i = bytes.startIndex
        while i != bytes.endIndex, Self.isSchemeByte(bytes[i]) { bytes.formIndex(after: &i) }
        guard i != bytes.startIndex, bytes[i...].starts(with: "://".utf8) else { return nil }
        scheme = String(url[..<i])
        let authorityStart = bytes.index(i, offsetBy: 3)
        var authorityEnd = authorityStart
        var at: String.Index?
        var colon: String.Index?
        while authorityEnd != bytes.endIndex {
            let byte = bytes[authorityEnd]
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") { break }
            if byte == UInt8(ascii: "@") { at = authorityEnd; colon = nil }
            // A port follows the last colon, unless that colon is inside an IPv6 literal.
            if byte == UInt8(ascii: ":") { colon = authorityEnd }
            if byte == UInt8(ascii: "]") { colon = nil }
            bytes.formIndex(after: &authorityEnd)
        }
        path = String(url[authorityEnd...])
        var hostStart = authorityStart
        if let at {
            userinfo = String(url[authorityStart..<at])
            hostStart = bytes.index(after: at)
        }
        if let colon {
            let digits = url.utf8[bytes.index(after: colon)..<authorityEnd]
            host = String(url[hostStart..<colon])
            if !digits.isEmpty {
                var value = 0
                for digit in digits {
                    guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9"), value < 1 << 32 else { return nil }
                    value = value * 10 + Int(digit - UInt8(ascii: "0"))
                }
                port = value
            }
        } else {
            host = String(url[hostStart..<authorityEnd])
        }
        guard !host.isEmpty else { return nil }
    }

    private static func isSchemeByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            true
        default:
            false
        }
    }

    var defaultPort: Int? {
        switch scheme.lowercased() {
        case "https": 443
        case "http": 80
        default: nil
        }
    }

    /// `scheme://[userinfo@]host[:port]`.
    var origin: String {
        var s = scheme + "://"
        if let userinfo { s += userinfo + "@" }
        s += host
        if let port { s += ":" + String(port) }
        return s
    }

    var string: String { origin + path }
}
