import Foundation
import Testing
@testable import Systemd
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SocketActivationTests {
    @Test func servesThroughTheInheritedDescriptor() throws {
        let (listener, port) = try listenOnLoopback()
        defer { close(listener) }
        // dup(2) clears FD_CLOEXEC on the copy, as a fork+exec hand-over would leave it.
        let inherited = dup(listener)
        try #require(inherited >= SocketActivation.firstDescriptor)
        defer { close(inherited) }
        #expect(fcntl(inherited, F_GETFD) & FD_CLOEXEC == 0)

        let environment = ["LISTEN_PID": "\(getpid())", "LISTEN_FDS": "1", "LISTEN_FDNAMES": "http"]
        let sockets = SocketActivation.namedListeningSockets(environment: environment, firstDescriptor: inherited)
        #expect(sockets == [SocketActivation.ListeningSocket(descriptor: inherited, name: "http")])
        #expect(fcntl(inherited, F_GETFD) & FD_CLOEXEC != 0)
        #expect(SocketActivation.isListening(inherited))

        let client = try connectToLoopback(port: port)
        defer { close(client) }
        #expect(send(client, "ping", 4, Int32(MSG_NOSIGNAL)) == 4)
        let accepted = accept(inherited, nil, nil)
        try #require(accepted >= 0)
        defer { close(accepted) }
        var buffer = [UInt8](repeating: 0, count: 4)
        #expect(recv(accepted, &buffer, 4, Int32(MSG_WAITALL)) == 4)
        #expect(String(decoding: buffer, as: UTF8.self) == "ping")
    }

    @Test func namesSeveralConsecutiveDescriptors() throws {
        let (first, _) = try listenOnLoopback()
        let (second, _) = try listenOnLoopback()
        defer { close(first); close(second) }
        let base = try #require(freeDescriptorPair(from: 700))
        try #require(dup2(first, base) == base && dup2(second, base + 1) == base + 1)
        defer { close(base); close(base + 1) }

        var environment = ["LISTEN_PID": "\(getpid())", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "http:admin"]
        #expect(SocketActivation.namedListeningSockets(environment: environment, firstDescriptor: base).map(\.name) == ["http", "admin"])
        environment["LISTEN_FDNAMES"] = "http"
        #expect(SocketActivation.namedListeningSockets(environment: environment, firstDescriptor: base).map(\.name) == ["unknown", "unknown"])
        environment["LISTEN_FDNAMES"] = nil
        #expect(SocketActivation.namedListeningSockets(environment: environment, firstDescriptor: base).map(\.descriptor) == [base, base + 1])
        environment["LISTEN_FDS"] = "3"
        #expect(SocketActivation.namedListeningSockets(environment: environment, firstDescriptor: base).isEmpty, "base + 2 is not open")
    }

    @Test func ignoresSocketsMeantForAnotherProcess() {
        let pid = "\(getpid())"
        #expect(SocketActivation.listeningSockets(environment: [:]).isEmpty)
        #expect(SocketActivation.listeningSockets(environment: ["LISTEN_FDS": "1"]).isEmpty)
        #expect(SocketActivation.listeningSockets(environment: ["LISTEN_PID": "\(getpid() + 1)", "LISTEN_FDS": "1"]).isEmpty)
        #expect(SocketActivation.listeningSockets(environment: ["LISTEN_PID": pid, "LISTEN_FDS": "0"]).isEmpty)
        #expect(SocketActivation.listeningSockets(environment: ["LISTEN_PID": pid, "LISTEN_FDS": "-1"]).isEmpty)
        #expect(SocketActivation.listeningSockets(environment: ["LISTEN_PID": pid, "LISTEN_FDS": "many"]).isEmpty)
        #expect(!SocketActivation.isListening(-1))
    }

    @Test func unsetEnvironmentRemovesTheThreeVariables() {
        setenv("LISTEN_PID", "1", 1)
        setenv("LISTEN_FDS", "1", 1)
        setenv("LISTEN_FDNAMES", "http", 1)
        SocketActivation.unsetEnvironment()
        #expect(getenv("LISTEN_PID") == nil)
        #expect(getenv("LISTEN_FDS") == nil)
        #expect(getenv("LISTEN_FDNAMES") == nil)
    }
}

/// A TCP socket listening on 127.0.0.1 at a port the kernel picks.
private func listenOnLoopback() throws -> (descriptor: Int32, port: UInt16) {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    var address = loopback(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ready = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, length) == 0 && listen(descriptor, 8) == 0 && getsockname(descriptor, $0, &length) == 0
        }
    }
    guard ready else {
        close(descriptor)
        throw POSIXError(.init(rawValue: errno) ?? .EIO)
    }
    return (descriptor, UInt16(bigEndian: address.sin_port))
}

private func connectToLoopback(port: UInt16) throws -> Int32 {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    var address = loopback(port: port)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard descriptor >= 0, connected == 0 else {
        close(descriptor)
        throw POSIXError(.init(rawValue: errno) ?? .EIO)
    }
    return descriptor
}

private func loopback(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    return address
}

/// The lowest `n >= start` with `n` and `n + 1` both closed, searched over a bounded range.
private func freeDescriptorPair(from start: Int32) -> Int32? {
    (start..<(start + 200)).first { fcntl($0, F_GETFD) < 0 && fcntl($0 + 1, F_GETFD) < 0 }
}
