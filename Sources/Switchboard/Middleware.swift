import Dispatch
import HTTPServer
import Logging
import Platform
import SignalWire
import Store

/// Every request, routed or not: counted and timed into the metrics (by endpoint, `other` for a
/// path without a route), given its `X-Request-Id`, and logged at debug, when the answer is built,
/// however late that is.
struct RequestLog: HTTPMiddleware {
    let metrics: Metrics
    let logger: Logger
    /// The route a path is answered by (`/admin/pools/*` for a path under it), nil for none: the
    /// endpoint labels the metrics may carry, a bounded set.
    let endpoint: @Sendable (String) -> String?

    func handle(_ request: HTTPRequest, path: String, responder: HTTPResponder, next: HTTPNext) {
        let started = DispatchTime.now().uptimeNanoseconds
        let (metrics, logger) = (metrics, logger)
        let endpoint = self.endpoint(path) ?? "other"
        next(request, HTTPResponder { make in
            responder.respond {
                var response = make()
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                metrics.requestFinished(endpoint: endpoint, status: response.status, seconds: seconds)
                response.headers.add("X-Request-Id", request.id)
                logger.debug("Request", metadata: [
                    "request.id": "\(request.id)", "method": "\(request.method)", "path": "\(endpoint)",
                    "status": "\(response.status)", "ms": "\(fixedPoint(seconds * 1000, decimals: 2))",
                ])
                return response
            }
        })
    }
}

/// The endpoints only SignalWire may call: activity for the idle release, then Basic credentials
/// and the signature (`WebhookAuthenticator`), a refusal counted.
struct WebhookGuard: HTTPMiddleware {
    let authenticator: WebhookAuthenticator
    let metrics: Metrics
    let activity: IdleRelease.Activity

    func handle(_ request: HTTPRequest, path: String, responder: HTTPResponder, next: HTTPNext) throws {
        activity.record()
        do {
            try authenticator.authorize(request)
        } catch {
            metrics.signatureFailure()
            throw error
        }
        next(request, responder)
    }
}

/// `/admin/*`: `Authorization: Bearer TOKEN`, compared in constant time; off (404) without a token.
struct BearerAuth: HTTPMiddleware {
    let token: String?

    func handle(_ request: HTTPRequest, path: String, responder: HTTPResponder, next: HTTPNext) throws {
        guard let token else { throw HTTPError(404, "the admin API is off: set SWITCHBOARD_ADMIN_TOKEN") }
        guard let header = request.headers["Authorization"], header.lowercased().hasPrefix("bearer "),
              ConstantTime.equals(Array(header.dropFirst(7).trimmingWhitespace().utf8), Array(token.utf8)) else {
            throw HTTPError(401, "a valid Authorization: Bearer token is required", headers: ["WWW-Authenticate": "Bearer"])
        }
        next(request, responder)
    }
}

/// A read the database did not answer: 503, so that the client tries again; what failed goes to
/// the log (the router's server-error hook), not to the client.
extension StoreError: HTTPResponseError {
    package var status: Int { 503 }
    package var message: String { "the database did not answer; try again" }
}

/// A callback that could not be stored: 503, and SignalWire sends it again.
struct NotStored: HTTPResponseError {
    let what: String
    var status: Int { 503 }
    var message: String { "could not store the \(what); try again" }
}
