import Dispatch
import Foundation
import Logging
import TestSupport
import Testing
@testable import HTTPServer

/// The event loops themselves: handlers run on them (as the daemon's do), several loops share the
/// connections, each turn is bracketed by the turn hooks, and a client that reads slowly gets all
/// of a large answer through the loop's wait for writability.
@Suite(.serialized)
struct EventLoopTests {
    /// Turn hooks' counts, and the depth seen from inside handlers.
    final class Turns: @unchecked Sendable {
        let started = Locked(0)
        let ended = Locked(0)
        let depthInHandler = Locked<Set<Int>>([])
    }

    static func server(loops: Int, turns: Turns? = nil, _ handler: @escaping HTTPHandler) throws -> HTTPServer {
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.handlersMayBlock = false
        configuration.eventLoops = loops
        if let turns {
            configuration.turnStarted = { turns.started.withLock { $0 += 1 } }
            configuration.turnEnded = { turns.ended.withLock { $0 += 1 } }
        }
        let server = HTTPServer(configuration: configuration, logger: Logger(label: "test"), handler: handler)
        try server.start()
        return server
    }

    @Test(arguments: [1, 2])
    func handlersOnTheLoopServeManyConnections(loops: Int) throws {
        let server = try Self.server(loops: loops) { request in
            HTTPResponse(status: 200, contentType: "text/plain", body: request.body)
        }
        defer { server.shutdown(timeout: 2) }
        let port = server.port
        let ok = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 32) { i in
            guard let client = try? TestClient(port: port) else { return }
            // Five requests in one write, then five one at a time: answers in order either way.
            let bodies = (0..<10).map { String(format: "%02d:%02d", i, $0) }
            client.send(bodies[0..<5].map { "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n\($0)" }.joined())
            for body in bodies[0..<5] where client.readResponse()?.body == body { ok.withLock { $0 += 1 } }
            for body in bodies[5...] {
                client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n\(body)")
                if client.readResponse()?.body == body { ok.withLock { $0 += 1 } }
            }
        }
        #expect(ok.current == 320)
        #expect(server.openConnections <= 32)
    }

    /// Answers given at once to thousands of pipelined requests: no recursion per request (this many
    /// overflowed the loop's stack once), every answer in order, and the server still serves others.
    @Test func twentyThousandPipelinedRequestsAnsweredAtOnce() throws {
        let server = try Self.server(loops: 1) { request in .text(200, request.path) }
        defer { server.shutdown(timeout: 2) }
        // Read on another thread while this one writes: the answers would otherwise fill the buffers.
        nonisolated(unsafe) let client = try TestClient(port: server.port, timeout: 20)
        let count = 20_000
        let reader = DispatchQueue(label: "reader")
        let answers = Locked<[String]>([])
        let done = DispatchSemaphore(value: 0)
        reader.async {
            var seen: [String] = []
            while seen.count < count, let response = client.readResponse() { seen.append(response.body) }
            answers.withLock { $0 = seen }
            done.signal()
        }
        client.send((0..<count).map { "GET /\($0) HTTP/1.1\r\nHost: x\r\n\r\n" }.joined())
        #expect(done.wait(timeout: .now() + 30) == .success)
        let received = answers.current
        #expect(received.count == count)
        #expect(received.enumerated().allSatisfy { $0.element == "/\($0.offset)\n" })
        let other = try TestClient(port: server.port)
        other.send("GET /other HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(other.readResponse()?.status == 200)
    }

    /// A chunked body dripped in small writes (decoded again only as it grows or when its end may have
    /// come) arrives whole, trailers and all, and the request after it in the same stream too.
    @Test func aChunkedBodyInSmallPiecesArrivesWhole() throws {
        let server = try Self.server(loops: 1) { request in
            HTTPResponse(status: 200, contentType: "text/plain", body: request.body)
        }
        defer { server.shutdown(timeout: 2) }
        let client = try TestClient(port: server.port, timeout: 10)
        let pieces = (0..<400).map { String(format: "%03d", $0) + String(repeating: "x", count: $0 % 50) }
        var stream = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        for piece in pieces { stream += String(piece.utf8.count, radix: 16) + "\r\n" + piece + "\r\n" }
        stream += "0\r\nX-Trailer: done\r\n\r\n"
        stream += "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nnext"
        let bytes = Array(stream.utf8)
        for start in stride(from: 0, to: bytes.count, by: 7) {
            client.send(Array(bytes[start..<min(start + 7, bytes.count)]))
        }
        #expect(client.readResponse()?.body == pieces.joined())
        #expect(client.readResponse()?.body == "next")
        // Ending exactly on the chunked message's last byte works as well.
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
        Thread.sleep(forTimeInterval: 0.05)
        client.send("0\r\n")
        Thread.sleep(forTimeInterval: 0.05)
        client.send("\r\n")
        #expect(client.readResponse()?.body == "abc")
    }

    /// Streams of pipelined requests (Content-Length and chunked bodies, trailers) cut into random
    /// pieces, some sent after a pause: every body comes back, in order, whatever the cuts.
    @Test(arguments: 1...8)
    func randomlyCutStreamsOfRequests(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let server = try Self.server(loops: 1) { request in
            HTTPResponse(status: 200, contentType: "text/plain", body: request.body)
        }
        defer { server.shutdown(timeout: 2) }
        let client = try TestClient(port: server.port, timeout: 10)
        var expected: [String] = []
        var stream: [UInt8] = []
        for i in 0..<12 {
            let body = String(repeating: "\(i % 10)", count: Int(random.next() % 3000))
            expected.append(body)
            if random.next() % 2 == 0 {
                stream += Array("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
            } else {
                var text = "POST /e HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                var rest = Substring(body)
                while !rest.isEmpty {
                    let size = min(rest.count, 1 + Int(random.next() % 200))
                    text += String(size, radix: 16) + "\r\n" + rest.prefix(size) + "\r\n"
                    rest = rest.dropFirst(size)
                }
                text += random.next() % 2 == 0 ? "0\r\n\r\n" : "0\r\nX-T: \(i)\r\n\r\n"
                stream += Array(text.utf8)
            }
        }
        let reader = DispatchQueue(label: "reader")
        let answers = Locked<[String]>([])
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) let reading = client
        let count = expected.count
        reader.async {
            var seen: [String] = []
            while seen.count < count, let response = reading.readResponse() { seen.append(response.body) }
            answers.withLock { $0 = seen }
            done.signal()
        }
        var start = 0
        while start < stream.count {
            let end = min(stream.count, start + 1 + Int(random.next() % 300))
            client.send(Array(stream[start..<end]))
            if random.next() % 8 == 0 { Thread.sleep(forTimeInterval: 0.002) }
            start = end
        }
        #expect(done.wait(timeout: .now() + 20) == .success)
        #expect(answers.current == expected)
    }

    @Test func everyHandlerRunsInsideOneTurn() throws {
        let turns = Turns()
        let server = try Self.server(loops: 1, turns: turns) { _ in
            let depth = turns.started.current - turns.ended.current
            turns.depthInHandler.withLock { _ = $0.insert(depth) }
            return .text(200, "ok")
        }
        let client = try TestClient(port: server.port)
        for _ in 0..<50 {
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(client.readResponse()?.status == 200)
        }
        server.shutdown(timeout: 2)
        #expect(turns.depthInHandler.current == [1], "a handler runs between its turn's start and end hooks")
        #expect(turns.started.current == turns.ended.current)
        #expect(turns.started.current >= 50)
    }

    /// A client that never reads its answer is closed once the write timeout passes.
    @Test func aClientThatNeverReadsIsClosedAtTheWriteTimeout() throws {
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.handlersMayBlock = false
        configuration.limits.writeTimeout = 0.5
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 16 << 20)
        let server = HTTPServer(configuration: configuration, logger: Logger(label: "test")) { _ in
            HTTPResponse(status: 200, contentType: "application/octet-stream", body: body)
        }
        try server.start()
        defer { server.shutdown(timeout: 2) }
        let client = try TestClient(port: server.port, timeout: 10)
        client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        let started = Date()
        while server.openConnections == 0, Date().timeIntervalSince(started) < 5 { Thread.sleep(forTimeInterval: 0.01) }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(server.openConnections == 1, "still open before the timeout")
        while server.openConnections > 0, Date().timeIntervalSince(started) < 10 { Thread.sleep(forTimeInterval: 0.02) }
        #expect(server.openConnections == 0)
        #expect(Date().timeIntervalSince(started) >= 0.5)
    }

    @Test func aSlowReaderGetsAllOfALargeAnswer() throws {
        let body = (0..<(1 << 18)).map { String(format: "%015x\n", $0) }.joined()
        let server = try Self.server(loops: 1) { _ in
            HTTPResponse(status: 200, contentType: "text/plain", body: Array(body.utf8))
        }
        defer { server.shutdown(timeout: 2) }
        let client = try TestClient(port: server.port, timeout: 10)
        client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        // The socket's buffers fill long before 4 MiB: the loop must wait for writability.
        Thread.sleep(forTimeInterval: 0.2)
        let response = client.readResponse()
        #expect(response?.status == 200)
        #expect(response?.body == body)
        // The connection is still usable afterwards.
        client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(client.readResponse()?.body == body)
    }
}
