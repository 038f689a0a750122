import Dispatch
import Foundation
import Logging
import TestSupport
import Testing
@testable import HTTPServer

/// A live server on 127.0.0.1, port 0, stopped after each test.
final class LiveServer: @unchecked Sendable {
    let server: HTTPServer
    /// How many `/slow` handlers have started.
    let slowStarted: Locked<Int>

    init(limits: HTTPLimits = HTTPLimits(), host: String = "127.0.0.1", handler: HTTPHandler? = nil) throws {
        var router = HTTPRouter()
        router.add("GET", "/healthz") { _ in .text(200, "ok") }
        router.add("POST", "/echo") { request in
            HTTPResponse(status: 200, contentType: "application/octet-stream", body: request.body)
        }
        let slowStarted = Locked(0)
        self.slowStarted = slowStarted
        router.add("GET", "/slow") { request in
            slowStarted.withLock { $0 += 1 }
            let seconds = Double(request.queryItems.first { $0.0 == "s" }?.1 ?? "1") ?? 1
            Thread.sleep(forTimeInterval: seconds)
            return .text(200, "slept")
        }
        // `/until-drain` holds its request until a shutdown has begun (bounded), so a test can
        // shut down with a request surely in flight, however busy the machine.
        let box = ServerBox()
        router.add("GET", "/until-drain") { _ in
            slowStarted.withLock { $0 += 1 }
            let deadline = Date().addingTimeInterval(5)
            while box.server?.isDraining != true, Date() < deadline { Thread.sleep(forTimeInterval: 0.002) }
            Thread.sleep(forTimeInterval: 0.05)
            return .text(200, "drained")
        }
        let routed = router
        server = HTTPServer(configuration: .init(host: host, port: 0, limits: limits), logger: Logger(label: "test")) { request in
            try handler?(request) ?? routed.handle(request)
        }
        box.server = server
        try server.start()
    }

    var port: Int { server.port }

    deinit { server.shutdown(timeout: 2) }
}

@Suite(.serialized)
struct HTTPServerTests {
    @Test func answersHealthz() throws {
        let live = try LiveServer()
        let client = try TestClient(port: live.port)
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try #require(client.readResponse())
        #expect(response.status == 200)
        #expect(response.body == "ok\n")
        #expect(response.headers["date"]?.hasSuffix("GMT") == true)
        #expect(response.headers["content-type"] == "text/plain; charset=utf-8")
    }

    @Test func servesIPv6Loopback() throws {
        let live = try LiveServer(host: "::1")
        let client = try TestClient(port: live.port, host: "::1")
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(client.readResponse()?.status == 200)
    }

    @Test func keepAliveThousandRequests() throws {
        let live = try LiveServer()
        let client = try TestClient(port: live.port)
        for i in 0..<1000 {
            let body = "n=\(i)"
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            let response = try #require(client.readResponse(), "request \(i)")
            #expect(response.body == body)
        }
        #expect(live.server.openConnections == 1)
    }

    @Test func pipelinedTenInOneWrite() throws {
        let live = try LiveServer()
        let client = try TestClient(port: live.port)
        let batch = (0..<10).map { "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n\($0)\($0)" }.joined()
        client.send(batch)
        for i in 0..<10 {
            let response = try #require(client.readResponse())
            #expect(response.body == "\(i)\(i)")
        }
    }

