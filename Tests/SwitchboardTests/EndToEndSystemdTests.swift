import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// Issue 5's systemd integration against the built binary: the notify protocol on a path and on
    /// an abstract socket, the watchdog, and socket activation through fd 3.
    @Suite struct SystemdIntegration {
        @Test func notifiesReadyReloadingAndStoppingOnAPathSocket() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let receiver = try NotifyReceiver(workspace: workspace, abstract: false)
            let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure"],
                                           environment: ["NOTIFY_SOCKET": receiver.notifySocket], waitUntilHealthy: false)
            defer { daemon.process.kill() }

            let startup = receiver.receive(until: "READY=1")
            #expect(startup.last.map(NotifyReceiver.lines)?.contains("READY=1") == true, "\(startup) \(daemon.log.text)")
            // READY=1 means listening: the very first connection attempt must succeed.
            #expect((try? HTTP.get(port: daemon.port, "/healthz"))?.status == 200)

            daemon.signal(SIGHUP)
            let reload = receiver.receive(until: "READY=1")
            let reloading = reload.firstIndex { NotifyReceiver.lines($0).contains("RELOADING=1") }
            #expect(reloading != nil && reloading! < reload.count - 1, "RELOADING=1 then READY=1: \(reload)")
            #expect(reload.first { NotifyReceiver.lines($0).contains("RELOADING=1") }?.contains("MONOTONIC_USEC=") == true)
            #expect(reload.last.map(NotifyReceiver.lines)?.contains("READY=1") == true)

            daemon.signal(SIGTERM)
            let stopping = receiver.receive(until: "STOPPING=1")
            #expect(stopping.last.map(NotifyReceiver.lines)?.contains("STOPPING=1") == true, "\(stopping)")
            #expect(daemon.process.waitForExit(timeout: 15) == .exited(0))
            let all = startup + reload + stopping
            #expect(!all.contains { $0.contains("WATCHDOG=1") }, "no watchdog pings without WATCHDOG_USEC")
        }

        @Test func pingsTheWatchdogOnAnAbstractSocket() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let receiver = try NotifyReceiver(workspace: workspace, abstract: true)
            let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure"], environment: [
                "NOTIFY_SOCKET": receiver.notifySocket, "WATCHDOG_USEC": "200000",
            ], waitUntilHealthy: false)
            defer { daemon.process.kill() }

            let startup = receiver.receive(until: "READY=1")
            #expect(startup.last.map(NotifyReceiver.lines)?.contains("READY=1") == true, "\(startup) \(daemon.log.text)")
            #expect((try? HTTP.get(port: daemon.port, "/healthz"))?.status == 200)
            // Every 100 ms (half of 200 ms): about 10 in a second; 5 leaves room for a busy machine.
            let pings = receiver.collect(for: 1).filter { $0 == "WATCHDOG=1" }.count
            #expect(pings >= 5 && pings <= 15, "\(pings) pings in 1 s")

            daemon.signal(SIGTERM)
            let stopping = receiver.receive(until: "STOPPING=1")
            #expect(stopping.last.map(NotifyReceiver.lines)?.contains("STOPPING=1") == true, "\(stopping)")
            #expect(daemon.process.waitForExit(timeout: 15) == .exited(0))
        }

        @Test func servesThroughAnInheritedListeningSocket() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let listener = try FreePort.listeningSocket()
            var listenerOpen = true
            defer { if listenerOpen { close(listener) } }
            let port = try FreePort.localPort(listener)

            // A connection made before the daemon exists waits in the backlog and is served.
            let early = try TestClient(port: port, timeout: 10)
            early.send(HTTP.raw("GET", "/healthz", headers: [("Connection", "close")]))

            let unusedPort = try FreePort.pick()
            let script = #"export LISTEN_PID=$$ LISTEN_FDS=1; exec "$0" serve "$@""#
            let process = try ChildProcess(
                executable: "/bin/sh",
                arguments: ["-c", script, try SwitchboardBinary.path(), "--listen", "127.0.0.1:\(unusedPort)",
                            "--routes", workspace.routesPath, "--db", workspace.databasePath, "--no-configure"],
                environment: workspace.environment(), fd3: listener
            )
            defer { process.kill() }
            close(listener)
            listenerOpen = false

            let first = early.readResponse()
            #expect(first?.status == 200, "the early connection is served: \(process.stderr.text)")
            #expect(first?.body.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
            let voice = try HTTP.request(port: port, "POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "activated"))
            #expect(voice.status == 200)
            #expect(Answer.firstMember(voice.body) == Fixture.sales[0])
            #expect((try? HTTP.get(port: unusedPort, "/healthz", timeout: 1)) == nil, "--listen is not used when a socket is inherited")
            #expect(process.stderr.text.contains("inherited socket fd 3"), "\(process.stderr.text)")
            process.send(SIGTERM)
            #expect(process.waitForExit(timeout: 15) == .exited(0))
        }
    }
}
