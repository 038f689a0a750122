import Dispatch
import Foundation
import Logging
import Platform
import Testing
import TestSupport
@testable import Switchboard

/// Services start in order and stop in reverse; a stop during the start waits for the part starting
/// and stops it too; a stop is bounded.
@Suite(.serialized)
struct LifecycleTests {
    static var quiet: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    struct Refused: Error {}

    /// Records its name's start and stop in `events`; a start may signal `entered`, then wait for
    /// `gate`, or throw.
    static func service(_ name: String, _ events: Locked<[String]>, entered: DispatchSemaphore? = nil,
                        gate: DispatchSemaphore? = nil, fails: Bool = false, stopTakes: Double = 0) -> ServiceSteps {
        ServiceSteps(start: {
            events.withLock { $0.append("start \(name)") }
            entered?.signal()
            gate?.wait()
            if fails { throw Refused() }
        }, stop: {
            Thread.sleep(forTimeInterval: stopTakes)
            events.withLock { $0.append("stop \(name)") }
        })
    }

    @Test func startsInOrderAndStopsInReverse() throws {
        let events = Locked<[String]>([])
        let lifecycle = Lifecycle(logger: Self.quiet)
        try lifecycle.start {
            for name in ["store", "server", "timer"] { try lifecycle.run(name, Self.service(name, events)) }
        }
        lifecycle.stop(bound: 5)
        lifecycle.stop(bound: 5)
        #expect(events.current == ["start store", "start server", "start timer", "stop timer", "stop server", "stop store"])
    }

    @Test func aFailedStartStopsWhatStartedAndRethrows() {
        let events = Locked<[String]>([])
        let lifecycle = Lifecycle(logger: Self.quiet)
        #expect(throws: Refused.self) {
            try lifecycle.start {
                try lifecycle.run("store", Self.service("store", events))
                try lifecycle.run("server", Self.service("server", events, fails: true))
                try lifecycle.run("timer", Self.service("timer", events))
            }
        }
        #expect(events.current == ["start store", "start server", "stop store"])
    }

    @Test func aStopDuringTheStartWaitsForThePartStartingAndStopsIt() throws {
        let events = Locked<[String]>([])
        let lifecycle = Lifecycle(logger: Self.quiet)
        let gate = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        // Threads of their own: a global queue's thread may not come within the test's wait.
        Thread.detachNewThread {
            try? lifecycle.start {
                try lifecycle.run("store", Self.service("store", events))
                // Signalled from inside the server's start: the stop comes while it is starting.
                try lifecycle.run("server", Self.service("server", events, entered: started, gate: gate))
                try lifecycle.run("timer", Self.service("timer", events))
            }
        }
        started.wait()
        let stopped = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            lifecycle.stop(bound: 5)
            stopped.signal()
        }
        let deadline = Date().addingTimeInterval(5)
        while !lifecycle.isStopping, Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        // The stop waits for the server's start rather than stopping around it.
        #expect(stopped.wait(timeout: .now() + 0.2) == .timedOut)
        gate.signal()
        #expect(stopped.wait(timeout: .now() + 5) == .success)
        #expect(events.current == ["start store", "start server", "stop server", "stop store"])
    }

    @Test func aStopBeforeTheStartStartsNothing() throws {
        let events = Locked<[String]>([])
        let lifecycle = Lifecycle(logger: Self.quiet)
        lifecycle.stop(bound: 5)
        try lifecycle.start { try lifecycle.run("store", Self.service("store", events)) }
        #expect(events.current == [])
    }

    @Test func aStopThatHangsIsLeftBehindAfterTheBound() throws {
        let events = Locked<[String]>([])
        let lifecycle = Lifecycle(logger: Self.quiet)
        try lifecycle.start {
            try lifecycle.run("store", Self.service("store", events))
            try lifecycle.run("mail", Self.service("mail", events, stopTakes: 3))
        }
        let began = Date()
        lifecycle.stop(bound: 0.3)
        #expect(Date().timeIntervalSince(began) < 2.5)
        #expect(events.current == ["start store", "start mail"])
    }

    /// SIGTERM at any moment of the start: once both returned, nothing listens.
    @Test func aDaemonStoppedWhileStartingLeavesNoServerRunning() throws {
        for delay in [0.0, 0.002, 0.01, 0.05] {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-life-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            try DaemonTests.routes.write(toFile: directory.appendingPathComponent("routes.json").path, atomically: true, encoding: .utf8)
            var flags = ServeConfig.Flags()
            flags.listen = "127.0.0.1:0"
            flags.routes = directory.appendingPathComponent("routes.json").path
            flags.db = directory.appendingPathComponent("switchboard.sqlite").path
            let daemon = Daemon(config: try ServeConfig.resolve(flags, environment: [:]), logger: Self.quiet, environment: [:])
            let started = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                try? daemon.start()
                started.signal()
            }
            Thread.sleep(forTimeInterval: delay)
            daemon.stop()
            #expect(started.wait(timeout: .now() + 10) == .success)
            guard daemon.port != 0 else { continue }
            let answer = (try? TestClient(port: daemon.port, timeout: 1)).flatMap { client in
                client.send("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
                return client.readResponse()
            }
            #expect(answer?.status == nil, "delay \(delay): still serving on \(daemon.port)")
            #expect(!Self.listening(port: daemon.port), "delay \(delay): still listening on \(daemon.port)")
        }
    }

    /// Whether a socket of this process listens on TCP `port` (/proc/self/net/tcp: state 0A).
    static func listening(port: Int) -> Bool {
        let hex = String(format: ":%04X", port)
        let inode = { (line: Substring) -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 9, fields[1].hasSuffix(hex), fields[3] == "0A" else { return nil }
            return String(fields[9])
        }
        let inodes = ["/proc/self/net/tcp", "/proc/self/net/tcp6"].flatMap { path in
            ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").compactMap(inode)
        }
        guard !inodes.isEmpty else { return false }
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.contains { fd in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)") else { return false }
            return inodes.contains { target == "socket:[\($0)]" }
        }
    }
}
