import Platform
import Testing
@testable import HTTPServer

/// Errors become answers in the router alone; middleware runs in order and sees the answers of
/// what it wraps, thrown ones included.
struct HTTPRouterTests {
    struct Teapot: HTTPResponseError {
        var status: Int { 418 }
        var message: String { "short and stout" }
        var headers: HTTPHeaders { ["Retry-After": "5"] }
    }

    struct Internal: Error, CustomStringConvertible {
        var description: String { "SELECT secret FROM somewhere" }
    }

    /// Appends its name on the way in, and on the way out to the answer's `Trace` header.
    struct Tracing: HTTPMiddleware {
        let name: String
        let calls: Locked<[String]>

        func handle(_ request: HTTPRequest, path: String, responder: HTTPResponder, next: HTTPNext) throws {
            calls.withLock { $0.append(name) }
            if request.path == "/stop-\(name)" { throw HTTPError(403, "stopped by \(name)") }
            next(request, HTTPResponder { make in
                responder.respond {
                    var response = make()
                    response.headers.add("Trace", name)
                    return response
                }
            })
        }
    }

    @Test func aPathEndingInAStarTakesEveryPathUnderItTheLongestFirst() {
        var router = HTTPRouter()
        router.add("POST", path: "/admin/pools/*") { .text(200, "pools \($0.path)") }
        router.add("POST", path: "/admin/*") { _ in .text(200, "admin") }
        router.add("GET", path: "/admin/pools") { _ in .text(200, "exact") }
        func answer(_ method: String, _ path: String) -> (Int, String) {
            let response = router.handle(HTTPRequest(method: method, target: path))
            return (response.status, String(decoding: response.body, as: UTF8.self).trimmingWhitespaceAndNewlines())
        }
        #expect(answer("POST", "/admin/pools/sales/members/%2B1/pause") == (200, "pools /admin/pools/sales/members/%2B1/pause"))
        #expect(answer("POST", "/admin/other") == (200, "admin"))
        #expect(answer("GET", "/admin/pools") == (200, "exact"))
        #expect(answer("GET", "/admin/pools/x").0 == 405, "the prefix's methods")
        #expect(answer("POST", "/adminx").0 == 404)
    }

    @Test func anErrorWithAStatusIsAnsweredWithItsStatusTextAndHeaders() {
        var router = HTTPRouter()
        router.add("GET", "/tea") { _ in throw Teapot() }
        let response = router.handle(HTTPRequest(method: "GET", target: "/tea"))
        #expect(response.status == 418)
        #expect(String(decoding: response.body, as: UTF8.self) == "short and stout\n")
        #expect(response.headers["Retry-After"] == "5")
    }

    @Test func anyOtherErrorIsA500WithoutItsDescriptionAndTheHookSeesIt() {
        let seen = Locked<[String]>([])
        var router = HTTPRouter { error, request in seen.withLock { $0.append("\(request.path): \(error)") } }
        router.add("GET", "/boom") { _ in throw Internal() }
        router.add("GET", "/teapot") { _ in throw Teapot() }
        let response = router.handle(HTTPRequest(method: "GET", target: "/boom"))
        #expect(response.status == 500)
        #expect(!String(decoding: response.body, as: UTF8.self).contains("secret"))
        #expect(router.handle(HTTPRequest(method: "GET", target: "/teapot")).status == 418)
        #expect(seen.withLock { $0 } == ["/boom: SELECT secret FROM somewhere"])
    }

    @Test func notFoundAndMethodNotAllowedPassTheRoutersMiddleware() {
        let calls = Locked<[String]>([])
        var router = HTTPRouter()
        router.add("GET", path: "/a") { _ in .text(200, "a") }
        router.use(Tracing(name: "outer", calls: calls))
        let missing = router.handle(HTTPRequest(method: "GET", target: "/nowhere"))
        #expect(missing.status == 404)
        #expect(missing.headers["Trace"] == "outer")
        let wrong = router.handle(HTTPRequest(method: "DELETE", target: "/a"))
        #expect(wrong.status == 405)
        #expect(wrong.headers["Allow"] == "GET, HEAD")
        #expect(wrong.headers["Trace"] == "outer")
        #expect(calls.withLock { $0 } == ["outer", "outer"])
    }

    @Test func middlewareRunsOutsideInAndARefusalStopsTheRest() {
        let calls = Locked<[String]>([])
        var router = HTTPRouter()
        let inner = [Tracing(name: "first", calls: calls), Tracing(name: "second", calls: calls)] as [any HTTPMiddleware]
        router.add("GET", path: "/ok", through: inner) { _ in
            calls.withLock { $0.append("handler") }
            return .text(200, "ok")
        }
        router.add("GET", path: "/stop-first", through: inner) { _ in .text(200, "never") }
        router.add("GET", path: "/plain") { _ in .text(200, "plain") }
        router.use(Tracing(name: "outer", calls: calls))

        let ok = router.handle(HTTPRequest(method: "GET", target: "/ok"))
        #expect(ok.status == 200)
        #expect(ok.headers.values("Trace") == ["second", "first", "outer"])
        #expect(calls.withLock { $0 } == ["outer", "first", "second", "handler"])

        calls.withLock { $0 = [] }
        let stopped = router.handle(HTTPRequest(method: "GET", target: "/stop-first"))
        #expect(stopped.status == 403)
        // The refusal is answered through the responder `first` was given: `outer` still decorates it.
        #expect(stopped.headers.values("Trace") == ["outer"])
        #expect(calls.withLock { $0 } == ["outer", "first"])

        calls.withLock { $0 = [] }
        #expect(router.handle(HTTPRequest(method: "GET", target: "/plain")).headers.values("Trace") == ["outer"])
        #expect(router.paths == ["/ok", "/stop-first", "/plain"])
    }

    @Test func headIsServedByGetAndOneDeclarationServesSeveralMethods() {
        var router = HTTPRouter()
        router.addAsync("GET", "POST", path: "/hook") { request, responder in responder.respond(.text(200, request.method)) }
        #expect(router.handle(HTTPRequest(method: "POST", target: "/hook")).status == 200)
        #expect(router.handle(HTTPRequest(method: "HEAD", target: "/hook")).status == 200)
        #expect(router.methods(for: "/hook") == ["GET", "HEAD", "POST"])
    }
}
