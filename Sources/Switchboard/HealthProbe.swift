import FoundationEssentials
import SignalWire

/// `switchboard healthcheck`: asks a running daemon's `GET /healthz` with the libcurl client, so a
/// container `HEALTHCHECK` needs no curl in the image. Every attempt shares one deadline.
package enum HealthProbe {
    /// What the probe found: the URL asked, and the status and first line of the body, or why
    /// nothing answered.
    package struct Finding: Sendable, CustomStringConvertible {
        package var url: String
        package var status: Int?
        package var text: String

        package var isHealthy: Bool { status.map { (200..<300).contains($0) } ?? false }

        package var description: String {
            guard let status else { return "no answer from \(url): \(text)" }
            return "\(isHealthy ? "healthy" : "unhealthy"): \(status) from \(url)\(text.isEmpty ? "" : ": \(text)")"
        }
    }

    /// True when `http://address/healthz` (or `path`) answers a 2xx status within `timeoutSeconds`.
    package static func check(address: String, path: String = "/healthz", timeoutSeconds: Double) -> Bool {
        probe(address: address, path: path, timeoutSeconds: timeoutSeconds).isHealthy
    }

    /// `address` is `--listen`'s `HOST:PORT` (`127.0.0.1:8080`, `[::1]:8080`, `localhost:8080`); a wildcard
    /// host (`0.0.0.0`, `::`, empty) is probed on loopback, IPv6 then IPv4 for `::`. The first host
    /// that answers decides.
    package static func probe(address: String, path: String = "/healthz", timeoutSeconds: Double) -> Finding {
        guard let (host, port) = split(address) else {
            return Finding(url: address, status: nil, text: "not HOST:PORT")
        }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        let hosts: [String] = switch host {
        case "", "0.0.0.0", "*": ["127.0.0.1"]
        case "::": ["::1", "127.0.0.1"]
        default: [host]
        }
        let client = CurlClient()
        var finding = Finding(url: address, status: nil, text: "no address to try")
        for candidate in hosts {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { break }
            let url = "http://\(candidate.contains(":") ? "[\(candidate)]" : candidate):\(port)\(path)"
            let request = CurlRequest(url: url, headers: [("User-Agent", "switchboard-healthcheck")],
                                      connectTimeout: remaining, timeout: remaining, maxResponseBytes: 64 * 1024)
            do {
                let response = try client.perform(request)
                let line = String(decoding: response.body.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
                return Finding(url: url, status: response.status, text: line)
            } catch {
                finding = Finding(url: url, status: nil, text: "\(error)")
            }
        }
        return finding
    }

    /// `HOST:PORT`, `[V6]:PORT`, `:PORT` or `PORT`.
    static func split(_ address: String) -> (host: String, port: UInt16)? {
        if let port = UInt16(address) { return ("", port) }
        if address.hasPrefix("[") {
            guard let close = address.firstIndex(of: "]"), address[address.index(after: close)...].hasPrefix(":"),
                  let port = UInt16(address[address.index(close, offsetBy: 2)...])
            else { return nil }
            return (String(address[address.index(after: address.startIndex)..<close]), port)
        }
        guard let colon = address.lastIndex(of: ":"), !address[..<colon].contains(":"),
              let port = UInt16(address[address.index(after: colon)...])
        else { return nil }
        return (String(address[..<colon]), port)
    }
}
