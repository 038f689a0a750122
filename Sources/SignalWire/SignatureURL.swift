/// Rebuilds the URLs SignalWire may have signed, from the configured public URL and the
/// request-target exactly as received. `Host` and `X-Forwarded-*` are deliberately not inputs.
public enum SignatureURL {
    /// The URLs a webhook request may have been signed for, most likely first.
    ///
    /// The public URL gives scheme, optional `user:pass@`, host, port and an optional path prefix
    /// (`https://host/sb`). The request-target is appended byte for byte (never decoded,
    /// re-encoded or re-sorted). When the public URL has a prefix and the target does not start
    /// with it (the proxy stripped it), the prefix is put back; when it does, it is not doubled.
    /// The list also holds the URL with the scheme's default port added, or removed.
    public static func candidates(publicURL: String, requestTarget: String) -> [String] {
        guard let base = URLParts(publicURL) else { return portVariants(publicURL + requestTarget) }
        // The prefix is the public URL's path; a query or fragment there has no place in it.
        var prefix = String(base.path.prefix { $0 != "?" && $0 != "#" })
        while prefix.hasSuffix("/") { prefix.removeLast() }
        var target = originForm(requestTarget)
        if !prefix.isEmpty, !startsWithSegment(target, prefix) {
            target = prefix + target
        }
        return portVariants(base.origin + target)
    }

    /// The URL as given, plus the same URL with the default port (`:443` for https, `:80` for
    /// http) added when it has no port, or removed when it has the default one.
    public static func portVariants(_ url: String) -> [String] {
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
    public static func redactingPassword(_ url: String) -> String {
        guard var parts = URLParts(url), let userinfo = parts.userinfo, let colon = userinfo.firstIndex(of: ":") else { return url }
        parts.userinfo = userinfo[..<colon] + ":***"
        return parts.string
    }

    /// The URL without `user:pass@`, as SignalWire signs JSON (call) requests.
    public static func removingCredentials(_ url: String) -> String {
        guard var parts = URLParts(url), parts.userinfo != nil else { return url }
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

    init?(_ url: String) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        scheme = String(url[..<schemeEnd.lowerBound])
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else { return nil }
        let afterScheme = url[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        var authority = afterScheme[..<authorityEnd]
        path = String(afterScheme[authorityEnd...])
        if let at = authority.lastIndex(of: "@") {
            userinfo = String(authority[..<at])
            authority = authority[authority.index(after: at)...]
        }
        // A port follows the last colon, unless that colon is inside an IPv6 literal.
        // A port follows the last colon, unless that colon is inside an IPv6 literal.
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            let digits = authority[authority.index(after: colon)...]
            host = String(authority[..<colon])
            if !digits.isEmpty {
                guard digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                      let value = Int(digits) else { return nil }
                port = value
            }
        } else {
            host = String(authority)
        }
        guard !host.isEmpty else { return nil }
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
