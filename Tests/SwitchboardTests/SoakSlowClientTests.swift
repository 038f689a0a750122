import Foundation
import HTTPServer
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension Soak {
    /// Slow clients (a byte of the head every ~2 s) do not hold up a normal caller, are closed at the
    /// head timeout, and leave no file descriptor behind.
    @Suite struct SlowClientsSuite {
        /// The daemon's head timeout (`HTTPLimits`; `serve` does not change it).
        static let headTimeout = HTTPLimits().headTimeout

        @Test func slowClientsDoNotStopANormalCaller() throws {
            let count = SoakScale.pick(short: 100, full: 500)
            let limit = ProcessFacts.raiseFileLimit()
            #expect(limit >= UInt64(count + 64), "RLIMIT_NOFILE \(limit) is too low for \(count) clients")
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let daemon = try DaemonProcess(workspace: workspace)
            usleep(200_000)
            let baseline = ProcessFacts.openSockets(daemon.pid)

            let slow = try SlowClients(count: count, port: daemon.port)
            // Accepting takes a moment: wait (bounded) until the daemon holds every slow connection.
            var connectedFDs = ProcessFacts.openSockets(daemon.pid)
            let acceptDeadline = SoakClock.now() + 3
            while connectedFDs < baseline + count, SoakClock.now() < acceptDeadline {
                usleep(20_000)
                connectedFDs = ProcessFacts.openSockets(daemon.pid)
            }
            // The normal caller: one call every ~20 ms on a keep-alive connection, while the slow ones last.
            let done = Locked(false)
            let finished = Locked(false)
            let latencies = Locked(Latencies())
            let failures = Locked<[String]>([])
            let port = daemon.port
            let caller = Thread {
                let connection = VoiceConnection(port: port)
                var n = 0
                while !done.current, n < 5_000 {
                    if let reply = connection.call("normal-\(n)", timeout: 5), reply.status == 200, reply.firstMember != nil {
                        latencies.withLock { $0.add(reply.seconds) }
                    } else {
                        failures.withLock { $0.append("normal-\(n)") }
                    }
                    n += 1
                    usleep(20_000)
                }
                connection.close()
                finished.withLock { $0 = true }
            }
            caller.start()
            let started = SoakClock.now()
            slow.drive(until: started + slow.interval + Self.headTimeout + 6)
            let drove = SoakClock.now() - started
            done.withLock { $0 = true }
            let stopDeadline = SoakClock.now() + 10
            while !finished.current, SoakClock.now() < stopDeadline { usleep(10_000) }
            usleep(100_000)

            // Back to the baseline once everyone is gone (bounded wait for the closes to land).
            var after = ProcessFacts.openSockets(daemon.pid)
            let fdDeadline = SoakClock.now() + 5
            while after != baseline, SoakClock.now() < fdDeadline {
                usleep(50_000)
                after = ProcessFacts.openSockets(daemon.pid)
            }

            let clients = slow.clients
            let lifetimes = clients.compactMap { client in client.closedAt.map { $0 - client.firstByteAt } }
            let answered408 = clients.filter { SlowClients.status($0) == 408 }.count
            let p = latencies.current
            SoakReport.line("slow-clients", [
                "slow": count, "normal-calls": p.count, "normal-failed": failures.current.count,
                "p50": SoakReport.ms(p.percentile(0.5)), "p99": SoakReport.ms(p.percentile(0.99)), "max": SoakReport.ms(p.max),
                "closed": lifetimes.count, "got-408": answered408,
                "closed-after": String(format: "%.1f-%.1fs", lifetimes.min() ?? 0, lifetimes.max() ?? 0),
                "sockets-baseline": baseline, "sockets-with-slow": connectedFDs, "sockets-after": after, "seconds": String(format: "%.1f", drove),
            ])
            #expect(connectedFDs >= baseline + count, "the daemon did not hold the slow connections open")
            #expect(failures.current.isEmpty, "normal calls failed: \(failures.current.prefix(5))")
            #expect(p.count >= 100, "too few normal calls measured: \(p.count)")
            #expect(p.percentile(0.99) <= 0.050, "normal caller p99 \(SoakReport.ms(p.percentile(0.99))) > 50 ms")
            #expect(lifetimes.count == count, "\(count - lifetimes.count) slow clients were never closed")
            #expect(answered408 == count, "\(count - answered408) slow clients were closed without a 408")
            #expect((lifetimes.min() ?? 0) >= Self.headTimeout - 0.5, "a slow client was closed before the head timeout")
            #expect((lifetimes.max() ?? .infinity) <= Self.headTimeout + 3, "a slow client outlived the head timeout")
            #expect(after == baseline, "open sockets: \(baseline) before, \(after) after")
            #expect(daemon.servesVoice())
            #expect(daemon.stop() == .exited(0))
        }
    }
}
