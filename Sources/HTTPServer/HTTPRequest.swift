#if canImport(Platform)  // the fuzz harnesses compile Platform's Text.swift in with this file
import Platform
#endif

/// A parsed HTTP/1.1 request, as a handler sees it.
package struct HTTPRequest: Sendable {
    package var method: String
    /// The request-target exactly as received (RFC 9112 §3.2): never decoded or re-encoded.
    package var target: String
    package var version: HTTPVersion
    package var headers: HTTPHeaders {
        didSet {
            contentType = Self.mediaType(headers)
            formItems = Self.formItems(contentType, body)
        }
    }
    /// The media type of the body without parameters, lower-cased (`application/json`), or nil
    /// without a `Content-Type`: read once from `headers`, since every webhook asks for it.
    package private(set) var contentType: String?
    package var body: [UInt8] {
        didSet { formItems = Self.formItems(contentType, body) }
    }
    /// Form fields from an `application/x-www-form-urlencoded` body, else none: decoded once, since
    /// both the signature check and the webhook read them.
    package private(set) var formItems: [(String, String)]
    /// The client's address, `127.0.0.1:53422` or `[::1]:53422`.
    package var peer: String
    /// A short id for log lines, unique within this process.
    package var id: String

    package init(
        method: String, target: String, version: HTTPVersion = .http11, headers: HTTPHeaders = [:],
        body: [UInt8] = [], peer: String = "", id: String = ""
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.contentType = Self.mediaType(headers)
        self.body = body
        self.formItems = Self.formItems(contentType, body)
        self.peer = peer
        self.id = id
    }

    /// The target's path, before any `?`, still percent-encoded.
    package var path: String {
        if let q = target.utf8Index(of: UInt8(ascii: "?")) { return String(target[..<q]) }
        return target
    }

    /// The raw query after `?`, or nil when there is none.
    package var query: String? {
        guard let q = target.utf8Index(of: UInt8(ascii: "?")) else { return nil }
        return String(target[target.utf8.index(after: q)...])
    }

    /// Query parameters, decoded (`application/x-www-form-urlencoded` rules).
    package var queryItems: [(String, String)] {
        query.map(URLEncodedForm.decode) ?? []
    }

    /// The body as text (invalid UTF-8 repaired).
    package var bodyText: String { String(decoding: body, as: UTF8.self) }

    private static func mediaType(_ headers: HTTPHeaders) -> String? {
        guard let value = headers["Content-Type"] else { return nil }
        let type = value.utf8Index(of: UInt8(ascii: ";")).map { value[..<$0] } ?? value[...]
        let trimmed = type.trimmingSpaces()
        // Usually lower case already: no second copy then.
        let upper = trimmed.withUTF8Bytes { $0.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } }
        return upper ? trimmed.lowercased() : trimmed
    }

    private static func formItems(_ contentType: String?, _ body: [UInt8]) -> [(String, String)] {
        contentType == "application/x-www-form-urlencoded" ? URLEncodedForm.decode(body) : []
    }

    var keepAlive: Bool {
        let values = headers.values("Connection")
        if values.isEmpty { return version == .http11 }
        let connection = values.joined(separator: ",").lowercased()
        let tokens = connection.split(separator: ",").map { $0.trimmingSpaces() }
        if tokens.contains("close") { return false }
        return version == .http11 || tokens.contains("keep-alive")
    }
}

package enum HTTPVersion: String, Sendable, Equatable {
    case http10 = "HTTP/1.0"
    case http11 = "HTTP/1.1"
}

extension String {
    /// The index of the first `byte` of the UTF-8, searched over the bytes themselves.
    func utf8Index(of byte: UInt8) -> String.Index? {
        withUTF8Bytes { $0.firstIndex(of: byte) }.map { utf8.index(utf8.startIndex, offsetBy: $0) }
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        let bytes = utf8
        func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, isSpace(bytes[start]) { bytes.formIndex(after: &start) }
        while start < end, isSpace(bytes[bytes.index(before: end)]) { bytes.formIndex(before: &end) }
        return String(self[start..<end])
    }
}

extension String {
    func trimmingSpaces() -> String { self[...].trimmingSpaces() }
}
