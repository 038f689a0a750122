import CCurl

/// One HTTP request for `CurlClient`.
package struct CurlRequest: Sendable {
    /// HTTP Basic credentials, sent by libcurl in the `Authorization` header.
    package struct BasicAuth: Sendable {
        package var user: String
        package var password: String

        package init(user: String, password: String) {
            self.user = user
            self.password = password
        }
    }

    package var method: String
    /// An absolute `http` or `https` URL.
    package var url: String
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]
    package var basicAuth: BasicAuth?
    /// Seconds allowed to connect (TCP and TLS).
    package var connectTimeout: Double
    /// Seconds allowed for the whole exchange.
    package var timeout: Double
    /// A larger response body fails the request.
    package var maxResponseBytes: Int

    package init(
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
package struct CurlResponse: Sendable {
    package var status: Int
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    package init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name`, compared without regard to case.
    package func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}

/// A libcurl failure: the `CURLcode`, `curl_easy_strerror`'s text and libcurl's detail message.
package struct CurlError: Error, Sendable, CustomStringConvertible {
    /// The `CURLcode` value (28 is a timeout, 7 a refused connection, 60 a bad certificate).
    package var code: Int
    package var message: String
    package var detail: String

    package init(code: Int, message: String, detail: String = "") {
        self.code = code
        self.message = message
        self.detail = detail
    }

    /// `code` with `curl_easy_strerror`'s text.
    init(_ code: CURLcode, detail: String) {
        self.init(code: Int(code.rawValue), message: String(cString: curl_easy_strerror(code)), detail: detail)
    }

    /// `CURLE_OPERATION_TIMEDOUT`.
    package var isTimeout: Bool { code == 28 }

    package var description: String {
        let text = detail.isEmpty || detail == message ? message : "\(message): \(detail)"
        return "curl error \(code): \(text)"
    }
}
