/// One HTTP request for `CurlClient`.
public struct CurlRequest: Sendable {
    /// HTTP Basic credentials, sent by libcurl in the `Authorization` header.
    public struct BasicAuth: Sendable {
        public var user: String
        public var password: String

        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }
    }

    public var method: String
    /// An absolute `http` or `https` URL.
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var basicAuth: BasicAuth?
    /// Seconds allowed to connect (TCP and TLS).
    public var connectTimeout: Double
    /// Seconds allowed for the whole exchange.
    public var timeout: Double
    /// A larger response body fails the request.
    public var maxResponseBytes: Int

    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        basicAuth: BasicAuth? = nil, connectTimeout: Double = 10, timeout: Double = 30,
        maxResponseBytes: Int = 16 * 1024 * 1024
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.basicAuth = basicAuth
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }
}

/// What came back: the final response's status, header fields and body.
public struct CurlResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name`, compared without regard to case.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}

/// A libcurl failure: the `CURLcode`, `curl_easy_strerror`'s text and libcurl's detail message.
public struct CurlError: Error, Sendable, CustomStringConvertible {
    /// The `CURLcode` value (28 is a timeout, 7 a refused connection, 60 a bad certificate).
    public var code: Int
    public var message: String
    public var detail: String

    public init(code: Int, message: String, detail: String = "") {
        self.code = code
        self.message = message
        self.detail = detail
    }

    /// `CURLE_OPERATION_TIMEDOUT`.
    public var isTimeout: Bool { code == 28 }

    public var description: String {
        let text = detail.isEmpty || detail == message ? message : "\(message): \(detail)"
        return "curl error \(code): \(text)"
    }
}
