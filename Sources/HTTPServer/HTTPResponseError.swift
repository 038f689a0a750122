/// An error that is also an answer: a handler throws it and the router writes it, the one place an
/// error becomes a status (Hummingbird's `HTTPResponseError` is the model).
package protocol HTTPResponseError: Error {
    var status: Int { get }
    /// One line for the client, in the body: nothing internal (no paths, no SQL).
    var message: String { get }
    var headers: HTTPHeaders { get }
}

extension HTTPResponseError {
    package var headers: HTTPHeaders { [:] }
}

/// The common case: a status, its reason, and headers such as `WWW-Authenticate` or `Allow`.
package struct HTTPError: HTTPResponseError, Equatable, Sendable {
    package var status: Int
    package var message: String
    package var headers: HTTPHeaders

    package init(_ status: Int, _ message: String, headers: HTTPHeaders = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }
}

extension HTTPResponse {
    /// `error` as an answer: its own status, text and headers when it is an `HTTPResponseError`;
    /// otherwise 500 without its description, which may hold internals (the router's
    /// `unexpectedError` hook sees it).
    package init(error: any Error) {
        guard let error = error as? any HTTPResponseError else {
            self = .text(500, "internal error")
            return
        }
        self = .text(error.status, error.message)
        for (name, value) in error.headers { headers.add(name, value) }
    }
}

extension HTTPResponder {
    /// Answers with `error` mapped by `HTTPResponse(error:)`.
    package func fail(_ error: any Error) {
        respond(HTTPResponse(error: error))
    }
}
