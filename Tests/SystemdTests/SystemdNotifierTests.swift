import Foundation
import Testing
@testable import Systemd

@Suite struct SystemdNotifierTests {
    @Test(arguments: [false, true])
    func sendsExactDatagrams(abstract: Bool) throws {
        let receiver = try DatagramReceiver(abstract: abstract)
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.notifySocket]))
        #expect(notifier.socketName == receiver.notifySocket)

        #expect(notifier.ready(status: "Listening on 127.0.0.1:8080"))
        #expect(receiver.receive() == "READY=1\nSTATUS=Listening on 127.0.0.1:8080")
        #expect(notifier.ready())
        #expect(receiver.receive() == "READY=1")
        #expect(notifier.stopping())
        #expect(receiver.receive() == "STOPPING=1")
        #expect(notifier.status("two\nlines"))
        #expect(receiver.receive() == "STATUS=two lines")
        #expect(notifier.watchdog())
        #expect(receiver.receive() == "WATCHDOG=1")
        #expect(notifier.notify("EXTEND_TIMEOUT_USEC=5000000"))
        #expect(receiver.receive() == "EXTEND_TIMEOUT_USEC=5000000")
        #expect(notifier.failureCount == 0)
    }

    @Test func reloadingCarriesTheMonotonicClock() throws {
        let receiver = try DatagramReceiver(abstract: true)
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.notifySocket]))
        let before = SystemdNotifier.monotonicMicroseconds()
        #expect(notifier.reloading(status: "Reloading routes"))
        let after = SystemdNotifier.monotonicMicroseconds()
        let lines = try #require(receiver.receive()).split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.first == "RELOADING=1")
        #expect(lines.last == "STATUS=Reloading routes")
        let stamp = try #require(lines.dropFirst().first.flatMap { $0.hasPrefix("MONOTONIC_USEC=") ? UInt64($0.dropFirst(15)) : nil })
        #expect(stamp >= before && stamp <= after)
        #expect(notifier.reloading())
        #expect(receiver.receive()?.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") == true)
    }

    @Test func nilWithoutAUsableSocketName() {
        #expect(SystemdNotifier(environment: [:]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": ""]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "@"]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "relative/notify"]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "vsock:2:1234"]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/" + String(repeating: "x", count: 120)]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/systemd/notify"]) != nil)
    }

    @Test func countsFailuresInsteadOfThrowing() throws {
        let missing = "/tmp/switchboard-no-such-socket-\(getpid())-\(UUID().uuidString.prefix(8))"
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": missing]))
        #expect(!notifier.ready())
        #expect(!notifier.watchdog())
        #expect(notifier.failureCount == 2)
    }
}
