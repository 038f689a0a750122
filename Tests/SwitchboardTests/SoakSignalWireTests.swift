import Foundation
import Testing
import TestSupport

extension Soak {
    /// SignalWire's REST API down or hanging at startup, with credentials and a public URL set: the
    /// daemon is ready at once, answers `/voice` at normal speed, and logs the failure without exiting.
    @Suite struct SignalWireOutage {
        /// Calls measured right after startup.
        static let calls = SoakScale.pick(short: 200, full: 1_000)

        static func environment(spaceURL: String) -> [String: String] {
            [
                "SIGNALWIRE_PROJECT_ID": "b1a7c4de-0000-4000-8000-00000000abcd",
                "SIGNALWIRE_API_TOKEN": "PTfake-secret-token-5678",
                "SIGNALWIRE_SPACE_URL": spaceURL,
                "SWITCHBOARD_PUBLIC_URL": "https://switchboard.example.com",
            ]
        }

        /// Starts the daemon, timing until /healthz answers, then calls /voice `calls` times.
        static func startAndCall(_ workspace: Workspace, environment: [String: String], label: String)
            throws -> (daemon: DaemonProcess, ready: Double, latencies: Latencies, failures: Int) {
            let started = SoakClock.now()
            let daemon = try DaemonProcess(workspace: workspace, environment: environment)
            let ready = SoakClock.now() - started
            let connection = VoiceConnection(port: daemon.port)
            var latencies = Latencies()
            var failures = 0
            for index in 0..<calls {
                if let reply = connection.call("\(label)-\(index)", timeout: 5), reply.status == 200, reply.firstMember != nil {
                    latencies.add(reply.seconds)
                } else {
                    failures += 1
                }
            }
            connection.close()
            return (daemon, ready, latencies, failures)
        }

        @Test func apiDownAtStartup() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            // A port nothing listens on.
            let closed = try FreePort.pick()
            let run = try Self.startAndCall(workspace, environment: Self.environment(spaceURL: "http://127.0.0.1:\(closed)"), label: "down")
            let daemon = run.daemon
            // A failure is logged at the first refused connection; the run gives up after its retries.
            let retried = daemon.log.waitForLine(containing: "SignalWire API call failed", timeout: 10)
            let gaveUp = SoakScale.isFull ? daemon.log.waitForLine(containing: "Auto-configuration failed", timeout: 30) : true
            SoakReport.line("signalwire.down", [
                "ready": SoakReport.ms(run.ready), "calls": run.latencies.count, "failed": run.failures,
                "first": SoakReport.ms(run.latencies.samples.first ?? 0), "p50": SoakReport.ms(run.latencies.percentile(0.5)),
                "p99": SoakReport.ms(run.latencies.percentile(0.99)), "max": SoakReport.ms(run.latencies.max),
            ])
            #expect(run.failures == 0)
            #expect(run.ready < 5, "ready after \(run.ready) s")
            #expect(run.latencies.percentile(0.99) <= 0.050)
            #expect(retried, "no failure logged:\n\(daemon.log.text.suffix(2000))")
            #expect(gaveUp, "the configuration never gave up:\n\(daemon.log.text.suffix(2000))")
            #expect(!daemon.process.hasExited)
            #expect(daemon.servesVoice())
            #expect(daemon.stop() == .exited(0))
        }

        @Test func apiHangingAtStartup() throws {
            let hang = SoakScale.pick(short: 2.5, full: 12.0)
            let fake = try FakeSignalWire(numbers: [FakeSignalWire.number("pn-1", Fixture.salesNumber)])
            defer { fake.shutdown() }
            fake.enqueue(.hang(seconds: hang))
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let started = SoakClock.now()
            let run = try Self.startAndCall(workspace, environment: Self.environment(spaceURL: fake.origin), label: "hang")
            let measuredWithin = SoakClock.now() - started
            let daemon = run.daemon
            // The calls above were answered while the first API call was still hanging.
            let hanging = fake.requests.count == 1 && measuredWithin < hang
            // Once the API answers, the configuration completes beside serving.
            let configured = daemon.log.waitForLine(containing: "Auto-configuration done", timeout: hang + 15)
            SoakReport.line("signalwire.hang", [
                "hang": "\(hang)s", "ready": SoakReport.ms(run.ready), "calls": run.latencies.count, "failed": run.failures,
                "first": SoakReport.ms(run.latencies.samples.first ?? 0), "p50": SoakReport.ms(run.latencies.percentile(0.5)),
                "p99": SoakReport.ms(run.latencies.percentile(0.99)), "max": SoakReport.ms(run.latencies.max),
                "calls-done-after": String(format: "%.2fs", measuredWithin),
            ])
            #expect(hanging, "the calls were not measured while the API hung (\(measuredWithin) s, \(fake.requests.count) API requests)")
            #expect(run.failures == 0)
            #expect(run.ready < hang, "ready after \(run.ready) s: startup waited on the API")
            #expect(run.latencies.percentile(0.99) <= 0.050)
            #expect(configured, "the configuration did not complete after the hang:\n\(daemon.log.text.suffix(2000))")
            #expect(fake.putBodies.count == 1)
            #expect(daemon.servesVoice())
            #expect(daemon.stop() == .exited(0))
        }
    }
}
