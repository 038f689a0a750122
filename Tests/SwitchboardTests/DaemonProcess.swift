import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended.
enum ExitStatus: Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    var description: String {
        switch self {
        case .exited(let code): "exit \(code)"
        case .signaled(let signal): "signal \(signal)"
        }
    }
}

/// A child process started with `posix_spawn`: an explicit environment (nothing inherited), stdin
/// from /dev/null (or a given text), stdout and stderr captured, optionally a listening socket
/// handed over as fd 3.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    let stdout: OutputCapture
    let stderr: OutputCapture
    private let lock = NSLock()
    private var exit: ExitStatus?

    /// - Parameter fd3: a descriptor to hand to the child as fd 3 (socket activation).
    /// - Parameter stdin: the child's whole standard input (then end of file), instead of /dev/null.
    init(executable: String, arguments: [String], environment: [String: String], fd3: Int32? = nil, stdin: String? = nil) throws {
        let outPipe = try Self.makePipe()
        let errPipe = try Self.makePipe()
        let inPipe = try stdin.map { _ in try Self.makeInputPipe() }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let inPipe {
            posix_spawn_file_actions_adddup2(&actions, inPipe.read, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outPipe.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe.write, 2)
        var handedOver: Int32 = -1
        if let fd3 {
            // dup2 onto a different number clears close-on-exec on fd 3; a copy avoids dup2(3, 3).
            handedOver = fcntl(fd3, F_DUPFD_CLOEXEC, 10)
            guard handedOver >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EBADF) }
            posix_spawn_file_actions_adddup2(&actions, handedOver, 3)
        }
        defer { if handedOver >= 0 { close(handedOver) } }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // As from a shell: nothing blocked, the usual signals at their default action.
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGHUP, SIGINT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        close(outPipe.write)
        close(errPipe.write)
        if let inPipe {
            close(inPipe.read)
            // A few lines: far less than the socket buffer, so the write never waits for the child.
            if rc == 0, let stdin { _ = Array(stdin.utf8).withUnsafeBytes { write(inPipe.write, $0.baseAddress, $0.count) } }
            close(inPipe.write)
        }
        guard rc == 0 else {
            close(outPipe.read)
            close(errPipe.read)
            throw POSIXError(.init(rawValue: rc) ?? .EIO)
        }
        pid = child
        stdout = OutputCapture(fd: outPipe.read)
        stderr = OutputCapture(fd: errPipe.read)
    }

    deinit { kill() }

    /// Runs a command to its end (bounded) and returns its status and output.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String],
                    timeout: Double = 20, stdin: String? = nil) throws -> (status: ExitStatus?, stdout: String, stderr: String) {
        let process = try ChildProcess(executable: executable, arguments: arguments, environment: environment, stdin: stdin)
        let status = process.waitForExit(timeout: timeout)
        if status == nil { process.kill() }
        process.stdout.waitForEnd(timeout: 2)
        process.stderr.waitForEnd(timeout: 2)
        return (status, process.stdout.text, process.stderr.text)
    }

    func send(_ signal: Int32) {
        if lock.withLock({ exit == nil }) { Glibc.kill(pid, signal) }
    }

    /// Polls `waitpid` until the child ends or `timeout` seconds pass (nil then).
    func waitForExit(timeout: Double) -> ExitStatus? {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if let status = reap() { return status }
            usleep(10_000)
        } while Date() < deadline
        return reap()
    }

    var hasExited: Bool { reap() != nil }

    /// SIGKILL and reap, when still running. Safe to call more than once.
    func kill() {
        guard reap() == nil else { return }
        Glibc.kill(pid, SIGKILL)
        _ = waitForExit(timeout: 5)
    }

    private func reap() -> ExitStatus? {
        lock.withLock {
            if let exit { return exit }
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
            exit = status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
            return exit
        }
    }

    /// The other way round: the child reads `read`, the test writes `write`.
    private static func makeInputPipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        shutdown(fds[1], Int32(SHUT_RD))
        return (fds[0], fds[1])
    }

    private static func makePipe() throws -> (read: Int32, write: Int32) {
        // A socket pair, since it can be made close-on-exec atomically (pipe2 is not imported):
        // no other child spawned meanwhile inherits the write end and holds off our EOF.
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        shutdown(fds[0], Int32(SHUT_WR))
        return (fds[0], fds[1])
    }
}

/// Everything a child writes to one pipe, read on a thread of its own so the child never blocks.
final class OutputCapture: @unchecked Sendable {
    private let condition = NSCondition()
    private var bytes: [UInt8] = []
    private var ended = false

