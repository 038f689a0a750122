import Synchronization

/// Answers one request, now or later, from any thread: the response is built and written on the
/// request's connection. A handler that decides asynchronously keeps no thread waiting.
package struct HTTPResponder: Sendable {
    private let deliver: @Sendable (@escaping @Sendable () -> HTTPResponse) -> Void

    package init(_ deliver: @escaping @Sendable (@escaping @Sendable () -> HTTPResponse) -> Void) {
        self.deliver = deliver
    }

    /// Answers with `make()`, run on the connection's queue. Only the first answer counts.
    package func respond(_ make: @escaping @Sendable () -> HTTPResponse) {
        deliver(make)
    }

    package func respond(_ response: HTTPResponse) {
        deliver { response }
    }
}

/// A handler that answers through an `HTTPResponder`, now or later.
package typealias HTTPAsyncHandler = @Sendable (HTTPRequest, HTTPResponder) -> Void

/// Where one handler call stands, so an answer given before the handler returns is written without a
/// hop through the connection's queue, and a second answer is ignored.
final class HandlerCall: Sendable {
    private enum State { case running, answered(@Sendable () -> HTTPResponse), returned, done }
    /// Stored inline: no lock object and pthread mutex to allocate per request.
    private let state = Mutex(State.running)

    /// From the responder: true when the handler has not returned yet (the connection takes the
    /// answer when it does); false when the caller must deliver it.
    func answerInline(_ make: @escaping @Sendable () -> HTTPResponse) -> Bool? {
        state.withLock { state in
            switch state {
            case .running:
                state = .answered(make)
                return true
            case .returned:
                state = .done
                return false
            case .answered, .done:
                return nil
            }
        }
    }

    /// From the connection, once the handler returned: the answer it gave meanwhile, if any.
    func handlerReturned() -> (@Sendable () -> HTTPResponse)? {
        state.withLock { state in
            if case .answered(let make) = state {
                state = .done
                return make
            }
            state = .returned
            return nil
        }
    }
}
