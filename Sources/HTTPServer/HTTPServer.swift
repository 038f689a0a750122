import Dispatch
import Logging
import CLinux
#if canImport(Glibc)
import Glibc
#endif
import Platform
import Synchronization

/// Answers one request; what it throws is answered by `HTTPResponse(error:)`. Given to the server,
/// it runs on the connection's own queue, never on an event loop, so a slow handler holds up only
/// its own connection. (`HTTPAsyncHandler` answers later instead.)
package typealias HTTPHandler = @Sendable (HTTPRequest) throws -> HTTPResponse

/// An HTTP/1.1 server on non-blocking BSD sockets and epoll: event-loop threads own the
/// connections, no thread per connection, no SwiftNIO.
package final class HTTPServer: Sendable {
    package struct Configuration: Sendable {
        package var address: ListenAddress
        package var limits: HTTPLimits
        package var backlog: Int32
        /// A socket already listening (systemd socket activation); `address` is then ignored.
        package var inheritedSocket: Int32?
        /// True (the default): each connection calls its handler on a queue of its own, so a handler
        /// may block. False: handlers run on the event loop itself and must never block (answering
        /// later through an `HTTPResponder` instead): no thread hop and no context switch per request.
        package var handlersMayBlock = true
        /// Event-loop threads; connections are shared between them in turn.
        package var eventLoops = 1
        /// Called on an event loop's thread before and after each turn (the sockets one `epoll_wait`
        /// found ready, then the answers other threads posted), so that work the turn's handlers
        /// queue can be done together: the daemon holds its store's commits for the turn.
        package var turnStarted: (@Sendable () -> Void)?
        package var turnEnded: (@Sendable () -> Void)?

        package init(host: String = "127.0.0.1", port: Int = 0, limits: HTTPLimits = HTTPLimits(),
                    backlog: Int32 = 511, inheritedSocket: Int32? = nil) {
            self.init(address: ListenAddress(host: host, port: port), limits: limits, backlog: backlog, inheritedSocket: inheritedSocket)
        }

        package init(address: ListenAddress, limits: HTTPLimits = HTTPLimits(), backlog: Int32 = 511, inheritedSocket: Int32? = nil) {
            self.address = address
            self.limits = limits
            self.backlog = backlog
            self.inheritedSocket = inheritedSocket
        }
    }

    package let configuration: Configuration
    let handler: HTTPAsyncHandler
    let logger: Logger
    let decoder: HTTPDecoder
    private struct State {
        var loops: [EventLoop] = []
        var listener: Listener?
        var connectionCount = 0
        var connectionSerial = 0
        var draining = false
        var stopped = false
        var boundPort = 0
    }
    private let state = Mutex(State())

    package convenience init(configuration: Configuration, logger: Logger, handler: @escaping HTTPHandler) {
        self.init(configuration: configuration, logger: logger, asyncHandler: { request, responder in
            do { responder.respond(try handler(request)) } catch { responder.fail(error) }
        })
    }

    package init(configuration: Configuration, logger: Logger, asyncHandler: @escaping HTTPAsyncHandler) {
        self.configuration = configuration
        self.logger = logger
        self.handler = asyncHandler
        self.decoder = HTTPDecoder(limits: configuration.limits)
    }

    /// Binds (or adopts the inherited socket) and starts accepting. Returns once listening.
    package func start() throws {
        signal(SIGPIPE, SIG_IGN)
        let fd: Int32
        if let inherited = configuration.inheritedSocket {
            guard Socket.isListeningStream(inherited) else {
                throw SocketError(call: "adopt", code: EINVAL, detail: "fd \(inherited) is not a listening stream socket")
            }
            try Socket.setNonBlocking(inherited)
            fd = inherited
        } else {
            fd = try Socket.listen(configuration.address, backlog: configuration.backlog)
        }
        // One tick per loop checks every connection's deadline: a timer per request would cost more.
        let limits = configuration.limits
        let shortest = min(limits.headTimeout, limits.bodyTimeout, limits.idleTimeout, limits.writeTimeout)
        let tick = max(0.02, min(1.0, shortest / 4))
        var started: [EventLoop] = []
        do {
            for i in 0..<max(1, configuration.eventLoops) {
                let loop = try EventLoop(tick: tick, turnStarted: configuration.turnStarted, turnEnded: configuration.turnEnded)
                try loop.start(name: "http-loop-\(i)")
                started.append(loop)
            }
        } catch {
            for loop in started { loop.stop() }
            close(fd)
            throw error
        }
        let listener = Listener(fd: fd, server: self, loop: started[0])
        state.withLock { state in
            state.loops = started
            state.listener = listener
            state.boundPort = Socket.localPort(fd)
        }
        started[0].execute { listener.start() }
    }

    /// The port actually bound (useful with port 0).
    package var port: Int { state.withLock { $0.boundPort } }

    package var openConnections: Int { state.withLock { $0.connectionCount } }

    var isDraining: Bool { state.withLock { $0.draining } }

    /// False once shutdown has closed the listening socket.
    var isAccepting: Bool { state.withLock { $0.listener != nil } }

    /// Stops accepting, lets requests in flight finish for up to `timeout` seconds, then closes every
    /// connection and stops the event loops. Blocks until done, so it must not be called from an
    /// event loop's thread (a handler that never blocks): the loops do the draining.
    package func shutdown(timeout: Double = 10) {
        let (loops, listener): ([EventLoop], Listener?) = state.withLock { state in
            if state.stopped { return ([], nil) }
            state.draining = true
            state.stopped = true
            defer { state.listener = nil }
            return (state.loops, state.listener)
        }
        guard let first = loops.first else { return }
        if let listener { first.execute { listener.close() } }
        for loop in loops { loop.execute { for case let c as HTTPConnection in loop.memberList { c.drain() } } }
        let deadline = DispatchTime.now() + timeout
        while openConnections > 0, DispatchTime.now() < deadline {
            usleep(5_000)
        }
        let left = openConnections
        if left > 0 {
            logger.warning("Shutdown timed out; closing connections", metadata: ["connections": "\(left)"])
            for loop in loops { loop.execute { for case let c as HTTPConnection in loop.memberList { c.forceClose() } } }
        }
        for loop in loops { loop.stop() }
    }

    /// From the listener, on the first loop: a new connection, unless at the cap or shutting down.
    fileprivate func admit(_ fd: Int32, peer: String) {
        let limit = configuration.limits.maxConnections
        let assigned: (loop: EventLoop, id: Int)? = state.withLock { state in
            guard !state.draining, state.connectionCount < limit else { return nil }
            state.connectionCount += 1
            state.connectionSerial += 1
            return (state.loops[state.connectionSerial % state.loops.count], state.connectionSerial)
        }
        guard let (loop, id) = assigned else {
            // Past the cap (or shutting down): a short 503 and close, without a connection object.
            let answer = HTTPResponseWriter.serialize(.text(503, "too many connections"), head: false, close: true)
            _ = answer.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            close(fd)
            logger.warning("Connection refused: at the connection cap", metadata: ["peer": "\(peer)"])
            return
        }
        Socket.setNoDelay(fd)
        let connection = HTTPConnection(id: id, fd: fd, peer: peer, server: self, loop: loop)
        if loop.inLoop { connection.start() } else { loop.execute { connection.start() } }
    }

    func connectionClosed() {
        state.withLock { $0.connectionCount -= 1 }
    }
}

