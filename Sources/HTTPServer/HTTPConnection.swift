import Dispatch
import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// One client connection, owned by one `EventLoop`: all of its state is touched on that loop's
/// thread only (hence `@unchecked Sendable`: answers from other threads are posted to the loop, never
/// applied here). The socket is non-blocking; the loop reports readiness.
final class HTTPConnection: EventLoopMember, @unchecked Sendable {
    private enum Phase { case idle, reading, processing, writing, closed }

    private let id: Int
    private let fd: Int32
    private let peer: String
    /// Held strongly: a connection keeps its server while it is open (an unowned reference cost a
    /// checked retain and release at every use).
    private let server: HTTPServer
    private let limits: HTTPLimits
    private let loop: EventLoop
    private var token: UInt64 = 0
    /// The events the loop watches the socket for now (0: not watched).
    private var watching: UInt32 = 0
    /// When this connection times out (the loop's clock; `.max` while a handler runs).
    private var deadline = UInt64.max
    /// Handlers that may block run here, one request at a time, never on the loop.
    private var handlerQueue: DispatchQueue?

    private var phase = Phase.idle
    /// Bytes read and not yet parsed: `buffer[parsed...]`. Parsed requests are not cut off the front one
    /// by one (that moved the whole rest each time: quadratic in pipelined requests); the front is
    /// dropped once it is most of the buffer.
    private var buffer: [UInt8] = []
    private var parsed = 0
    private var unread: Int { buffer.count - parsed }
    /// An incomplete chunked body is decoded again (from its start: the decoder keeps no state) only once
    /// `unread` reaches this, or a CRLFCRLF (which ends every chunked message) has arrived, or at the next
    /// tick if anything arrived since (so a body refused on its declared sizes is still answered within
    /// a tick): a body dripped in small pieces then costs linear, not quadratic, time. 0: every read.
    private var chunkedRetryAt = 0
    private var chunkedEndSeen = false
    private var chunkedDecodedAt = 0
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var closeAfterWrite = false
    private var readPaused = false
    private var readStopped = false
    private var draining = false
    /// The head of the request at `parsed` once complete, while its body arrives: not parsed again.
    private var pendingHead: HTTPDecoder.Head?
    private var requestCount = 0
    /// Set while a response is being written: once it is all sent, `responseSent()`.
    private var responseInFlight = false

    init(id: Int, fd: Int32, peer: String, server: HTTPServer, loop: EventLoop) {
        self.id = id
        self.fd = fd
        self.peer = peer
        self.server = server
        self.limits = server.configuration.limits
        self.loop = loop
    }

    /// On the loop's thread.
    func start() {
        token = loop.add(self)
        arm(after: limits.idleTimeout)
        updateWatch()
        // Accepted just before a shutdown whose drain ran on this loop first: drain now.
        if server.isDraining { drain() }
    }

    /// Shutdown: an idle connection closes now; a busy one closes after its current response.
    func drain() {
        draining = true
        if phase == .idle { close() }
    }

    func forceClose() {
        close()
    }

