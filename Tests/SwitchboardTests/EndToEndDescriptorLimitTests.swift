import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// Out of file descriptors: the daemon stops accepting instead of spinning, logs it, and accepts
    /// again once descriptors are free, serving the connections that waited meanwhile.
    @Suite struct DescriptorLimit {
        @Test func acceptResumesOnceDescriptorsAreFree() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let port = try FreePort.pick()
            // 64 descriptors: the daemon's own files and sockets take about half.
            let script = #"ulimit -n 64 && exec "$0" serve "$@""#
            let process = try ChildProcess(
                executable: "/bin/sh",
                arguments: ["-c", script, try SwitchboardBinary.path(), "--listen", "127.0.0.1:\(port)",
                            "--routes", workspace.routesPath, "--db", workspace.databasePath, "--no-configure"],
                environment: workspace.environment()
            )
            defer { process.kill() }
            let deadline = Date().addingTimeInterval(20)
            while (try? HTTP.get(port: port, "/healthz", timeout: 1))?.status != 200, Date() < deadline {
                Thread.sleep(forTimeInterval: 0.05)
            }
            #expect((try? HTTP.get(port: port, "/healthz"))?.status == 200, "\(process.stderr.text)")

            // More connections than descriptors left: the rest wait in the listen backlog.
            var clients = (0..<60).compactMap { _ in try? TestClient(port: port, timeout: 10) }
            #expect(clients.count == 60)
            let logDeadline = Date().addingTimeInterval(10)
            while !process.stderr.text.contains("Accept failed"), Date() < logDeadline { Thread.sleep(forTimeInterval: 0.05) }
            #expect(process.stderr.text.contains("Accept failed"), "\(process.stderr.text)")

            // Descriptors freed: a connection that waited in the backlog is served.
            let waiting = clients.removeLast()
            clients.removeAll()
            waiting.send(HTTP.raw("GET", "/healthz", headers: [("Connection", "close")]))
            let answer = waiting.readResponse()
            #expect(answer?.status == 200, "\(process.stderr.text.suffix(2000))")
            #expect((try? HTTP.get(port: port, "/healthz"))?.status == 200)
            // Paused until the next tick each time, not retried in a tight loop.
            let failures = process.stderr.text.components(separatedBy: "Accept failed").count - 1
            #expect(failures <= 20, "\(failures) accept failures logged")

            process.send(SIGTERM)
            #expect(process.waitForExit(timeout: 15) == .exited(0))
        }
    }
}
