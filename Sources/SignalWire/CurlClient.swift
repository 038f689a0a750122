import CCurl
import FoundationEssentials
import Platform

/// A blocking HTTP client on libcurl. One easy handle per instance, reused so connections stay
/// open between requests; a lock makes one request run at a time. TLS peer and host verification
/// stay on, only `http` and `https` are allowed, and redirects are not followed.
package final class CurlClient: @unchecked Sendable {
    let lock = Lock()
    /// Nil only if libcurl could not make a handle (out of memory): every request then fails.
    private let easy: UnsafeMutableRawPointer?
    /// Read only after `perform` has checked `easy`.
    var handle: UnsafeMutableRawPointer { easy! }
    var hasHandle: Bool { easy != nil }

    /// `curl_global_init`, run once per process before the first handle is made.
    private static let globalInit: Int = Int(curl_global_init(Int(CURL_GLOBAL_DEFAULT)).rawValue)

    package init() {
        _ = Self.globalInit
        easy = curl_easy_init()
    }

    deinit {
        if let easy { curl_easy_cleanup(easy) }
    }

    /// Sends `request` and waits for the whole response.
    /// - Throws: `CurlError` when no HTTP response came back (any status is a response).
    package func perform(_ request: CurlRequest) throws -> CurlResponse {
        lock.lock()
        defer { lock.unlock() }
        guard easy != nil else { throw CurlError(code: 27, message: "libcurl could not make a handle (out of memory)") }
        curl_easy_reset(handle)

        let sink = ResponseSink(limit: request.maxResponseBytes)
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // No `Expect: 100-continue` round trip before small bodies.
        headerList = curl_slist_append(headerList, "Expect:")

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
            // A one-byte stand-in keeps the pointer valid when the body is empty (0 bytes are copied).
            (request.body.isEmpty ? [0] : request.body).withUnsafeBufferPointer { bodyPointer in
                var result = configure(request, headers: headerList, errorBuffer: errorPointer.baseAddress!)
                if result == CURLE_OK, request.method != "GET", request.method != "HEAD",
                   !request.body.isEmpty || request.method == "POST" || request.method == "PUT" {
                    result = sb_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, request.body.count)
                    if result == CURLE_OK {
                        // COPYPOSTFIELDS copies exactly POSTFIELDSIZE bytes, so the body may hold NULs.
                        result = sb_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bodyPointer.baseAddress))
                    }
                }
                if result == CURLE_OK {
                    result = sb_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer)
                }
                if result == CURLE_OK {
                    result = sb_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer)
                }
                if result == CURLE_OK {
                    result = curl_easy_perform(handle)
                }
                return result
            }
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if code == CURLE_WRITE_ERROR, sink.overflowed {
                throw CurlError(code: Int(code.rawValue), message: "response larger than \(request.maxResponseBytes) bytes")
            }
            throw CurlError(code: Int(code.rawValue), message: String(cString: curl_easy_strerror(code)), detail: detail)
        }
        var status = 0
        _ = sb_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return CurlResponse(status: status, headers: sink.headers, body: sink.body)
    }

    /// Sets every option except the body and the sinks; stops at the first failure.
    private func configure(
        _ request: CurlRequest, headers: UnsafeMutablePointer<curl_slist>?, errorBuffer: UnsafeMutablePointer<CChar>
    ) -> CURLcode {
        var steps: [() -> CURLcode] = [
            { sb_curl_setopt_pointer(self.handle, CURLOPT_ERRORBUFFER, errorBuffer) },
            { sb_curl_setopt_string(self.handle, CURLOPT_URL, request.url) },
            { sb_curl_setopt_string(self.handle, CURLOPT_PROTOCOLS_STR, "http,https") },
            { sb_curl_setopt_long(self.handle, CURLOPT_NOSIGNAL, 1) },
            { sb_curl_setopt_long(self.handle, CURLOPT_SSL_VERIFYPEER, 1) },
            { sb_curl_setopt_long(self.handle, CURLOPT_SSL_VERIFYHOST, 2) },
            { sb_curl_setopt_long(self.handle, CURLOPT_FOLLOWLOCATION, 0) },
            { sb_curl_setopt_long(self.handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout)) },
            { sb_curl_setopt_long(self.handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout)) },
            { sb_curl_setopt_slist(self.handle, CURLOPT_HTTPHEADER, headers) },
            { sb_curl_setopt_write_function(self.handle, curlWriteBody) },
            { sb_curl_setopt_header_function(self.handle, curlWriteHeader) },
        ]
        switch request.method {
        case "GET": steps.append { sb_curl_setopt_long(self.handle, CURLOPT_HTTPGET, 1) }
        case "HEAD": steps.append { sb_curl_setopt_long(self.handle, CURLOPT_NOBODY, 1) }
        default: steps.append { sb_curl_setopt_string(self.handle, CURLOPT_CUSTOMREQUEST, request.method) }
        }
        if let auth = request.basicAuth {
            steps.append { sb_curl_setopt_long(self.handle, CURLOPT_HTTPAUTH, 1) } // CURLAUTH_BASIC
            steps.append { sb_curl_setopt_string(self.handle, CURLOPT_USERNAME, auth.user) }
            steps.append { sb_curl_setopt_string(self.handle, CURLOPT_PASSWORD, auth.password) }
        }
        for step in steps {
            let code = step()
            if code != CURLE_OK { return code }
        }
        return CURLE_OK
    }

    static func milliseconds(_ seconds: Double) -> Int {
        max(1, Int((seconds * 1000).rounded()))
    }
}

/// Collects what libcurl's callbacks deliver; passed to them as an opaque pointer.
final class ResponseSink {
    let limit: Int
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var overflowed = false

    init(limit: Int) {
        self.limit = limit
    }

    func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmingWhitespaceAndNewlines()
        if line.hasPrefix("HTTP/") {
            // A new response head (after a 1xx): only the final response's fields count.
            headers.removeAll()
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon]).trimmingWhitespace()
            let value = String(line[line.index(after: colon)...]).trimmingWhitespace()
            headers.append((name: name, value: value))
        }
    }
}

/// `CURLOPT_WRITEFUNCTION`: C cannot call a capturing closure, so state comes through `userdata`.
private func curlWriteBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?) -> Int {
    guard let userdata, let data else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    guard sink.body.count + length <= sink.limit else {
        sink.overflowed = true
        return 0
    }
    sink.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
    return length
}

/// `CURLOPT_HEADERFUNCTION`: one header line per call.
private func curlWriteHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?) -> Int {
    guard let userdata, let data else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
    sink.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
    return size * count
}
