import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One client connection. All of its state lives on its own serial queue; reads and writes are
/// driven by Dispatch sources on a non-blocking socket.
final class HTTPConnection: @unchecked Sendable {
    private enum Phase { case idle, reading, processing, writing, closed }

    let id: Int
    private let fd: Int32
    private let peer: String
    private unowned let server: HTTPServer
    private let queue: DispatchQueue
    private var readSource: (any DispatchSourceRead)?
    private var writeSource: (any DispatchSourceWrite)?
    /// When this connection times out (`DispatchTime` nanoseconds; `.max` while a handler runs).
    /// Written on the connection's queue, read by the server's sweep, which then hops onto the queue.
    let deadline = Atomic<UInt64>(.max)
    private var openSources = 0

    private var phase = Phase.idle
    private var buffer: [UInt8] = []
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var closeAfterWrite = false
    private var readSuspended = false
    private var peerClosedReading = false
    private var draining = false
    private var headSeen = false
    private var requestCount = 0

    private static let readChunk = 64 * 1024

    init(id: Int, fd: Int32, peer: String, server: HTTPServer) {
        self.id = id
        self.fd = fd
        self.peer = peer
        self.server = server
        self.queue = DispatchQueue(label: "switchboard.http.connection", target: server.configuration.connectionTarget)
    }

    func start() {
        queue.async { [self] in
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
            source.setEventHandler { [unowned self] in self.readAvailable() }
            source.setCancelHandler { [self] in self.sourceCancelled() }
            readSource = source
            openSources += 1
            arm(after: server.configuration.limits.idleTimeout)
            source.resume()
        }
    }

    /// Shutdown: an idle connection closes now; a busy one closes after its current response.
    func drain() {
        queue.async { [self] in
            draining = true
            if phase == .idle { close() }
        }
    }

    func forceClose() {
        queue.async { [self] in close() }
    }

    // MARK: Reading

    private func readAvailable() {
        guard phase != .closed else { return }
        var total = 0
        var failed = false
        withUnsafeTemporaryAllocation(byteCount: Self.readChunk, alignment: 1) { scratch in
            while true {
                let n = recv(fd, scratch.baseAddress, scratch.count, 0)
                if n > 0 {
                    buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
                    total += n
                    if n < scratch.count { return }
                    continue
                }
                if n == 0 {
                    peerClosedReading = true
                    stopReading()
                    return
                }
                if errno == EINTR { continue }
                if errno != EAGAIN && errno != EWOULDBLOCK { failed = true }
                return
            }
        }
        if failed { close(); return }
        if total > 0, phase == .idle {
            phase = .reading
            arm(after: server.configuration.limits.headTimeout)
        }
        process()
    }

    private func stopReading() {
        guard let source = readSource else { return }
        if readSuspended { source.resume(); readSuspended = false }
        source.cancel()
        readSource = nil
    }

