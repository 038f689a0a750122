import Foundation
import Testing
@testable import Switchboard
#if canImport(Glibc)
import Glibc
#endif

@Suite struct HealthProbeTests {
    @Test func healthyWhenHealthzAnswers200() throws {
        let server = try OneShotServer(reply: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        #expect(HealthProbe.check(address: "127.0.0.1:\(server.port)", timeoutSeconds: 5))
        let request = server.request()
        #expect(request.hasPrefix("GET /healthz HTTP/1.1\r\n"))
        #expect(request.contains("\r\nHost: 127.0.0.1:\(server.port)\r\n"))
        #expect(request.hasSuffix("\r\n\r\n"))
    }

    @Test func wildcardListenAddressesAreProbedOnLoopback() throws {
        let server = try OneShotServer(reply: "HTTP/1.1 204 No Content\r\n\r\n")
        #expect(HealthProbe.check(address: "0.0.0.0:\(server.port)", timeoutSeconds: 5))
        let again = try OneShotServer(reply: "HTTP/1.1 200 OK\r\n\r\n")
        #expect(HealthProbe.check(address: "[::]:\(again.port)", timeoutSeconds: 5))
    }

    @Test func unhealthyOn503() throws {
        let server = try OneShotServer(reply: "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 11\r\n\r\nunavailable")
        #expect(!HealthProbe.check(address: "127.0.0.1:\(server.port)", timeoutSeconds: 5))
    }

    @Test func unhealthyWhenNothingListens() throws {
        let port = try OneShotServer.closedPort()
        #expect(!HealthProbe.check(address: "127.0.0.1:\(port)", timeoutSeconds: 2))
    }

    @Test func unhealthyWhenTheAnswerNeverComes() throws {
        let server = try OneShotServer(reply: nil)
        defer { server.stop() }
        let started = Date()
        #expect(!HealthProbe.check(address: "127.0.0.1:\(server.port)", timeoutSeconds: 0.3))
        #expect(Date().timeIntervalSince(started) < 3)
    }

    @Test func splitsListenAddresses() {
        #expect(HealthProbe.split("127.0.0.1:8080")! == ("127.0.0.1", 8080))
        #expect(HealthProbe.split("[::1]:9000")! == ("::1", 9000))
        #expect(HealthProbe.split(":8080")! == ("", 8080))
        #expect(HealthProbe.split("8080")! == ("", 8080))
        #expect(HealthProbe.split("localhost:80")! == ("localhost", 80))
        #expect(HealthProbe.split("::1:8080") == nil)
        #expect(HealthProbe.split("host:99999") == nil)
        #expect(HealthProbe.split("host") == nil)
    }
}

/// A listener on 127.0.0.1 that serves one connection: reads the request head, then writes `reply`, or
/// with nil never answers until `stop()`. Every wait is bounded (5 s).
private final class OneShotServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var received = ""
    private let done = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)

    init(reply: String?) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 4) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard descriptor >= 0, listening else {
            close(descriptor)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        listener = descriptor
        port = UInt16(bigEndian: address.sin_port)
        DispatchQueue.global().async { self.serve(reply) }
    }

    /// A port nothing listens on any more.
    static func closedPort() throws -> UInt16 {
        let server = try OneShotServer(reply: "")
        server.stop()
        _ = server.done.wait(timeout: .now() + 5)
        return server.port
    }

    private func serve(_ reply: String?) {
        defer {
            close(listener)
            done.signal()
        }
        if reply == "" { return }
        var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 5000) == 1 else { return }
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { return }
        defer { close(connection) }
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !String(decoding: head, as: UTF8.self).contains("\r\n\r\n"), head.count < 16384 {
            var reader = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            guard poll(&reader, 1, 5000) == 1 else { break }
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            head += buffer[0..<count]
        }
        lock.withLock { received = String(decoding: head, as: UTF8.self) }
        if let reply {
            _ = Array(reply.utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        } else {
            _ = released.wait(timeout: .now() + 5)
        }
    }

    /// The request head the probe sent (waits until the connection has been served).
    func request() -> String {
        _ = done.wait(timeout: .now() + 5)
        return lock.withLock { received }
    }

    /// Lets a silent server close its connection.
    func stop() {
        released.signal()
    }
}
