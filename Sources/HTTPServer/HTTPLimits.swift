/// The limits of the README's "Security" section, and the timeouts that close slow or silent clients.
package struct HTTPLimits: Sendable, Equatable {
    /// Request line plus header fields, in bytes (431 past it).
    package var maxHeadBytes = 16 * 1024
    /// Header fields per request (431 past it).
    package var maxHeaderCount = 100
    /// Body bytes after decoding (413 past it).
    package var maxBodyBytes = 1024 * 1024
    /// Open connections; past it a new one is answered 503 and closed.
    package var maxConnections = 1024
    /// From a request's first byte until its head is complete.
    package var headTimeout: Double = 10
    /// From the end of the head until the body is complete.
    package var bodyTimeout: Double = 30
    /// How long a kept-alive connection may wait for its next request.
    package var idleTimeout: Double = 60
    /// How long a response may take to drain to a client that does not read.
    package var writeTimeout: Double = 30

    package init() {}
}
