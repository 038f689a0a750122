/// A parsed HTTP/1.1 request, as a handler sees it.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The request-target exactly as received (RFC 9112 §3.2): never decoded or re-encoded.
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The client's address, `127.0.0.1:53422` or `[::1]:53422`.
    public var peer: String
    /// A short id for log lines, unique within this process.
    public var id: String

    public init(
        method: String, target: String, version: HTTPVersion = .http11, headers: HTTPHeaders = [:],
        body: [UInt8] = [], peer: String = "", id: String = ""
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.peer = peer
        self.id = id
    }

    /// The target's path, before any `?`, still percent-encoded.
    public var path: String {
        if let q = target.firstIndex(of: "?") { return String(target[..<q]) }
        return target
    }

    /// The raw query after `?`, or nil when there is none.
    public var query: String? {
        guard let q = target.firstIndex(of: "?") else { return nil }
        return String(target[target.index(after: q)...])
    }

    /// Query parameters, decoded (`application/x-www-form-urlencoded` rules).
    public var queryItems: [(String, String)] {
        query.map(URLEncodedForm.decode) ?? []
    }

    /// The body as text (invalid UTF-8 repaired).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The media type of the body without parameters, lower-cased: `application/json`.
    public var contentType: String? {
        guard let value = headers["Content-Type"] else { return nil }
        let type = value.split(separator: ";", maxSplits: 1).first ?? ""
        return type.trimmingSpaces().lowercased()
    }

    /// Form fields from an `application/x-www-form-urlencoded` body, else none.
    public var formItems: [(String, String)] {
        contentType == "application/x-www-form-urlencoded" ? URLEncodedForm.decode(bodyText) : []
    }

    var keepAlive: Bool {
        let connection = headers.values("Connection").joined(separator: ",").lowercased()
        let tokens = connection.split(separator: ",").map { $0.trimmingSpaces() }
        if tokens.contains("close") { return false }
        return version == .http11 || tokens.contains("keep-alive")
    }
}

public enum HTTPVersion: String, Sendable, Equatable {
    case http10 = "HTTP/1.0"
    case http11 = "HTTP/1.1"
}

extension Substring {
    func trimmingSpaces() -> String {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}

extension String {
    func trimmingSpaces() -> String { self[...].trimmingSpaces() }
}
