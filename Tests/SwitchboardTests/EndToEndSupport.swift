import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The `switchboard` executable built next to this test bundle.
enum SwitchboardBinary {
    /// The bundle's own build directory first (it matches the configuration being tested), then
    /// `<package root>/.build/debug/switchboard`, the root found from this file's path.
    static func path(filePath: String = #filePath) throws -> String {
        var candidates: [String] = []
        if let runner = CommandLine.arguments.first {
            let resolved = URL(fileURLWithPath: runner).resolvingSymlinksInPath()
            candidates.append(resolved.deletingLastPathComponent().appendingPathComponent("switchboard").path)
        }
        // Tests/SwitchboardTests/<file>.swift -> the package root.
        let root = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/switchboard").path)
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw E2EError("the switchboard executable is not built (looked at \(candidates.joined(separator: ", "))): run `swift build --build-tests` first")
    }
}

/// A unique temporary directory for one test: routes.json, the database, sockets. Removed by `remove()`.
final class Workspace: @unchecked Sendable {
    let path: String

    init() throws {
        // Short enough for a unix socket path (108 bytes) inside it.
        var base = NSTemporaryDirectory().count < 60 ? NSTemporaryDirectory() : "/tmp/"
        if !base.hasSuffix("/") { base += "/" }
        var template = Array((base + "sb-e2e-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw E2EError("mkdtemp failed: errno \(errno)") }
        path = String(cString: made)
    }

    var routesPath: String { path + "/routes.json" }
    var databasePath: String { path + "/switchboard.sqlite" }

    /// Replaces routes.json by rename (a new inode, as editors do).
    func writeRoutes(_ text: String) throws {
        try write(text, to: "routes.json")
    }

    func write(_ text: String, to name: String) throws {
        let temporary = path + "/.\(name).tmp"
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path + "/" + name) == 0 else { throw E2EError("rename failed: errno \(errno)") }
    }

    /// The environment of a child: nothing from ours (no SIGNALWIRE_* leaks in), plus `extra`.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": path, "LANG": "C.UTF-8"]
        environment.merge(extra) { $1 }
        return environment
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

enum FreePort {
    /// Binds 127.0.0.1:0, reads the port the kernel chose, and closes the socket.
    static func pick() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw E2EError("socket failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw E2EError("bind failed: errno \(errno)") }
        return try localPort(fd)
    }

    /// A TCP socket listening on 127.0.0.1 and a port the kernel picks; the caller closes it.
    static func listeningSocket() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw E2EError("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw E2EError("bind/listen: errno \(errno)")
        }
        return fd
    }

    static func localPort(_ fd: Int32) throws -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { throw E2EError("getsockname failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// One request per connection, on 127.0.0.1.
enum HTTP {
    static func request(port: Int, _ method: String, _ target: String, headers: [(String, String)] = [],
                        body: String = "", timeout: Double = 5) throws -> TestClient.Response {
        let client = try TestClient(port: port, timeout: timeout)
        client.send(raw(method, target, headers: headers + [("Connection", "close")], body: body))
        guard let response = client.readResponse() else { throw E2EError("no response to \(method) \(target) on port \(port)") }
        return response
    }

    static func get(port: Int, _ target: String, headers: [(String, String)] = [], timeout: Double = 5) throws -> TestClient.Response {
        try request(port: port, "GET", target, headers: headers, timeout: timeout)
    }

    /// The bytes of an HTTP/1.1 request with `Host` and `Content-Length`.
    static func raw(_ method: String, _ target: String, headers: [(String, String)] = [], body: String = "") -> String {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if method != "GET" || !body.isEmpty { text += "Content-Length: \(body.utf8.count)\r\n" }
        return text + "\r\n" + body
    }

    static func form(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }
}

