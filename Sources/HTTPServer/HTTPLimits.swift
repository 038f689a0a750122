/// The limits of the README's "Security" section, and the timeouts that close slow or silent clients.
public struct HTTPLimits: Sendable, Equatable {
    /// Request line plus header fields, in bytes (431 past it).
    public var maxHeadBytes = 16 * 1024
    /// Header fields per request (431 past it).
    public var maxHeaderCount = 100
    /// Body bytes after decoding (413 past it).
    public var maxBodyBytes = 1024 * 1024
    /// Open connections; past it a new one is answered 503 and closed.
    public var maxConnections = 1024
    /// From a request's first byte until its head is complete.
    public var headTimeout: Double = 10
    /// From the end of the head until the body is complete.
    public var bodyTimeout: Double = 30
    /// How long a kept-alive connection may wait for its next request.
    public var idleTimeout: Double = 60
    /// How long a response may take to drain to a client that does not read.
    public var writeTimeout: Double = 30

    public init() {}
}
