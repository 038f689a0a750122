import Dispatch
import Synchronization

/// A handler that answers through its responder, now or later; what it throws is the answer.
package typealias HTTPRouteHandler = @Sendable (HTTPRequest, HTTPResponder) throws -> Void

/// What a middleware calls to go on. Errors below it have already been answered.
package typealias HTTPNext = (HTTPRequest, HTTPResponder) -> Void

/// A step every request of a route (or of the router) passes: it may answer or throw instead of
/// going on, or go on with another responder (to time, count or decorate the answer).
package protocol HTTPMiddleware: Sendable {
    /// `path` is the path the request is routed by (its own, or one a caller took a prefix off).
    func handle(_ request: HTTPRequest, path: String, responder: HTTPResponder, next: HTTPNext) throws
}

/// Method + path -> middleware and handler, with 404 and 405 answers. `HEAD` is served by the `GET`
/// handler. Every error a handler or middleware throws becomes its answer here, through
/// `HTTPResponse(error:)`, and nowhere else.
package struct HTTPRouter: Sendable {
    private struct Route: Sendable {
        var middleware: [any HTTPMiddleware]
        var handler: HTTPRouteHandler
    }

    private var routes: [String: [String: Route]] = [:]
    /// Paths added ending in `*`, without it: a route for every path under them, longest first.
    private var prefixes: [String] = []
    private var middleware: [any HTTPMiddleware] = []
    /// Told of every error the router answers with 500 or more (the answer says no more than its status).
    private let serverError: @Sendable (any Error, HTTPRequest) -> Void

    package init(serverError: @escaping @Sendable (any Error, HTTPRequest) -> Void = { _, _ in }) {
        self.serverError = serverError
    }

    /// Runs `middleware` on every request, routed or not, outside each route's own (in the order added).
    package mutating func use(_ middleware: any HTTPMiddleware) {
        self.middleware.append(middleware)
    }

    /// A handler that answers at once (it must not block: it may run on the event loop).
    package mutating func add(_ methods: String..., path: String, through middleware: [any HTTPMiddleware] = [],
                             _ handler: @escaping HTTPHandler) {
        add(methods, path: path, through: middleware) { request, responder in responder.respond(try handler(request)) }
    }

    package mutating func add(_ method: String, _ path: String, _ handler: @escaping HTTPHandler) {
        add([method], path: path, through: []) { request, responder in responder.respond(try handler(request)) }
    }

    /// A handler that may block (database reads, say): it runs on `queue`, never on the server's
    /// event loop, and answers from there.
    package mutating func addBlocking(_ methods: String..., path: String, through middleware: [any HTTPMiddleware] = [],
                                     on queue: DispatchQueue = .global(), _ handler: @escaping HTTPHandler) {
        let failed = serverError
        add(methods, path: path, through: middleware) { request, responder in
            queue.async { Self.answer(request, responder, failed) { responder.respond(try handler(request)) } }
        }
    }

    /// A handler that answers through its responder, possibly later.
    package mutating func addAsync(_ methods: String..., path: String, through middleware: [any HTTPMiddleware] = [],
                                  _ handler: @escaping HTTPRouteHandler) {
        add(methods, path: path, through: middleware, handler)
    }

    private mutating func add(_ methods: [String], path: String, through middleware: [any HTTPMiddleware],
                              _ handler: @escaping HTTPRouteHandler) {
        for method in methods { routes[path, default: [:]][method] = Route(middleware: middleware, handler: handler) }
        if path.hasSuffix("*") {
            prefixes.append(String(path.dropLast()))
            prefixes.sort { $0.count > $1.count }
        }
    }

    /// The routes for `path`: its own, else those of the longest `prefix*` it is under.
    private func routes(for path: String) -> (key: String, byMethod: [String: Route])? {
        if let byMethod = routes[path] { return (path, byMethod) }
        guard let prefix = prefixes.first(where: { path.hasPrefix($0) }), let byMethod = routes[prefix + "*"] else { return nil }
        return (prefix + "*", byMethod)
    }

    /// Every path with a route (`prefix*` for a prefix route).
    package var paths: Set<String> { Set(routes.keys) }

    /// The route `path` is answered by, as added (`/admin/pools/*` for `/admin/pools/sales/...`), or nil.
    package func route(of path: String) -> String? { routes(for: path)?.key }

    /// The methods `path` answers, sorted, for `Allow`.
    package func methods(for path: String) -> [String] {
        guard let byMethod = routes(for: path)?.byMethod else { return [] }
        var methods = Set(byMethod.keys)
        if methods.contains("GET") { methods.insert("HEAD") }
        return methods.sorted()
    }

    /// Routes `request` by `path` (its own path, or one a caller took a prefix off).
    package func handle(_ request: HTTPRequest, path: String, responder: HTTPResponder) {
        run(middleware[...], request, path, responder) { request, responder in
            guard let byMethod = routes(for: path)?.byMethod else { throw HTTPError(404, "not found: \(path)") }
            let method = request.method == "HEAD" && byMethod["HEAD"] == nil ? "GET" : request.method
            guard let route = byMethod[method] else {
                throw HTTPError(405, "method \(request.method) not allowed on \(path)",
                                headers: ["Allow": methods(for: path).joined(separator: ", ")])
            }
            run(route.middleware[...], request, path, responder, route.handler)
        }
    }

    /// `layers` in order, then `handler`; what any of them throws is answered on the responder it was given.
    private func run(_ layers: ArraySlice<any HTTPMiddleware>, _ request: HTTPRequest, _ path: String,
                     _ responder: HTTPResponder, _ handler: HTTPRouteHandler) {
        Self.answer(request, responder, serverError) {
            guard let layer = layers.first else { return try handler(request, responder) }
            try layer.handle(request, path: path, responder: responder) { request, responder in
                run(layers.dropFirst(), request, path, responder, handler)
            }
        }
    }

    private static func answer(_ request: HTTPRequest, _ responder: HTTPResponder,
                               _ serverError: (any Error, HTTPRequest) -> Void, _ body: () throws -> Void) {
        do {
            try body()
        } catch {
            let response = HTTPResponse(error: error)
            if response.status >= 500 { serverError(error, request) }
            responder.respond(response)
        }
    }

    /// The answer of a route that answers at once (every route added with `add`).
    package func handle(_ request: HTTPRequest) -> HTTPResponse {
        handle(request, path: request.path)
    }

    package func handle(_ request: HTTPRequest, path: String) -> HTTPResponse {
        let answer = Mutex<HTTPResponse?>(nil)
        handle(request, path: path, responder: HTTPResponder { make in
            let response = make()
            answer.withLock { if $0 == nil { $0 = response } }
        })
        return answer.withLock { $0 } ?? .text(500, "the handler did not answer at once")
    }
}