    /// Parses and answers whatever complete requests the buffer holds, one at a time, in order.
    private func process() {
        while phase == .reading || phase == .idle {
            if buffer.isEmpty {
                if peerClosedReading || draining { close(); return }
                return
            }
            switch server.decoder.decode(buffer) {
            case .incomplete(let head):
                if peerClosedReading { close(); return }
                if let head, !headSeen {
                    // The head is complete: the body now has its own deadline.
                    headSeen = true
                    arm(after: server.configuration.limits.bodyTimeout)
                    if head.expectsContinue { send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), then: nil) }
                }
                applyBackpressure()
                return
            case .failure(let status, let reason):
                server.logger.debug("Bad request", metadata: ["peer": "\(peer)", "status": "\(status)", "reason": "\(reason)"])
                buffer.removeAll()
                closeAfterWrite = true
                stopReading()
                respond(.text(status, reason), head: false)
                return
            case .request(var request, let consumed):
                buffer.removeFirst(consumed)
                headSeen = false
                requestCount += 1
                request.peer = peer
                request.id = "\(id)-\(requestCount)"
                let keepAlive = request.keepAlive && !draining
                let head = request.method == "HEAD"
                phase = .processing
                deadline.store(.max, ordering: .relaxed)
                let call = HandlerCall()
                let responder = HTTPResponder { [self] make in
                    switch call.answerInline(make) {
                    case true?, nil: return
                    case false?: queue.async { self.deliver(make(), head: head, keepAlive: keepAlive) }
                    }
                }
                server.handler(request, responder)
                if let make = call.handlerReturned() { deliver(make(), head: head, keepAlive: keepAlive) }
                return
            }
        }
    }

    private func applyBackpressure() {
        let cap = server.configuration.limits.maxHeadBytes + server.configuration.limits.maxBodyBytes + 64 * 1024
        if buffer.count > cap, !readSuspended, let source = readSource {
            source.suspend()
            readSuspended = true
        }
    }

    // MARK: Writing

    /// The handler's answer, on the connection's queue.
    private func deliver(_ response: HTTPResponse, head: Bool, keepAlive: Bool) {
        guard phase == .processing else { return }
        // A shutdown may have begun while the handler ran: say so on this answer.
        closeAfterWrite = !keepAlive || draining || server.isDraining
        respond(response, head: head)
    }

    private func respond(_ response: HTTPResponse, head: Bool) {
        let bytes = HTTPResponseWriter.serialize(response, head: head, close: closeAfterWrite)
        phase = .writing
        send(bytes) { [unowned self] in self.responseSent() }
    }

    private func responseSent() {
        if closeAfterWrite { close(); return }
        phase = buffer.isEmpty ? .idle : .reading
        if readSuspended, let source = readSource { source.resume(); readSuspended = false }
        arm(after: phase == .idle ? server.configuration.limits.idleTimeout : server.configuration.limits.headTimeout)
        process()
    }

    private var afterWrite: (() -> Void)?

    /// Writes `bytes`, waiting for writability when the socket's buffer is full, then calls `then`.
    private func send(_ bytes: [UInt8], then: (() -> Void)?) {
        if pendingOffset > 0 { pending.removeFirst(pendingOffset) }
        pending += bytes
        pendingOffset = 0
        afterWrite = then
        flush()
    }

    private func flush() {
        while pendingOffset < pending.count {
            let n = pending.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + pendingOffset, raw.count - pendingOffset, Int32(MSG_NOSIGNAL))
            }
            if n > 0 { pendingOffset += n; continue }
            if n < 0, errno == EINTR { continue }
            if n < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                waitForWritable()
                return
            }
            close()
            return
        }
        pending.removeAll(keepingCapacity: true)
        pendingOffset = 0
        if let source = writeSource {
            source.cancel()
            writeSource = nil
        }
        let next = afterWrite
        afterWrite = nil
        next?()
    }

    private func waitForWritable() {
        guard writeSource == nil else { return }
        arm(after: server.configuration.limits.writeTimeout)
        let source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [unowned self] in self.flush() }
        source.setCancelHandler { [self] in self.sourceCancelled() }
        openSources += 1
        writeSource = source
        source.resume()
    }

    // MARK: Timeouts and closing

    private func arm(after seconds: Double) {
        deadline.store(DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9), ordering: .relaxed)
    }

    /// Called by the server's sweep once `deadline` has passed; checked again here, on the queue.
    func checkTimeout(now: UInt64) {
        queue.async { [self] in
            guard phase != .closed, deadline.load(ordering: .relaxed) <= now else { return }
            timedOut()
        }
    }

    private func timedOut() {
        switch phase {
        case .reading where pending.isEmpty:
            // A slow or stalled request: tell the client, then close.
            server.logger.debug("Request timed out", metadata: ["peer": "\(peer)"])
            closeAfterWrite = true
            stopReading()
            respond(.text(408, "request timed out"), head: false)
            arm(after: 1)
        case .processing:
            return
        default:
            close()
        }
    }

    private func close() {
        guard phase != .closed else { return }
        phase = .closed
        deadline.store(.max, ordering: .relaxed)
        stopReading()
        if let source = writeSource {
            source.cancel()
            writeSource = nil
        }
        if openSources == 0 { finish() }
    }

    private func sourceCancelled() {
        openSources -= 1
        if phase == .closed, openSources == 0 { finish() }
    }

    /// The fd is closed only after every source watching it has been cancelled (Dispatch's rule).
    private func finish() {
        Glibc.close(fd)
        server.connectionClosed(id)
    }
}
