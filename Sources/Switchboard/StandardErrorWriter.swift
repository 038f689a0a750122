import FoundationEssentials
import Glibc
import Platform
import Synchronization

/// Log lines for stderr, written by a thread of their own: whoever logs (an event loop, most of the
/// time) hands its line over and goes on, and the writer, woken by the first line after a quiet
/// spell, waits `delay` for more and sends them all in one `write(2)`: under load, a wake-up and a
/// write per 10 ms instead of per line; idle, no wake-ups at all.
/// `flush` writes what is waiting before it returns: the log handler calls it after every notice
/// or worse, and it runs at exit, so the lines that matter are never left in memory.
///
/// `@unchecked Sendable`: `pending`, `dropped` and `started` are guarded by `state`, a condition
/// variable (the writer sleeps on it), which `Mutex` does not offer.
final class StandardErrorWriter: @unchecked Sendable {
    static let shared = StandardErrorWriter(fd: STDERR_FILENO)

    private let fd: Int32
    private let delay: TimeInterval = 0.010
    /// Guards `pending`, `dropped` and `started`; signalled when `pending` stops being empty.
    private let state = Condition()
    /// Held while bytes are taken out of `pending` and written, so lines keep their order.
    private let writing = Mutex(())
    private var pending: [UInt8] = []
    private var dropped = 0
    private var started = false
    let limit: Int

    /// `background: false` (tests) writes only on `flush`.
    init(fd: Int32, limit: Int = 4 << 20, background: Bool = true) {
        self.fd = fd
        self.limit = limit
        started = !background
    }

    /// Queues `line` and a newline. Past `limit` bytes waiting (stderr not keeping up, a stuck
    /// journald), lines are dropped and counted instead of piling up in memory.
    func append(_ line: String) {
        line.withUTF8Bytes { append($0) }
    }

    /// `append`, for a line already in UTF-8.
    func append(_ line: UnsafeBufferPointer<UInt8>) {
        state.lock()
        let wasEmpty = pending.isEmpty
        if pending.count + line.count + 1 <= limit {
            pending.append(contentsOf: line)
            pending.append(UInt8(ascii: "\n"))
        } else {
            dropped += 1
        }
        let start = !started
        started = true
        if wasEmpty { state.signal() }
        state.unlock()
        if start { startWriter() }
    }

    /// Writes everything queued so far.
    func flush() {
        writing.withLock { _ in
            state.lock()
            var bytes: [UInt8] = []
            swap(&bytes, &pending)
            let lost = dropped
            dropped = 0
            state.unlock()
            writeAll(bytes)
            if lost > 0 { writeAll(Array("WARNING \(lost) log lines dropped: stderr was not keeping up\n".utf8)) }
        }
    }

    private func run() {
        while true {
            state.lock()
            while pending.isEmpty { state.wait() }
            state.unlock()
            Platform.sleep(seconds: delay)
            flush()
        }
    }

    private func writeAll(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { writeFully(fd, $0) }
    }

    private func startWriter() {
        do {
            try startThread(name: "log-writer") { [self] in run() }
            if self === Self.shared { atexit { StandardErrorWriter.shared.flush() } }
        } catch {
            // No thread (out of threads or memory): this line is written now, the next one tries again.
            state.lock()
            started = false
            state.unlock()
            flush()
        }
    }
}
