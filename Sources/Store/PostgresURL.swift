import FoundationEssentials
import Platform

/// `--db` values that name a PostgreSQL database, and how they are shown.
package enum PostgresURL {
    /// Whether `location` is a PostgreSQL URL (`postgresql://...` or `postgres://...`); anything
    /// else is a SQLite path.
    package static func matches(_ location: String) -> Bool {
        let lowered = location.lowercased()
        return lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://")
    }

    /// `url` with its password masked: `postgresql://app:***@db/switchboard`, and a `password=`
    /// parameter likewise. What every log line and error shows.
    package static func redacted(_ url: String) -> String {
        var result = url
        if let scheme = result.firstRange(of: "://") {
            let authorityStart = scheme.upperBound
            let rest = result[authorityStart...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? result.endIndex
            if let at = result[authorityStart..<authorityEnd].lastIndex(of: "@"),
               let colon = result[authorityStart..<at].firstIndex(of: ":") {
                result.replaceSubrange(result.index(after: colon)..<at, with: "***")
            }
        }
        guard let query = result.firstIndex(of: "?") else { return result }
        let parameters = result[result.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false).map { pair in
            pair.lowercased().hasPrefix("password=") ? "password=***" : String(pair)
        }
        return String(result[...query]) + parameters.joined(separator: "&")
    }

    /// `message` with any password `url` carries removed (libpq's messages do not quote it, but an
    /// error must never show it whatever libpq does).
    static func scrub(_ message: String, url: String) -> String {
        var message = message
        for secret in passwords(in: url) where secret.count >= 1 {
            message = message.replacingAll(secret, with: "***")
        }
        return message
    }

    /// The passwords written in `url`: the userinfo's and a `password=` parameter's, as written and decoded.
    static func passwords(in url: String) -> [String] {
        var found: [String] = []
        if let scheme = url.firstRange(of: "://") {
            let rest = url[scheme.upperBound...]
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                found.append(String(authority[authority.index(after: colon)..<at]))
            }
        }
        if let query = url.firstIndex(of: "?") {
            for pair in url[url.index(after: query)...].split(separator: "&") where pair.lowercased().hasPrefix("password=") {
                found.append(String(pair.dropFirst("password=".count)))
            }
        }
        return found.flatMap { [$0, percentDecoded($0)] }.filter { !$0.isEmpty }
    }

    private static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
