#if !os(Linux)
#error("Switchboard runs on Linux only: its event loop is built on epoll and eventfd")
#endif
import CLinux
import Glibc
import Platform
import Synchronization

/// Something an `EventLoop` watches: a socket's readiness, and a periodic tick for its deadlines.
protocol EventLoopMember: AnyObject {
    /// The socket is ready (`EPOLLIN`, `EPOLLOUT`, `EPOLLHUP`, `EPOLLERR` bits). On the loop's thread.
    func ready(_ events: UInt32)
    /// Called every tick with the loop's clock (`EventLoop.now`). On the loop's thread.
    func tick(now: UInt64)
}

/// One thread around one epoll set: level-triggered readiness, tasks posted from other threads
/// (woken through an eventfd, at most one write per batch of tasks), and a periodic tick for
/// deadlines. Everything a member owns is touched only on this thread, so it needs no locks.
///
/// `@unchecked Sendable`: what other threads touch (posted tasks, the thread's id) is in `shared`,
/// a mutex; the rest (members, tokens, the clock, the scratch buffer) only the loop's own thread
/// touches, which the compiler cannot see.
final class EventLoop: @unchecked Sendable {
    private let epollFD: Int32
    private let wakeFD: Int32
    private let tickInterval: UInt64
    private let turnStarted: (@Sendable () -> Void)?
    private let turnEnded: (@Sendable () -> Void)?
    /// Posted tasks. `@unchecked Sendable`: they come from any thread but run only on the loop's,
    /// where what they capture (the loop's connections) lives.
    private struct Tasks: @unchecked Sendable {
        var list: [() -> Void] = []
    }
    private struct Shared {
        var tasks = Tasks()
        var wakePending = false
        var ended = false
        var thread: pthread_t?
        var joined = false
    }
    private let shared = Mutex(Shared())
    // The loop's thread only:
    private var members: [UInt64: any EventLoopMember] = [:]
    private var nextToken: UInt64 = 1
    private var stopping = false
    /// Monotonic nanoseconds, read once per turn of the loop.
    private(set) var now: UInt64 = EventLoop.monotonicNow()
    /// Where the loop's connections `recv` into before keeping what arrived: one buffer for the
    /// loop, allocated once (a 64 KiB allocation per read was a heap allocation, a free, and a
    /// consolidation of the heap's fast bins every time). The loop's thread only.
    let readScratch: UnsafeMutableRawBufferPointer

    /// `tick`: seconds between ticks. `turnStarted` and `turnEnded` run around each turn's events
    /// and tasks.
    init(tick: Double, turnStarted: (@Sendable () -> Void)? = nil, turnEnded: (@Sendable () -> Void)? = nil) throws {
        self.turnStarted = turnStarted
        self.turnEnded = turnEnded
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw SocketError.failed("epoll_create1") }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            let error = SocketError.failed("eventfd")
            Glibc.close(epollFD)
            throw error
        }
        tickInterval = UInt64(tick * 1e9)
        readScratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = 0
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event) == 0 else {
            let error = SocketError.failed("epoll_ctl", "wake fd")
            Glibc.close(wakeFD)
            Glibc.close(epollFD)
            // Fully initialized by now: `deinit` frees the scratch buffer.
            throw error
        }
    }

    deinit { readScratch.deallocate() }

    static func monotonicNow() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Starts the loop's thread.
    func start(name: String) throws {
        let id = try startThread(name: name, joinable: true) { [self] in run() }
        shared.withLock { $0.thread = id }
    }

    var inLoop: Bool {
        guard let thread = shared.withLock({ $0.thread }) else { return false }
        return pthread_equal(pthread_self(), thread) != 0
    }

    /// Runs `task` on the loop's thread, after the current turn's events. From any thread.
    /// Once the loop has ended, tasks are dropped (an answer that comes after a shutdown).
    func execute(_ task: @escaping () -> Void) {
        shared.withLock { shared in
            guard !shared.ended else { return }
            shared.tasks.list.append(task)
            guard !shared.wakePending else { return }
            shared.wakePending = true
            // Under the lock: the loop closes the eventfd under it too, so this never writes to a
            // descriptor number that has since been given to another file.
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
    }

    // MARK: Members (loop thread only)

    /// Adds `member` to the loop; its socket is watched once `watch` names events for it.
    func add(_ member: any EventLoopMember) -> UInt64 {
        let token = nextToken
        nextToken += 1
        members[token] = member
        return token
    }

    func remove(_ token: UInt64) {
        members[token] = nil
    }

    var memberList: [any EventLoopMember] { Array(members.values) }

    /// Changes what `fd` is watched for from `old` to `new` events (0: not watched).
    @discardableResult
    func watch(_ fd: Int32, token: UInt64, from old: UInt32, to new: UInt32) -> Bool {
        guard old != new else { return true }
        var event = epoll_event()
        event.events = new
        event.data.u64 = token
        let op = old == 0 ? EPOLL_CTL_ADD : (new == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD)
        return epoll_ctl(epollFD, op, fd, &event) == 0
    }

    // MARK: Running

    /// Stops the loop after the tasks already posted, and waits for its thread (unless called on it).
    func stop() {
        execute { [self] in stopping = true }
        let (id, joined): (pthread_t?, Bool) = shared.withLock { shared in
            defer { shared.joined = true }
            return (shared.thread, shared.joined)
        }
        if let id, !joined, pthread_equal(pthread_self(), id) == 0 {
            pthread_join(id, nil)
        }
    }

    private func run() {
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer {
            events.deallocate()
            members.removeAll()
            var dropped = Tasks()
            shared.withLock { shared in
                shared.ended = true
                swap(&dropped, &shared.tasks)
                Glibc.close(wakeFD)
            }
            dropped.list.removeAll()
            Glibc.close(epollFD)
        }
        var nextTick = EventLoop.monotonicNow() + tickInterval
        while !stopping {
            let wait = nextTick > now ? Int32(min((nextTick - now) / 1_000_000 + 1, 1000)) : 0
            let n = epoll_wait(epollFD, events, Int32(capacity), wait)
            now = EventLoop.monotonicNow()
            if n < 0, errno != EINTR { usleep(1000) }
            turnStarted?()
            for i in 0..<max(0, Int(n)) {
                let token = events[i].data.u64
                if token == 0 {
                    var count: UInt64 = 0
                    _ = read(wakeFD, &count, 8)
                    continue
                }
                members[token]?.ready(events[i].events)
            }
            runTasks()
            if now >= nextTick {
                nextTick = now + tickInterval
                for member in members.values { member.tick(now: now) }
            }
            turnEnded?()
        }
        runTasks()
    }

    private func runTasks() {
        var batch = Tasks()
        shared.withLock { shared in
            shared.wakePending = false
            swap(&batch, &shared.tasks)
        }
        for task in batch.list { task() }
    }
}
