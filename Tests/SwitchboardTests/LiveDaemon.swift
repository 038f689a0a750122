import Foundation
import Logging
import Store
import Testing
import TestSupport
@testable import Switchboard

/// A daemon started in-process on 127.0.0.1 port 0, with its own routes.json and database in a
/// temporary directory; stopped and removed at the end.
final class LiveDaemon: @unchecked Sendable {
    let directory: URL
    let daemon: Daemon
    var routesPath: String { directory.appendingPathComponent("routes.json").path }
    var databasePath: String { directory.appendingPathComponent("switchboard.sqlite").path }

    init(routes: String, environment: [String: String] = [:], directory reuse: URL? = nil, logger: Logger? = nil,
         configure: (inout ServeConfig) -> Void = { _ in }) throws {
        directory = reuse ?? FileManager.default.temporaryDirectory.appendingPathComponent("sb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try routes.write(toFile: directory.appendingPathComponent("routes.json").path, atomically: true, encoding: .utf8)
        var flags = ServeConfig.Flags()
        flags.listen = "127.0.0.1:0"
        flags.routes = directory.appendingPathComponent("routes.json").path
        flags.db = directory.appendingPathComponent("switchboard.sqlite").path
        var config = try ServeConfig.resolve(flags, environment: environment)
        configure(&config)
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        daemon = Daemon(config: config, logger: logger ?? quiet, environment: environment)
        try daemon.start()
    }

    var port: Int { daemon.port }

    /// One request on a new connection.
    func request(_ method: String, _ target: String, body: String = "", contentType: String? = nil,
                 headers: [(String, String)] = []) throws -> TestClient.Response {
        let client = try TestClient(port: port)
        var head = "\(method) \(target) HTTP/1.1\r\nHost: test\r\nContent-Length: \(body.utf8.count)\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        client.send(head + "\r\n" + body)
        return try #require(client.readResponse())
    }

    func voice(to: String, from: String = "+12135877632", callID: String = UUID().uuidString) throws -> TestClient.Response {
        try request("POST", "/voice", body: #"{"call":{"call_id":"\#(callID)","from":"\#(from)","to":"\#(to)","type":"phone"}}"#,
                    contentType: "application/json")
    }

    func stop() {
        daemon.stop()
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// The first member rung by an SWML answer (`connect.serial[0].to` or `parallel[0].to`).
func firstMember(_ swml: String) -> String? {
    guard let object = try? JSONSerialization.jsonObject(with: Data(swml.utf8)) as? [String: Any],
          let main = (object["sections"] as? [String: Any])?["main"] as? [[String: Any]] else { return nil }
    for method in main {
        guard let connect = method["connect"] as? [String: Any] else { continue }
        let legs = (connect["serial"] ?? connect["parallel"]) as? [[String: Any]]
        return legs?.first?["to"] as? String
    }
    return nil
}