    @Test func sixtyFourConcurrentConnections() throws {
        let live = try LiveServer()
        let port = live.port
        let ok = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            guard let client = try? TestClient(port: port) else { return }
            for j in 0..<10 {
                client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n\(String(format: "%02d:%02d", i, j))")
                if client.readResponse()?.body == String(format: "%02d:%02d", i, j) { ok.withLock { $0 += 1 } }
            }
        }
        #expect(ok.current == 640)
    }

    @Test func chunkedAndContinue() throws {
        let live = try LiveServer()
        let client = try TestClient(port: live.port)
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        #expect(client.readResponse()?.status == 100)
        client.send("data")
        #expect(client.readResponse()?.body == "data")
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
        #expect(client.readResponse()?.body == "abcde")
    }

    @Test func headAndConnectionClose() throws {
        let live = try LiveServer()
        let client = try TestClient(port: live.port)
        client.send("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try #require(client.readResponse(head: true))
        #expect(head.status == 200)
        #expect(head.headers["content-length"] == "3")
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let last = try #require(client.readResponse())
        #expect(last.headers["connection"] == "close")
        #expect(client.isClosedByServer())
    }

    @Test func notFoundAndMethodNotAllowed() throws {
        let live = try LiveServer()
        let client = try TestClient(port: live.port)
        client.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(client.readResponse()?.status == 404)
        client.send("DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try #require(client.readResponse())
        #expect(response.status == 405)
        #expect(response.headers["allow"] == "GET, HEAD")
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: x\r\nX: " + String(repeating: "a", count: 17_000) + "\r\n\r\n", 431),
        ("GET / HTTP/1.1\r\nHost: x\r\n" + String(repeating: "A: b\r\n", count: 101) + "\r\n", 431),
        ("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n", 413),
        ("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX", 400),
        ("GARBAGE\r\n\r\n", 400),
        ("GET / HTTP/3.0\r\nHost: x\r\n\r\n", 505),
        ("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
    ])
    func limitsAnsweredThenClosed(raw: String, status: Int) throws {
        let live = try LiveServer()
        let client = try TestClient(port: live.port)
        client.send(raw)
        let response = try #require(client.readResponse())
        #expect(response.status == status)
        #expect(client.isClosedByServer())
        // The server keeps serving others.
        let other = try TestClient(port: live.port)
        other.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(other.readResponse()?.status == 200)
    }

    @Test func chunkedBodyOverLimitIs413() throws {
        let live = try LiveServer()
        let client = try TestClient(port: live.port)
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunk = "80000\r\n" + String(repeating: "a", count: 0x80000) + "\r\n"
        client.send(chunk + chunk + "1\r\n")
        #expect(client.readResponse()?.status == 413)
    }

    @Test func slowHeaderClosedAfterTimeoutWhileOthersServed() throws {
        var limits = HTTPLimits()
        limits.headTimeout = 0.5
        let live = try LiveServer(limits: limits)
        let slow = try TestClient(port: live.port)
        slow.send("GET /healthz HTTP/1.1\r\nHo")
        let fast = try TestClient(port: live.port)
        fast.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(fast.readResponse()?.status == 200)
        let started = Date()
        let answer = slow.readResponse()
        #expect(answer?.status == 408)
        #expect(slow.isClosedByServer())
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func idleKeepAliveClosed() throws {
        var limits = HTTPLimits()
        limits.idleTimeout = 0.3
        let live = try LiveServer(limits: limits)
        let client = try TestClient(port: live.port)
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(client.readResponse()?.status == 200)
        #expect(client.isClosedByServer())
    }

    @Test func slowBodyClosedAfterTimeout() throws {
        var limits = HTTPLimits()
        limits.bodyTimeout = 0.5
        let live = try LiveServer(limits: limits)
        let client = try TestClient(port: live.port)
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        #expect(client.readResponse()?.status == 408)
        #expect(client.isClosedByServer())
    }

    @Test func connectionCapAnswers503() throws {
        var limits = HTTPLimits()
        limits.maxConnections = 2
        let live = try LiveServer(limits: limits)
        let a = try TestClient(port: live.port)
        let b = try TestClient(port: live.port)
        a.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        b.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(a.readResponse()?.status == 200)
        #expect(b.readResponse()?.status == 200)
        let c = try TestClient(port: live.port)
        #expect(c.readResponse()?.status == 503)
        #expect(c.isClosedByServer())
        a.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(a.readResponse()?.status == 200)
        #expect(a.isClosedByServer())
        // Room again once one closed.
        var served = false
        for _ in 0..<50 where !served {
            let d = try TestClient(port: live.port)
            d.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            served = d.readResponse()?.status == 200
            if !served { Thread.sleep(forTimeInterval: 0.02) }
        }
        #expect(served)
    }

    @Test func slowHandlerDoesNotStallOthers() throws {
        let live = try LiveServer()
        let slow = try TestClient(port: live.port)
        slow.send("GET /slow?s=1.5 HTTP/1.1\r\nHost: x\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.1)
        let started = Date()
        let fast = try TestClient(port: live.port)
        fast.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(fast.readResponse()?.status == 200)
        #expect(Date().timeIntervalSince(started) < 1.0)
        #expect(slow.readResponse()?.body == "slept\n")
    }

    @Test func shutdownLetsInFlightRequestFinish() throws {
        let live = try LiveServer()
        let client = try TestClient(port: live.port)
        let idle = try TestClient(port: live.port)
        client.send("GET /until-drain HTTP/1.1\r\nHost: x\r\n\r\n")
        // Shut down only once the request is in its handler, however busy the machine is.
        let deadline = Date().addingTimeInterval(5)
        while live.slowStarted.current == 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        #expect(live.slowStarted.current == 1)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            live.server.shutdown(timeout: 5)
            done.signal()
        }
        let response = try #require(client.readResponse())
        #expect(response.status == 200)
        #expect(response.body == "drained\n")
        #expect(response.headers["connection"] == "close")
        #expect(idle.isClosedByServer())
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(live.server.openConnections == 0)
        // The listening socket is gone. (Connecting to the old port proves nothing: tests running
        // in parallel bind port 0 too and may be given the same number.)
        #expect(!live.server.isAccepting)
    }
}

final class ServerBox: @unchecked Sendable {
    weak var server: HTTPServer?
}