    init(fd: Int32) {
        let thread = Thread { [self] in
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = read(fd, &chunk, chunk.count)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { break }
                condition.withLock {
                    bytes += chunk[0..<n]
                    condition.broadcast()
                }
            }
            close(fd)
            condition.withLock {
                ended = true
                condition.broadcast()
            }
        }
        thread.start()
    }

    var text: String { condition.withLock { String(decoding: bytes, as: UTF8.self) } }
    var lines: [String] { text.split(separator: "\n").map(String.init) }

    /// Waits until `predicate` holds for the text so far; false when `timeout` seconds pass first
    /// or the pipe ends without it.
    func wait(timeout: Double, until predicate: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if predicate(String(decoding: bytes, as: UTF8.self)) { return true }
            if ended || !condition.wait(until: deadline) { return predicate(String(decoding: bytes, as: UTF8.self)) }
        }
    }

    /// Waits until a line containing `needle` has appeared `count` times.
    @discardableResult
    func waitForLine(containing needle: String, count: Int = 1, timeout: Double = 10) -> Bool {
        wait(timeout: timeout) { text in
            text.split(separator: "\n").filter { $0.contains(needle) }.count >= count
        }
    }

    func count(containing needle: String) -> Int {
        lines.filter { $0.contains(needle) }.count
    }

    /// Waits until the child closes the pipe (it exited); false when `timeout` seconds pass first.
    @discardableResult
    func waitForEnd(timeout: Double) -> Bool {
        _ = wait(timeout: timeout) { _ in false }
        return condition.withLock { ended }
    }
}

/// `switchboard serve` on 127.0.0.1 and a free port, in a workspace, with an explicit environment.
final class DaemonProcess: @unchecked Sendable {
    let port: Int
    let process: ChildProcess

    /// Starts the daemon. `arguments` come after `serve --listen HOST:PORT --routes FILE --db FILE`
    /// (`host` may be e.g. `0.0.0.0`; requests still go to 127.0.0.1). Waits for /healthz unless told not to.
    /// `database: false` leaves `--db` out, for the default path. `port`: one picked beforehand (for a
    /// public URL naming it), else a free one.
    init(workspace: Workspace, arguments: [String] = [], environment: [String: String] = [:],
         host: String = "127.0.0.1", database: Bool = true, waitUntilHealthy: Bool = true, port: Int? = nil) throws {
        self.port = try port ?? FreePort.pick()
        let base = ["serve", "--listen", "\(host):\(self.port)", "--routes", workspace.routesPath]
            + (database ? ["--db", workspace.databasePath] : [])
        process = try ChildProcess(
            executable: try SwitchboardBinary.path(), arguments: base + arguments,
            environment: workspace.environment(environment)
        )
        if waitUntilHealthy { try self.waitUntilHealthy() }
    }

    deinit { process.kill() }

    var log: OutputCapture { process.stderr }
    var pid: pid_t { process.pid }

    /// Polls `GET /healthz` on 127.0.0.1 until it answers 200 (bounded).
    func waitUntilHealthy(timeout: Double = 10) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if process.hasExited {
                throw E2EError("the daemon exited (\(process.waitForExit(timeout: 0)!)) before answering:\n\(log.text)")
            }
            if let response = try? HTTP.get(port: port, "/healthz", timeout: 1), response.status == 200 { return }
            usleep(20_000)
        }
        throw E2EError("no 200 from /healthz on port \(port) within \(timeout) s:\n\(log.text)")
    }

    func signal(_ signal: Int32) { process.send(signal) }

    /// SIGTERM, then waits for the exit (nil when it does not come within `timeout`).
    @discardableResult
    func stop(timeout: Double = 15) -> ExitStatus? {
        process.send(SIGTERM)
        return process.waitForExit(timeout: timeout)
    }

    /// Polls `/metrics` until `series` has `value` (bounded); returns the last value seen.
    func waitForMetric(_ series: String, toBe value: Double, timeout: Double = 3) -> Double? {
        let deadline = Date().addingTimeInterval(timeout)
        var seen: Double?
        repeat {
            seen = (try? request("GET", "/metrics")).flatMap { Answer.metric($0.body, series) }
            if seen == value { return seen }
            usleep(20_000)
        } while Date() < deadline
        return seen
    }

    func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: String = "") throws -> TestClient.Response {
        try HTTP.request(port: port, method, target, headers: headers, body: body)
    }
}

struct E2EError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
