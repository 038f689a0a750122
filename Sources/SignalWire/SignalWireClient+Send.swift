import FoundationEssentials
import Logging
import Platform

extension SignalWireClient {
    /// One API call with retries; returns the body of a 2xx answer. A body is JSON unless `contentType` says otherwise.
    /// `retrying: false` for a call that must not happen twice (a purchase): one attempt, whatever fails.
    func send(_ method: String, _ url: String, body: [UInt8]? = nil, contentType: String = "application/json",
              retrying: Bool = true) throws -> [UInt8] {
        var headers: [(name: String, value: String)] = [("Accept", "application/json"), ("User-Agent", "switchboard")]
        if body != nil { headers.append(("Content-Type", contentType)) }
        let request = CurlRequest(
            method: method, url: url, headers: headers, body: body ?? [],
            basicAuth: .init(user: credentials.projectID, password: credentials.apiToken),
            connectTimeout: connectTimeout, timeout: requestTimeout
        )
        let path = URLParts(url)?.path ?? url
        let attempts = retrying ? retryPolicy.maxAttempts : 1
        for attempt in 1...attempts {
            let response: CurlResponse
            do {
                response = try curl.perform(request)
            } catch let error as CurlError {
                onAPICall?(method, nil)
                guard attempt < attempts else {
                    throw SignalWireError.transport(message: error.description, attempts: attempt)
                }
                wait(before: attempt + 1, of: attempts, retryAfter: nil, method: method, path: path, cause: error.description)
                continue
            }
            onAPICall?(method, response.status)
            logger.debug("SignalWire API call", metadata: [
                "signalwire.method": "\(method)", "signalwire.path": "\(path)", "http.status": "\(response.status)",
            ])
            switch response.status {
            case 200..<300:
                return response.body
            case 401, 403:
                throw SignalWireError.unauthorized(status: response.status, details: SignalWireError.details(fromBody: response.body))
            case 429, 500..<600:
                let details = SignalWireError.details(fromBody: response.body)
                guard attempt < attempts else {
                    throw SignalWireError.unavailable(status: response.status, details: details, attempts: attempt)
                }
                let retryAfter = RetryPolicy.parseRetryAfter(response.header("Retry-After"))
                wait(before: attempt + 1, of: attempts, retryAfter: retryAfter, method: method, path: path,
                     cause: "HTTP \(response.status)")
            default:
                throw SignalWireError.rejected(status: response.status, details: SignalWireError.details(fromBody: response.body))
            }
        }
        // The loop returns or throws on its last attempt.
        throw SignalWireError.invalidResponse("retry loop ended without an answer")
    }

    private func wait(before attempt: Int, of attempts: Int, retryAfter: Double?, method: String, path: String, cause: String) {
        let seconds = retryPolicy.delay(beforeRetry: attempt - 1, retryAfter: retryAfter)
        logger.warning("SignalWire API call failed; retrying", metadata: [
            "signalwire.method": "\(method)", "signalwire.path": "\(path)", "error": "\(cause)",
            "retry.attempt": "\(attempt)", "retry.of": "\(attempts)",
            "retry.wait_seconds": "\(fixedPoint(seconds, decimals: 2))",
        ])
        sleep(seconds)
    }
}
