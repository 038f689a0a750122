/// Method + path -> handler, with 404 and 405 answers. `HEAD` is served by the `GET` handler.
public struct HTTPRouter: Sendable {
    private var routes: [String: [String: HTTPHandler]] = [:]

    public init() {}

    public mutating func add(_ method: String, _ path: String, _ handler: @escaping HTTPHandler) {
        routes[path, default: [:]][method] = handler
    }

    /// The methods `path` answers, sorted, for `Allow`.
    public func methods(for path: String) -> [String] {
        guard let byMethod = routes[path] else { return [] }
        var methods = Set(byMethod.keys)
        if methods.contains("GET") { methods.insert("HEAD") }
        return methods.sorted()
    }

    /// Finds the handler for `request` (its path as given, without the query).
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        handle(request, path: request.path)
    }

    /// Finds the handler for `path`, which a caller may have taken a prefix off.
    public func handle(_ request: HTTPRequest, path: String) -> HTTPResponse {
        guard let byMethod = routes[path] else { return .text(404, "not found: \(path)") }
        let method = request.method == "HEAD" && byMethod["HEAD"] == nil ? "GET" : request.method
        guard let handler = byMethod[method] else {
            var response = HTTPResponse.text(405, "method \(request.method) not allowed on \(path)")
            response.headers.add("Allow", methods(for: path).joined(separator: ", "))
            return response
        }
        return handler(request)
    }
}