    func ready(_ events: UInt32) {
        if events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0, wantsRead {
            readAvailable()
        }
        if events & (EPOLLOUT.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0, phase != .closed, pendingOffset < pending.count {
            flush()
        }
    }

    private var wantsRead: Bool { phase != .closed && !readStopped && !readPaused }

    /// Tells the loop what to watch for: reading unless stopped or paused, writing while output waits.
    private func updateWatch() {
        guard phase != .closed else { return }
        var events: UInt32 = 0
        if wantsRead { events |= EPOLLIN.rawValue }
        if pendingOffset < pending.count { events |= EPOLLOUT.rawValue }
        if loop.watch(fd, token: token, from: watching, to: events) {
            watching = events
        } else {
            close()
        }
    }

    // MARK: Reading

    private func readAvailable() {
        var total = 0
        var failed = false
        let before = buffer.count
        let scratch = loop.readScratch
        while true {
            let n = recv(fd, scratch.baseAddress, scratch.count, 0)
            if n > 0 {
                buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
                total += n
                if n < scratch.count { break }
                continue
            }
            if n == 0 {
                stopReading()
                break
            }
            if errno == EINTR { continue }
            if errno != EAGAIN && errno != EWOULDBLOCK { failed = true }
            break
        }
        if failed { close(); return }
        if chunkedRetryAt > 0, !chunkedEndSeen, total > 0 {
            chunkedEndSeen = containsEndOfHead(from: max(parsed, before - 3))
        }
        if total > 0, phase == .idle {
            phase = .reading
            arm(after: limits.headTimeout)
        }
        process()
    }

    /// The peer closed its side (or the request was refused): read no more.
    private func stopReading() {
        guard !readStopped else { return }
        readStopped = true
        updateWatch()
    }

    /// Parses and answers whatever complete requests the buffer holds, one at a time, in order.
    ///
    /// An answer given at once ends in `responseSent`, which asks for the next request: that must not
    /// recurse (a client pipelining ten thousand requests would overflow the loop's stack), so a call
    /// made while one is running only asks the running one to go on. And after `requestsPerTurn`
    /// requests the rest wait for a task of their own, so one connection cannot hold the loop.
    private func process() {
        if processing {
            processAgain = true
            return
        }
        processing = true
        defer { processing = false }
        var served = 0
        repeat {
            processAgain = false
            if served == Self.requestsPerTurn {
                loop.execute { [self] in process() }
                return
            }
            served += 1
            processNext()
        } while processAgain && phase != .closed
    }

    private var processing = false
    private var processAgain = false
    private static let requestsPerTurn = 64

    /// Parses the buffer up to the next complete request and hands it to the handler.
    private func processNext() {
        while phase == .reading || phase == .idle {
            if unread == 0 {
                if readStopped || draining { close() }
                return
            }
            let limits = limits
            if chunkedRetryAt > 0, unread < chunkedRetryAt, !chunkedEndSeen, !readStopped,
               unread <= limits.maxHeadBytes + limits.maxBodyBytes {
                return
            }
            let decoded = buffer.withUnsafeBufferPointer {
                server.decoder.decode(UnsafeBufferPointer(rebasing: $0[parsed...]), resuming: pendingHead)
            }
            chunkedRetryAt = 0
            chunkedEndSeen = false
            switch decoded {
            case .incomplete(let head):
                if head?.framing == .chunked {
                    chunkedRetryAt = unread * 2
                    chunkedDecodedAt = unread
                }
                if readStopped { close(); return }
                if let head, pendingHead == nil {
                    // The head is complete: the body now has its own deadline.
                    pendingHead = head
                    arm(after: limits.bodyTimeout)
                    if head.expectsContinue { send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), response: false) }
                }
                applyBackpressure()
                return
            case .failure(let status, let reason):
                server.logger.debug("Bad request", metadata: ["peer": "\(peer)", "status": "\(status)", "reason": "\(reason)"])
                buffer.removeAll()
                parsed = 0
                pendingHead = nil
                closeAfterWrite = true
                stopReading()
                respond(.text(status, reason), head: false)
                return
            case .request(var request, let consumed):
                consume(consumed)
                pendingHead = nil
                requestCount += 1
                request.peer = peer
                request.id = "\(id)-\(requestCount)"
                phase = .processing
                deadline = .max
                call(request)
                return
            }
        }
    }

    /// Hands `request` to the server's handler: on the loop when handlers never block, else on this
    /// connection's own queue. The answer is written on the loop.
    private func call(_ request: HTTPRequest) {
        let keepAlive = request.keepAlive && !draining
        let head = request.method == "HEAD"
        let call = HandlerCall()
        let loop = self.loop
        let responder = HTTPResponder { [self] make in
            switch call.answerInline(make) {
            case true?, nil: return
            case false?: loop.execute { self.deliver(make(), head: head, keepAlive: keepAlive) }
            }
        }
        let handler = server.handler
        if server.configuration.handlersMayBlock {
            if handlerQueue == nil { handlerQueue = DispatchQueue(label: "switchboard.http.handler") }
            handlerQueue!.async { [self] in
                handler(request, responder)
                if let make = call.handlerReturned() {
                    loop.execute { self.deliver(make(), head: head, keepAlive: keepAlive) }
                }
            }
        } else {
            handler(request, responder)
            if let make = call.handlerReturned() { deliver(make(), head: head, keepAlive: keepAlive) }
        }
    }

    /// Whether `buffer[start...]` holds CRLFCRLF (the decoder's own search).
    private func containsEndOfHead(from start: Int) -> Bool {
        buffer.withUnsafeBufferPointer { HTTPDecoder.findHeadEnd($0, from: start) != nil }
    }

    /// Marks `count` more bytes as parsed.
    private func consume(_ count: Int) {
        parsed += count
        if parsed == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            parsed = 0
        } else if parsed >= 64 * 1024, parsed * 2 >= buffer.count {
            buffer.removeFirst(parsed)
            parsed = 0
        }
    }

    private func applyBackpressure() {
        let cap = limits.maxHeadBytes + limits.maxBodyBytes + 64 * 1024
        if unread > cap, !readPaused {
            readPaused = true
            updateWatch()
        }
    }

    // MARK: Writing

    /// The handler's answer, on the loop.
    private func deliver(_ response: HTTPResponse, head: Bool, keepAlive: Bool) {
        guard phase == .processing else { return }
        // A shutdown may have begun while the handler ran: say so on this answer.
        closeAfterWrite = !keepAlive || draining || server.isDraining
        respond(response, head: head)
    }

    private func respond(_ response: HTTPResponse, head: Bool) {
        let bytes = HTTPResponseWriter.serialize(response, head: head, close: closeAfterWrite)
        phase = .writing
        send(bytes, response: true)
    }

    private func responseSent() {
        if closeAfterWrite { close(); return }
        phase = unread == 0 ? .idle : .reading
        if readPaused {
            readPaused = false
            updateWatch()
        }
        arm(after: phase == .idle ? limits.idleTimeout : limits.headTimeout)
        process()
    }

    /// Writes `bytes`, waiting for writability when the socket's buffer is full; then, for a
    /// `response`, `responseSent()`.
    private func send(_ bytes: [UInt8], response: Bool) {
        if pendingOffset > 0 {
            pending.removeFirst(pendingOffset)
            pendingOffset = 0
        }
        if pending.isEmpty { pending = bytes } else { pending += bytes }
        responseInFlight = response
        flush()
    }

    private func flush() {
        let wasWaiting = watching & EPOLLOUT.rawValue != 0
        while pendingOffset < pending.count {
            let n = pending.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + pendingOffset, raw.count - pendingOffset, Int32(MSG_NOSIGNAL))
            }
            if n > 0 { pendingOffset += n; continue }
            if n < 0, errno == EINTR { continue }
            if n < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                if !wasWaiting {
                    arm(after: limits.writeTimeout)
                    updateWatch()
                }
                return
            }
            close()
            return
        }
        pending.removeAll(keepingCapacity: true)
        pendingOffset = 0
        if wasWaiting { updateWatch() }
        if responseInFlight {
            responseInFlight = false
            responseSent()
        }
    }

    // MARK: Timeouts and closing

    private func arm(after seconds: Double) {
        deadline = loop.now + UInt64(seconds * 1e9)
    }

    func tick(now: UInt64) {
        if chunkedRetryAt > 0, unread != chunkedDecodedAt, phase == .reading {
            chunkedRetryAt = 0
            process()
        }
        guard phase != .closed, deadline <= now else { return }
        switch phase {
        case .reading where pending.isEmpty:
            // A slow or stalled request: tell the client, then close.
            server.logger.debug("Request timed out", metadata: ["peer": "\(peer)"])
            closeAfterWrite = true
            stopReading()
            respond(.text(408, "request timed out"), head: false)
            if phase != .closed { arm(after: 1) }
        case .processing:
            return
        default:
            close()
        }
    }

    private func close() {
        guard phase != .closed else { return }
        phase = .closed
        deadline = .max
        responseInFlight = false
        loop.remove(token)
        // Closing the socket also takes it out of the epoll set.
        Glibc.close(fd)
        server.connectionClosed()
    }
}
