import CCurl
import FoundationEssentials
import Platform
import Synchronization

/// A blocking HTTP (and SMTP) client on libcurl. One easy handle per instance, reused so
/// connections stay open between requests, owned by a mutex: one transfer runs at a time. TLS peer
/// and host verification stay on, only the transfer's own protocols are allowed, and redirects are
/// not followed.
package final class CurlClient: Sendable {
    /// The libcurl easy handle. `@unchecked Sendable`: it is only ever reached through `easy`'s
    /// mutex, one transfer at a time, which is all libcurl asks of an easy handle.
    private struct Easy: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    /// Nil only if libcurl could not make a handle (out of memory): every transfer then fails.
    private let easy: Mutex<Easy?>

    /// `curl_global_init`, run once per process before the first handle is made.
    private static let globalInit: Int = Int(curl_global_init(Int(CURL_GLOBAL_DEFAULT)).rawValue)

    package init() {
        _ = Self.globalInit
        easy = Mutex(curl_easy_init().map(Easy.init(pointer:)))
    }

    deinit {
        easy.withLock { if let easy = $0 { curl_easy_cleanup(easy.pointer) } }
    }

    /// Sends `request` and waits for the whole response.
    /// - Throws: `CurlError` when no HTTP response came back (any status is a response).
    package func perform(_ request: CurlRequest) throws -> CurlResponse {
        let sink = ResponseSink(limit: request.maxResponseBytes)
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // No `Expect: 100-continue` round trip before small bodies.
        headerList = curl_slist_append(headerList, "Expect:")
        let headers = headerList
        let hasBody = request.method != "GET" && request.method != "HEAD"
            && (!request.body.isEmpty || request.method == "POST" || request.method == "PUT")

        return try transfer(url: request.url, protocols: "http,https", connectTimeout: request.connectTimeout, timeout: request.timeout, options: { handle in
            var steps: [() -> CURLcode] = [
                { sb_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0) },
                { sb_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headers) },
                { sb_curl_setopt_write_function(handle, curlWriteBody) },
                { sb_curl_setopt_header_function(handle, curlWriteHeader) },
                { sb_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer) },
                { sb_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer) },
            ]
            switch request.method {
            case "GET": steps.append { sb_curl_setopt_long(handle, CURLOPT_HTTPGET, 1) }
            case "HEAD": steps.append { sb_curl_setopt_long(handle, CURLOPT_NOBODY, 1) }
            default: steps.append { sb_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method) }
            }
            if let auth = request.basicAuth {
                steps.append { sb_curl_setopt_long(handle, CURLOPT_HTTPAUTH, 1) } // CURLAUTH_BASIC
                steps.append { sb_curl_setopt_string(handle, CURLOPT_USERNAME, auth.user) }
                steps.append { sb_curl_setopt_string(handle, CURLOPT_PASSWORD, auth.password) }
            }
            if hasBody {
                steps.append { sb_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, request.body.count) }
                // COPYPOSTFIELDS copies exactly POSTFIELDSIZE bytes, so the body may hold NULs; a
                // one-byte stand-in keeps the pointer valid when the body is empty (0 bytes are copied).
                steps.append {
                    (request.body.isEmpty ? [0] : request.body).withUnsafeBufferPointer {
                        sb_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress))
                    }
                }
            }
            return steps
        }, failure: { code, detail in
            if code == CURLE_WRITE_ERROR, sink.overflowed {
                return CurlError(code: Int(code.rawValue), message: "response larger than \(request.maxResponseBytes) bytes")
            }
            return CurlError(code, detail: detail)
        }, done: { handle in
            var status = 0
            _ = sb_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            return CurlResponse(status: status, headers: sink.headers, body: sink.body)
        })
    }

    /// One transfer on the easy handle, under its mutex: the handle reset, the options every
    /// transfer shares (error buffer, URL, `protocols`, no signals, TLS verification, timeouts),
    /// then `options`, each stopping the transfer at its first failure, then `curl_easy_perform`.
    /// `done` reads the result off the handle before another transfer may start; `failure` makes
    /// the error from the `CURLcode` and libcurl's detail message.
    func transfer<T: Sendable>(
        url: String, protocols: String, connectTimeout: Double, timeout: Double,
        options: (UnsafeMutableRawPointer) -> [() -> CURLcode],
        failure: (CURLcode, String) -> CurlError = { CurlError($0, detail: $1) },
        done: (UnsafeMutableRawPointer) -> T
    ) throws(CurlError) -> T {
        try easy.withLock { easy throws(CurlError) -> T in
            guard let handle = easy?.pointer else { throw CurlError(code: 27, message: "libcurl could not make a handle (out of memory)") }
            curl_easy_reset(handle)
            var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
            let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
                let errorAddress = errorPointer.baseAddress!
                let common: [() -> CURLcode] = [
                    { sb_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorAddress) },
                    { sb_curl_setopt_string(handle, CURLOPT_URL, url) },
                    { sb_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, protocols) },
                    { sb_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1) },
                    { sb_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1) },
                    { sb_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2) },
                    { sb_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(connectTimeout)) },
                    { sb_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout)) },
                ]
                for step in common + options(handle) {
                    let code = step()
                    if code != CURLE_OK { return code }
                }
                return curl_easy_perform(handle)
            }
            guard code == CURLE_OK else {
                throw failure(code, String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            return done(handle)
        }
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
