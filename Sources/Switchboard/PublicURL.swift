import FoundationEssentials
import Platform

/// The URL SignalWire calls this daemon at (`--public-url`): `https://[user:pass@]host[:port][/prefix]`.
package struct PublicURL: Sendable, Equatable, CustomStringConvertible {
    /// As configured, trailing slash removed. Signatures are computed over this plus the request-target.
    package let raw: String
    /// The same URL without `user:pass@`, for building webhook URLs that are handed to SignalWire.
    package let withoutCredentials: String
    /// The path prefix (`/sb`), or "" when the URL has none.
    package let pathPrefix: String
    /// HTTP Basic credentials embedded in the URL, which requests must then carry.
    package let user: String?
    package let password: String?
    /// `https` or `http`.
    package let scheme: String
    /// The host, brackets of an IPv6 literal taken off.
    package let host: String

    package init(_ text: String) throws(ConfigError) {
        var trimmed = text.trimmingWhitespace()
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
              scheme == "https" || scheme == "http", let host = components.host, !host.isEmpty else {
            throw ConfigError("--public-url \(text): expected an http(s) URL such as https://switchboard.example.com")
        }
        guard components.query == nil, components.fragment == nil else {
            throw ConfigError("--public-url \(text): a query or fragment is not allowed")
        }
        raw = trimmed
        self.scheme = scheme
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        pathPrefix = components.percentEncodedPath
        user = components.user
        password = components.password
        if let at = trimmed.firstRange(of: "@"), let schemeEnd = trimmed.firstRange(of: "://"), at.lowerBound > schemeEnd.upperBound {
            withoutCredentials = String(trimmed[..<schemeEnd.upperBound]) + String(trimmed[at.upperBound...])
        } else {
            withoutCredentials = trimmed
        }
    }

    /// The URL SignalWire should call for `path` (`/voice`).
    package func url(for path: String) -> String { withoutCredentials + path }

    /// The request path with the prefix taken off, when the proxy in front did not strip it.
    package func routePath(_ path: String) -> String {
        guard !pathPrefix.isEmpty, path.hasPrefix(pathPrefix) else { return path }
        let rest = path.dropFirst(pathPrefix.count)
        if rest.isEmpty { return "/" }
        return rest.hasPrefix("/") ? String(rest) : path
    }

    /// Whether the host is this machine's loopback, which only a local test calls.
    package var isLoopback: Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }

    package var description: String {
        user == nil ? raw : withoutCredentials.replacingAll("://", with: "://<credentials>@")
    }
}

/// A configuration that cannot be used, said in terms of the flag or variable to fix.
package struct ConfigError: Error, CustomStringConvertible, Equatable {
    package var description: String
    package init(_ description: String) { self.description = description }
}
