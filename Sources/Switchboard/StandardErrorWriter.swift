#if canImport(Glibc)
import Glibc
#endif

/// Log lines for stderr, written by a thread of their own: whoever logs (an event loop, most of the
/// time) hands its line over and goes on, and the writer, woken by the first line after a quiet
/// spell, waits `delay` for more and sends them all in one `write(2)`: under load, a wake-up and a
/// write per 10 ms instead of per line; idle, no wake-ups at all.
/// `flush` writes what is waiting before it returns: the log handler calls it after every notice
/// or worse, and it runs at exit, so the lines that matter are never left in memory.
final class StandardErrorWriter: @unchecked Sendable {
    static let shared = StandardErrorWriter(fd: STDERR_FILENO)

    private let fd: Int32
    private let delay: useconds_t = 10_000
    /// Guards `pending`, `dropped` and `started`.
    private var state = pthread_mutex_t()
    private var wake = pthread_cond_t()
    /// Held while bytes are taken out of `pending` and written, so lines keep their order.
    private var writing = pthread_mutex_t()
    private var pending: [UInt8] = []
    private var dropped = 0
    private var started = false
    let limit: Int

    /// `background: false` (tests) writes only on `flush`.
    init(fd: Int32, limit: Int = 4 << 20, background: Bool = true) {
        self.fd = fd
        self.limit = limit
        started = !background
        pthread_mutex_init(&state, nil)
        pthread_mutex_init(&writing, nil)
        pthread_cond_init(&wake, nil)
    }

    /// Queues `line` and a newline. Past `limit` bytes waiting (stderr not keeping up, a stuck
    /// journald), lines are dropped and counted instead of piling up in memory.
    func append(_ line: String) {
        pthread_mutex_lock(&state)
        let wasEmpty = pending.isEmpty
        if pending.count + line.utf8.count + 1 <= limit {
            pending.append(contentsOf: line.utf8)
            pending.append(UInt8(ascii: "\n"))
        } else {
            dropped += 1
        }
        let start = !started
        started = true
        pthread_mutex_unlock(&state)
        if start { startThread() }
        if wasEmpty { pthread_cond_signal(&wake) }
    }

    /// Writes everything queued so far.
    func flush() {
        pthread_mutex_lock(&writing)
        defer { pthread_mutex_unlock(&writing) }
        pthread_mutex_lock(&state)
        var bytes: [UInt8] = []
        swap(&bytes, &pending)
        let lost = dropped
        dropped = 0
        pthread_mutex_unlock(&state)
        writeAll(bytes)
        if lost > 0 { writeAll(Array("WARNING \(lost) log lines dropped: stderr was not keeping up\n".utf8)) }
    }

    private func run() {
        while true {
            pthread_mutex_lock(&state)
            while pending.isEmpty { pthread_cond_wait(&wake, &state) }
            pthread_mutex_unlock(&state)
            usleep(delay)
            flush()
        }
    }

    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }

    private func startThread() {
        if self === Self.shared { atexit { StandardErrorWriter.shared.flush() } }
        var thread = pthread_t()
        let box = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            Unmanaged<StandardErrorWriter>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, box)
        if rc == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<StandardErrorWriter>.fromOpaque(box).release()
        }
    }
}
