import Dispatch
import Foundation
import HTTPServer
import Logging

/// The running daemon: the HTTP server and what it serves, started and stopped in order.
public final class Daemon: @unchecked Sendable {
    public struct Options: Sendable {
        public var listen: ListenAddress
        public var limits: HTTPLimits
        public var shutdownTimeout: Double
        public var inheritedSocket: Int32?

        public init(listen: ListenAddress, limits: HTTPLimits = HTTPLimits(), shutdownTimeout: Double = 10, inheritedSocket: Int32? = nil) {
            self.listen = listen
            self.limits = limits
            self.shutdownTimeout = shutdownTimeout
            self.inheritedSocket = inheritedSocket
        }
    }

    public let options: Options
    let logger: Logger
    private var server: HTTPServer?
    private let stopped = DispatchSemaphore(value: 0)
    private let stopOnce = NSLock()
    private var stopping = false

    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    func makeRouter() -> HTTPRouter {
        var router = HTTPRouter()
        router.add("GET", "/healthz") { _ in .text(200, "ok") }
        return router
    }

    /// Starts listening. Returns once the socket accepts connections.
    public func start() throws {
        let router = makeRouter()
        let server = HTTPServer(
            configuration: .init(address: options.listen, limits: options.limits, inheritedSocket: options.inheritedSocket),
            logger: logger
        ) { request in
            router.handle(request)
        }
        try server.start()
        self.server = server
        logger.info("Listening", metadata: ["address": "\(options.listen.host)", "port": "\(server.port)"])
    }

    public var port: Int { server?.port ?? 0 }

    /// Stops accepting, lets requests in flight finish (bounded), and releases `wait()`.
    public func stop() {
        let first = stopOnce.withLock { () -> Bool in
            defer { stopping = true }
            return !stopping
        }
        guard first else { return }
        logger.info("Stopping", metadata: ["timeout": "\(options.shutdownTimeout)"])
        server?.shutdown(timeout: options.shutdownTimeout)
        logger.info("Stopped")
        stopped.signal()
    }

    /// Blocks until `stop()` has finished.
    public func wait() {
        stopped.wait()
    }
}
