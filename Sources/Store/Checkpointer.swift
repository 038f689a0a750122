import CSQLite
import Dispatch
import FoundationEssentials
import Platform
import Synchronization

/// Checkpoints the WAL from a connection and a thread of its own, so that no commit waits for one.
///
/// SQLite's automatic checkpoint runs inside the commit that takes the WAL past 1,000 pages: that
/// commit, and every decision in its batch, waits while pages are copied into the database file and
/// synced (the benchmark's p99 went from 4.3 ms to 1.9 ms without it). Instead, the write connection's
/// WAL hook asks for a PASSIVE checkpoint here, which copies what it can without blocking readers
/// or the writer; the next commit after a complete one starts the WAL over from its beginning.
///
/// `@unchecked Sendable`: the flags are in a mutex; the connection is touched only on `queue`
/// (after `init`), which the compiler cannot see.
final class Checkpointer: @unchecked Sendable {
    let path: String
    /// WAL pages after a commit that ask for a checkpoint (SQLite's own default).
    let threshold: Int
    private let synchronous: String
    /// The growth step set on the checkpoint connection (`StorageBudget`).
    private let chunkBytes: Int
    private let queue = DispatchQueue(label: "switchboard.store.checkpoint", qos: .utility)
    private let state = Mutex((scheduled: false, closed: false, completed: 0))
    // On `queue` only (after `init`):
    private var connection: SQLiteConnection?

    /// The database file grows in steps this large, its blocks allocated when it grows (SQLite's
    /// chunk size), not while the pages the checkpoint wrote are flushed: on ext4 that flush allocated
    /// blocks and read block bitmaps while holding up the writer's next commit, for up to 3 s on a
    /// slow disk (bench/RESULTS.md). The file's free tail is at most one step.
    static let fileChunkBytes = 8 << 20

    /// Opens the checkpoint connection now, so the store's files are all open from the start.
    init(path: String, synchronous: String, threshold: Int = 1000, chunkBytes: Int = fileChunkBytes) {
        self.path = path
        self.synchronous = synchronous
        self.threshold = threshold
        self.chunkBytes = chunkBytes
        connection = Self.open(path, synchronous, chunkBytes)
    }

    private static func open(_ path: String, _ synchronous: String, _ chunkBytes: Int) -> SQLiteConnection? {
        let connection = try? SQLiteConnection(path: path, readOnly: false)
        try? connection?.executeScript("PRAGMA synchronous = \(synchronous)", "configure the checkpointer")
        if let db = connection?.db, chunkBytes > 0 {
            var chunk = Int32(chunkBytes)
            _ = sqlite3_file_control(db, "main", SQLITE_FCNTL_CHUNK_SIZE, &chunk)
        }
        return connection
    }

    /// Replaces `writer`'s automatic checkpoints with this checkpointer's.
    func attach(to writer: SQLiteConnection) {
        guard let db = writer.db else { return }
        sqlite3_wal_hook(db, { context, _, _, pages in
            Unmanaged<Checkpointer>.fromOpaque(context!).takeUnretainedValue().walGrew(pages: Int(pages))
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Checkpoints run so far (for tests and measurements).
    var checkpoints: Int { state.withLock { $0.completed } }

    /// From the WAL hook, after a commit, on the writer's thread: must not block.
    func walGrew(pages: Int) {
        guard pages >= threshold else { return }
        let start: Bool = state.withLock { state in
            guard !state.scheduled, !state.closed else { return false }
            state.scheduled = true
            return true
        }
        if start { queue.async { self.checkpoint() } }
    }

    private func checkpoint() {
        defer { state.withLock { $0.scheduled = false } }
        guard !state.withLock({ $0.closed }) else { return }
        if connection == nil { connection = Self.open(path, synchronous, chunkBytes) }
        guard let db = connection?.db else { return }
        // PASSIVE never waits: a checkpoint another process is running, or readers still using old
        // frames, just leave work for the next one.
        if sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil) == SQLITE_OK {
            state.withLock { $0.completed += 1 }
        }
    }

    /// Waits for a running checkpoint and closes the connection; the next checkpoint opens the file
    /// at `path` again (after the store reopened it).
    func disconnect() {
        queue.sync {
            connection?.close()
            connection = nil
        }
    }

    /// Waits for a running checkpoint and closes the connection; later requests are ignored.
    /// Call before closing the writer whose hook points here.
    func close() {
        state.withLock { $0.closed = true }
        queue.sync {
            connection?.close()
            connection = nil
        }
    }
}
