import Dispatch
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Answers one request. Runs on the connection's own serial queue, never on the accept queue, so a
/// slow handler holds up only its own connection. (`HTTPAsyncHandler` answers later instead.)
public typealias HTTPHandler = @Sendable (HTTPRequest) -> HTTPResponse

/// An HTTP/1.1 server on non-blocking BSD sockets driven by Dispatch sources: no thread per
/// connection, no SwiftNIO.
public final class HTTPServer: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var address: ListenAddress
        public var limits: HTTPLimits
        public var backlog: Int32
        /// A socket already listening (systemd socket activation); `address` is then ignored.
        public var inheritedSocket: Int32?
        /// Where each connection's serial queue runs. nil: Dispatch's overcommitting pool, a thread
        /// for every busy connection, so handlers may block. A shared concurrent queue such as
        /// `.global()` keeps to a thread per core, for handlers that never block (answering later
        /// through an `HTTPResponder` instead): far fewer threads and context switches under load.
        public var connectionTarget: DispatchQueue?

        public init(host: String = "127.0.0.1", port: Int = 0, limits: HTTPLimits = HTTPLimits(),
                    backlog: Int32 = 511, inheritedSocket: Int32? = nil) {
            self.init(address: ListenAddress(host: host, port: port), limits: limits, backlog: backlog, inheritedSocket: inheritedSocket)
        }

        public init(address: ListenAddress, limits: HTTPLimits = HTTPLimits(), backlog: Int32 = 511, inheritedSocket: Int32? = nil) {
            self.address = address
            self.limits = limits
            self.backlog = backlog
            self.inheritedSocket = inheritedSocket
        }
    }

    public let configuration: Configuration
    let handler: HTTPAsyncHandler
    let logger: Logger
    let decoder: HTTPDecoder
    private let acceptQueue = DispatchQueue(label: "switchboard.http.accept")
    private let lock = Mutex()
    private var listenSource: (any DispatchSourceRead)?
    private var sweepTimer: (any DispatchSourceTimer)?
    private var listenFD: Int32 = -1
    private var connections: [Int: HTTPConnection] = [:]
    private var nextConnectionID = 0
    private var draining = false
    private var boundPort = 0

    public convenience init(configuration: Configuration, logger: Logger, handler: @escaping HTTPHandler) {
        self.init(configuration: configuration, logger: logger, asyncHandler: { request, responder in
            responder.respond(handler(request))
        })
    }

    public init(configuration: Configuration, logger: Logger, asyncHandler: @escaping HTTPAsyncHandler) {
        self.configuration = configuration
        self.logger = logger
        self.handler = asyncHandler
        self.decoder = HTTPDecoder(limits: configuration.limits)
    }

    /// Binds (or adopts the inherited socket) and starts accepting. Returns once listening.
    public func start() throws {
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
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: acceptQueue)
        source.setEventHandler { [weak self] in self?.acceptAll() }
        source.setCancelHandler { close(fd) }
        // One sweep for every connection's deadline: rescheduling a Dispatch timer per request
        // costs a trip through Dispatch's manager thread each time.
        let limits = configuration.limits
        let shortest = min(limits.headTimeout, limits.bodyTimeout, limits.idleTimeout, limits.writeTimeout)
        let interval = max(0.02, min(1.0, shortest / 4))
        let sweep = DispatchSource.makeTimerSource(queue: acceptQueue)
        sweep.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(Int(interval * 250)))
        sweep.setEventHandler { [weak self] in self?.sweepDeadlines() }
        lock.withLock {
            listenFD = fd
            listenSource = source
            sweepTimer = sweep
            boundPort = Socket.localPort(fd)
        }
        source.resume()
        sweep.resume()
    }

    private func sweepDeadlines() {
        let now = DispatchTime.now().uptimeNanoseconds
        let open = lock.withLock { Array(connections.values) }
        for connection in open where connection.deadline.load(ordering: .relaxed) <= now {
            connection.checkTimeout(now: now)
        }
    }

    /// The port actually bound (useful with port 0).
    public var port: Int { lock.withLock { boundPort } }

    public var openConnections: Int { lock.withLock { connections.count } }

    var isDraining: Bool { lock.withLock { draining } }

    /// False once shutdown has closed the listening socket.
    var isAccepting: Bool { lock.withLock { listenSource != nil } }

    /// Stops accepting, lets requests in flight finish for up to `timeout` seconds, then closes every
    /// connection. Blocks until done.
    public func shutdown(timeout: Double = 10) {
        let open: [HTTPConnection] = lock.withLock {
            draining = true
            listenSource?.cancel()
            listenSource = nil
            return Array(connections.values)
        }
        for connection in open { connection.drain() }
        let deadline = DispatchTime.now() + timeout
        while openConnections > 0, DispatchTime.now() < deadline {
            usleep(5_000)
        }
        let left: [HTTPConnection] = lock.withLock { Array(connections.values) }
        if !left.isEmpty {
            logger.warning("Shutdown timed out; closing connections", metadata: ["connections": "\(left.count)"])
            for connection in left { connection.forceClose() }
            let hard = DispatchTime.now() + 1
            while openConnections > 0, DispatchTime.now() < hard { usleep(5_000) }
        }
        lock.withLock {
            sweepTimer?.cancel()
            sweepTimer = nil
        }
    }

    private func acceptAll() {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listenFDValue, $0, &length) }
            }
            if fd < 0 {
                switch errno {
                case EAGAIN, EWOULDBLOCK: return
                case EINTR, ECONNABORTED: continue
                default:
                    // EMFILE and friends: log and wait for the next readiness event rather than spin.
                    logger.error("Accept failed", metadata: ["error": "\(SocketError.failed("accept"))"])
                    return
                }
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            guard (try? Socket.setNonBlocking(fd)) != nil else { close(fd); continue }
            admit(fd, peer: Socket.describe(storage))
        }
    }

    private var listenFDValue: Int32 { lock.withLock { listenFD } }

    private func admit(_ fd: Int32, peer: String) {
        let connection: HTTPConnection? = lock.withLock {
            guard !draining, connections.count < configuration.limits.maxConnections else { return nil }
            nextConnectionID += 1
            let c = HTTPConnection(id: nextConnectionID, fd: fd, peer: peer, server: self)
            connections[nextConnectionID] = c
            return c
        }
        guard let connection else {
            // Past the cap (or shutting down): a short 503 and close, without a connection object.
            let answer = HTTPResponseWriter.serialize(.text(503, "too many connections"), head: false, close: true)
            _ = answer.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            close(fd)
            logger.warning("Connection refused: at the connection cap", metadata: ["peer": "\(peer)"])
            return
        }
        Socket.setNoDelay(fd)
        connection.start()
    }

    func connectionClosed(_ id: Int) {
        lock.withLock { _ = connections.removeValue(forKey: id) }
    }
}

/// A pthread mutex: cheap, and usable from any thread.
final class Mutex: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}
