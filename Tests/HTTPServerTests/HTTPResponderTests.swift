import Dispatch
import Foundation
import Logging
import TestSupport
import Testing
@testable import HTTPServer

/// Handlers that answer later, from another thread, through an `HTTPResponder`.
@Suite(.serialized)
struct HTTPResponderTests {
    static func server(_ handler: @escaping HTTPAsyncHandler) throws -> HTTPServer {
        let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), logger: Logger(label: "test"), asyncHandler: handler)
        try server.start()
        return server
    }

    @Test func answersFromAnotherThreadInOrderOnOneConnection() throws {
        // Each request is answered after a delay that shrinks, so a wrong order would show.
        let server = try Self.server { request, responder in
            let n = Int(request.path.dropFirst()) ?? 0
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50 - n * 10)) {
                responder.respond(.text(200, "answer \(n)"))
            }
        }
        defer { server.shutdown(timeout: 2) }
        let client = try TestClient(port: server.port)
        client.send((0..<5).map { "GET /\($0) HTTP/1.1\r\nHost: x\r\n\r\n" }.joined())
        for n in 0..<5 {
            #expect(client.readResponse()?.body == "answer \(n)\n")
        }
    }

    @Test func onlyTheFirstAnswerCounts() throws {
        let server = try Self.server { _, responder in
            responder.respond(.text(200, "first"))
            responder.respond(.text(500, "second"))
            DispatchQueue.global().async { responder.respond(.text(500, "third")) }
        }
        defer { server.shutdown(timeout: 2) }
        let client = try TestClient(port: server.port)
        for _ in 0..<3 {
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(client.readResponse()?.body == "first\n")
        }
    }

    @Test func theAnswerIsBuiltOnTheConnectionAfterTheHandlerReturns() throws {
        let handlerReturned = Locked(false)
        let builtAfterReturn = Locked(false)
        let server = try Self.server { _, responder in
            responder.respond {
                if handlerReturned.current { builtAfterReturn.withLock { $0 = true } }
                return .text(200, "built")
            }
            handlerReturned.withLock { $0 = true }
        }
        defer { server.shutdown(timeout: 2) }
        let client = try TestClient(port: server.port)
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(client.readResponse()?.body == "built\n")
        #expect(builtAfterReturn.current)
    }

    @Test func aLateAnswerDuringShutdownClosesTheConnection() throws {
        let started = Locked(false)
        let box = ServerBox()
        let server = try Self.server { _, responder in
            started.withLock { $0 = true }
            DispatchQueue.global().async {
                let deadline = Date().addingTimeInterval(5)
                while box.server?.isDraining != true, Date() < deadline { Thread.sleep(forTimeInterval: 0.002) }
                responder.respond(.text(200, "late"))
            }
        }
        box.server = server
        let client = try TestClient(port: server.port)
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let deadline = Date().addingTimeInterval(5)
        while !started.current, Date() < deadline { Thread.sleep(forTimeInterval: 0.002) }
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            server.shutdown(timeout: 5)
            done.signal()
        }
        let response = try #require(client.readResponse())
        #expect(response.body == "late\n")
        #expect(response.headers["connection"] == "close")
        #expect(done.wait(timeout: .now() + 6) == .success)
        #expect(server.openConnections == 0)
    }
}