/// The listening socket, watched by the first event loop.
///
/// `@unchecked Sendable`: the server keeps a reference (in its mutex) only to post `start` and
/// `close` to the loop; every use of its state is on that loop's thread.
private final class Listener: EventLoopMember, @unchecked Sendable {
    private let fd: Int32
    private unowned let server: HTTPServer
    private let loop: EventLoop
    private var token: UInt64 = 0
    private var watching: UInt32 = 0
    /// Set when accept failed for want of descriptors: accepting resumes at the next tick.
    private var paused = false
    private var closed = false

    init(fd: Int32, server: HTTPServer, loop: EventLoop) {
        self.fd = fd
        self.server = server
        self.loop = loop
    }

    func start() {
        guard !closed else { return }
        token = loop.add(self)
        watch(EPOLLIN.rawValue)
    }

    private func watch(_ events: UInt32) {
        if loop.watch(fd, token: token, from: watching, to: events) { watching = events }
    }

    func close() {
        guard !closed else { return }
        closed = true
        loop.remove(token)
        Glibc.close(fd)
    }

    func ready(_ events: UInt32) {
        while !closed {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept4(fd, $0, &length, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
                }
            }
            if client < 0 {
                switch errno {
                case EAGAIN, EWOULDBLOCK: return
                case EINTR, ECONNABORTED: continue
                default:
                    // EMFILE and friends: the socket stays readable, so stop watching it until the
                    // next tick rather than spin.
                    server.logger.error("Accept failed", metadata: ["error": "\(SocketError.failed("accept"))"])
                    paused = true
                    watch(0)
                    return
                }
            }
            server.admit(client, peer: Socket.describe(storage))
        }
    }

    func tick(now: UInt64) {
        guard paused, !closed else { return }
        paused = false
        watch(EPOLLIN.rawValue)
    }
}

