import Dispatch
import Platform

/// Method + path -> handler, with 404 and 405 answers. `HEAD` is served by the `GET` handler.
public struct HTTPRouter: Sendable {
    private var routes: [String: [String: HTTPAsyncHandler]] = [:]

    public init() {}

    public mutating func add(_ method: String, _ path: String, _ handler: @escaping HTTPHandler) {
        addAsync(method, path) { request, responder in responder.respond(handler(request)) }
    }

    /// A handler that may block (database reads, say): it runs on `queue`, never on the server's
    /// event loop, and answers from there.
    public mutating func addBlocking(_ method: String, _ path: String, on queue: DispatchQueue = .global(),
                                     _ handler: @escaping HTTPHandler) {
        addAsync(method, path) { request, responder in
            queue.async { responder.respond(handler(request)) }
        }
    }

    /// A handler that answers through its responder, possibly later.
    public mutating func addAsync(_ method: String, _ path: String, _ handler: @escaping HTTPAsyncHandler) {
        routes[path, default: [:]][method] = handler
    }

    /// The methods `path` answers, sorted, for `Allow`.
    public func methods(for path: String) -> [String] {
        guard let byMethod = routes[path] else { return [] }
        var methods = Set(byMethod.keys)
        if methods.contains("GET") { methods.insert("HEAD") }
        return methods.sorted()
    }

    /// Routes `request` by `path` (its own path, or one a caller took a prefix off).
    public func handle(_ request: HTTPRequest, path: String, responder: HTTPResponder) {
        guard let byMethod = routes[path] else { return responder.respond(.text(404, "not found: \(path)")) }
        let method = request.method == "HEAD" && byMethod["HEAD"] == nil ? "GET" : request.method
        guard let handler = byMethod[method] else {
            var response = HTTPResponse.text(405, "method \(request.method) not allowed on \(path)")
            response.headers.add("Allow", methods(for: path).joined(separator: ", "))
            return responder.respond(response)
        }
        handler(request, responder)
    }

    /// The answer of a route that answers at once (every route added with `add`).
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        handle(request, path: request.path)
    }

    public func handle(_ request: HTTPRequest, path: String) -> HTTPResponse {
        let answer = Locked<HTTPResponse?>(nil)
        handle(request, path: path, responder: HTTPResponder { make in
            let response = make()
            answer.withLock { if $0 == nil { $0 = response } }
        })
        return answer.current ?? .text(500, "the handler did not answer at once")
    }
}
