import CSQLite
import FoundationEssentials
import Routing
import Platform
import Synchronization

/// The embedded `SwitchboardStore`: one SQLite file in WAL mode, on the SQLite C API.
///
/// Writes go through one connection under `writing`'s mutex, each in a `BEGIN IMMEDIATE` transaction, so
/// neither another thread nor another process (with its own `SQLiteStore` on the same file; SQLite's
/// file lock and the 5 s busy timeout order them) can interleave with a round-robin decision.
/// Reads use a small pool of read-only connections and never wait behind a write.
///
/// Shared by every request thread: the write side is owned by a mutex (`writing`), reader
/// connections by `ReaderPool`, the commit queue by `GroupCommit`.
package final class SQLiteStore: SwitchboardStore, Sendable {
    /// How hard a commit works to survive a power loss.
    package enum Durability: Sendable {
        /// WAL with `synchronous=NORMAL`: a commit survives a crash of the process, and the last
        /// commits may be lost on power failure. The usual choice for WAL.
        case normal
        /// WAL with `synchronous=FULL`: every commit is on disk before it returns. Concurrent
        /// decisions share one commit (group commit) to amortise the fsync.
        case full
    }

    /// The database file.
    package let path: String
    package let durability: Durability

    /// The write connection and what is known of its file, reached only through `writing`: one
    /// write at a time. `@unchecked Sendable` because the connection is a class the compiler
    /// cannot vouch for, and safe because nothing holds it outside the mutex.
    struct WriteSide: @unchecked Sendable {
        /// Nil while the database cannot be opened for writing (a store opened with
        /// `retryingOpen` goes on trying).
        var writer: SQLiteConnection?
        var isClosed = false
        /// Why the write connection must be opened again before the next retry (nil: it need not).
        var reopenReason: String?
        /// The file the write connection opened (device and inode), to notice it replaced or deleted.
        var identity: FileIdentity?
        /// The WAL's identity, last seen while `identity` was the path's.
        var walIdentity: FileIdentity?
    }
    let writing: Mutex<WriteSide>
    /// Opened with `readOnly: true`: never writes, never reopens.
    let openedReadOnly: Bool
    /// Growth step, checkpoint threshold and WAL limit for the volume (`StorageBudget`).
    let budget: StorageBudget
    let readers: ReaderPool
    /// Batches concurrent `route` calls into one commit, when enabled.
    let groupCommit: SQLiteBatch?
    /// Checkpoints the WAL off the write path (nil when opened read-only).
    let checkpointer: Checkpointer?
    /// Whether writes succeed; told of every commit and every failed one.
    let writeHealth: WriteHealth
    /// Told how long each group-commit batch took, on the writer, once its callers have their answers
    /// (it must be quick): slow commits, a slow disk or another process holding the lock, show there.
    let batchObserver: (@Sendable (BatchTiming) -> Void)?

    package typealias BatchTiming = StoreBatchTiming

    /// Opens (creating and migrating it if needed) the database at `path`.
    /// - Parameter readOnly: open for reading only (`stats`, dry runs): every write then throws.
    ///   A write-protected file is opened read-only too.
    /// - Parameter retryingOpen: when the database cannot be opened for writing, do not throw: start
    ///   degraded (every write fails at once) and let `maintain()` go on trying (the daemon).
    /// - Parameter batchObserver: see `batchObserver`.
    /// - Parameter healthObserver: told when writes start failing, work again, or the file is reopened.
    package convenience init(path: String, durability: Durability = .normal, readOnly: Bool = false,
                            retryingOpen: Bool = false,
                            batchObserver: (@Sendable (BatchTiming) -> Void)? = nil,
                            healthObserver: (@Sendable (StoreHealthEvent) -> Void)? = nil) throws {
        try self.init(path: path, durability: durability, readOnly: readOnly, retryingOpen: retryingOpen, groupCommit: true,
                      batchObserver: batchObserver, healthObserver: healthObserver)
    }

    /// Group commit is on by default for both durabilities: under concurrent calls it cut the CPU
    /// per decision by a quarter and doubled the rate (bench/RESULTS.md). `false` is for measurements.
    init(path: String, durability: Durability, readOnly: Bool, retryingOpen: Bool = false, groupCommit: Bool,
         readers: Int = 4, checkpointPages: Int = 1000, healthPolicy: WriteHealth.Policy = .init(),
         batchObserver: (@Sendable (BatchTiming) -> Void)? = nil,
         healthObserver: (@Sendable (StoreHealthEvent) -> Void)? = nil) throws {
        self.path = path
        self.batchObserver = batchObserver
        self.durability = durability
        openedReadOnly = readOnly
        writeHealth = WriteHealth(policy: healthPolicy, observer: healthObserver)
        budget = StorageBudget.forFreeSpace(readOnly ? nil : StorageBudget.freeBytes(at: path), checkpointPages: checkpointPages)
        var openFailure: (any Error)?
        var side = WriteSide()
        do {
            side.writer = try Self.openWriter(path: path, durability: durability, readOnly: readOnly, budget: budget)
        } catch where retryingOpen && !readOnly {
            openFailure = error
        }
        let writer = side.writer
        if readOnly {
            checkpointer = nil
        } else {
            let checkpointer = Checkpointer(path: path, synchronous: Self.synchronous(durability),
                                            threshold: budget.checkpointPages, chunkBytes: budget.chunkBytes)
            if let writer, !writer.isReadOnly { checkpointer.attach(to: writer) }
            self.checkpointer = checkpointer
        }
        side.identity = writer.flatMap { _ in FileIdentity(path: path) }
        side.walIdentity = writer.flatMap { _ in FileIdentity(path: path + "-wal") }
        self.readers = ReaderPool(path: path, limit: readers)
        if let openFailure {
            side.reopenReason = "it could not be opened"
            writeHealth.failed(openFailure, counted: false)
        } else if let writer, writer.isReadOnly, !readOnly {
            side.reopenReason = "it was opened read-only"
            writeHealth.failed(StoreError(operation: "cannot open database at \(path) for writing", code: SQLITE_READONLY,
                                          message: "the file or its directory is read-only"), counted: false)
        }
        writing = Mutex(side)
        guard groupCommit else {
            self.groupCommit = nil
            return
        }
        // The batch closure cannot capture `self` before every stored property is set.
        let runner = BatchRunner<SQLiteStore>()
        self.groupCommit = SQLiteBatch(runner: runner, run: { $0.runBatch($1) }, observer: { $0.batchObserver })
        runner.store = self
    }

    /// The write connection, configured and migrated.
    static func openWriter(path: String, durability: Durability, readOnly: Bool, budget: StorageBudget) throws -> SQLiteConnection {
        let writer = try SQLiteConnection(path: path, readOnly: readOnly)
        do {
            try configure(writer, durability: durability, budget: budget)
            try Schema.migrate(writer)
        } catch {
            writer.close()
            throw error
        }
        return writer
    }

    private static func configure(_ connection: SQLiteConnection, durability: Durability, budget: StorageBudget) throws {
        let mode = try connection.scalar("PRAGMA journal_mode = WAL", [], "enable WAL")?.text
        if mode?.lowercased() != "wal" && !connection.isReadOnly {
            throw StoreError(operation: "cannot enable WAL on \(connection.path)", code: SQLITE_ERROR,
                             message: "journal_mode stayed \(mode ?? "unknown")")
        }
        try connection.executeScript("PRAGMA synchronous = \(synchronous(durability)); PRAGMA foreign_keys = OFF; "
                                     + "PRAGMA journal_size_limit = \(budget.walLimitBytes)",
                                     "configure the connection")
    }

    static func synchronous(_ durability: Durability) -> String {
        durability == .full ? "FULL" : "NORMAL"
    }

    deinit { close() }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction on the write connection; rolls back on error.
    @discardableResult
    func write<T>(_ operation: String, _ body: (SQLiteConnection) throws -> T) throws -> T {
        try writing.withLock { side throws -> T in
            guard !side.isClosed else { throw StoreError.closed(operation, path: path) }
            guard let writer = side.writer else { throw notOpen(operation, side) }
            do {
                try writer.execute("BEGIN IMMEDIATE", [], operation)
                let result = try body(writer)
                try writer.execute("COMMIT", [], operation)
                writeHealth.succeeded()
                return result
            } catch {
                rollback(side)
                noteFailure(error, &side)
                throw error
            }
        }
    }

    /// A write failed: a storage fault makes the store degraded (and, where a new connection may
    /// cure it, asks `maintain()` to reopen).
    func noteFailure(_ error: any Error, counted: Bool = true, _ side: inout WriteSide) {
        guard let error = error as? StoreError, error.isStorageFault else { return }
        if error.callsForReopen, side.reopenReason == nil { side.reopenReason = error.message }
        writeHealth.failed(error, counted: counted)
    }

    /// The error of every write while the database is not open.
    func notOpen(_ operation: String, _ side: WriteSide) -> StoreError {
        StoreError.notOpen(operation, path: path, reason: side.reopenReason ?? "not opened yet")
    }

    /// Whether writes succeed now.
    package var health: StoreHealth { writeHealth.current }

    /// Bytes free on the volume that holds (or will hold) the database at `path`, or nil.
    package static func freeBytes(forDatabaseAt path: String) -> Int? {
        StorageBudget.freeBytes(at: path)
    }

    /// Below this much free space the daemon warns at start-up (the store keeps its WAL and growth
    /// steps small from 512 MiB down: `StorageBudget`).
    package static let lowSpaceBytes = StorageBudget.lowSpaceBytes

    /// Rolls back the write connection's transaction, and with it whatever its `stickyPools` filled in it.
    func rollback(_ side: WriteSide) {
        side.writer?.rollbackQuietly()
        side.writer?.stickyPools.forgetAll()
    }

    /// Runs `body` on a read-only connection (in autocommit: wrap several queries in BEGIN/COMMIT).
    func read<T>(_ operation: String, _ body: (SQLiteConnection) throws -> T) throws -> T {
        try readers.withConnection(operation, body)
    }

    package func ping() throws {
        _ = try read("ping") { try $0.scalar("SELECT 1", [], "ping") }
    }

    /// Checkpoints the WAL into the database file, finalizes every statement and closes every
    /// connection. Idempotent; every later call throws `StoreError`.
    package func close() {
        writing.withLock { side in
            guard !side.isClosed else { return }
            side.isClosed = true
            readers.close()
            checkpointer?.close()
            if let writer = side.writer, !writer.isReadOnly {
                try? writer.executeScript("PRAGMA wal_checkpoint(TRUNCATE)", "checkpoint")
            }
            side.writer?.close()
        }
    }

    /// `PRAGMA integrity_check`: "ok" for a sound database, else SQLite's list of problems.
    package func integrityCheck() throws -> String {
        try read("check integrity") { connection in
            var lines: [String] = []
            try connection.query("PRAGMA integrity_check", [], "check integrity") { row in
                lines.append(row.text(0) ?? "")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// How many routing decisions are stored.
    package func decisionCount() throws -> Int {
        try read("count decisions") { try $0.scalar("SELECT count(*) FROM decisions", [], "count decisions")?.int ?? 0 }
    }
}

/// The SQLite store's group commit.
typealias SQLiteBatch = GroupCommit<SQLiteConnection>

/// Lets a group commit reach its store without keeping it alive.
final class BatchRunner<Store: AnyObject>: Sendable {
    private let weakStore = Mutex(Weak())
    private struct Weak: @unchecked Sendable { weak var store: Store? }

    var store: Store? {
        get { weakStore.withLock { $0.store } }
        set { weakStore.withLock { $0.store = newValue } }
    }

    func abandon<Connection>(_ batch: [GroupCommit<Connection>.Job]) {
        for job in batch {
            job.error = StoreError(operation: "cannot route", code: SQLITE_MISUSE, message: "the store is gone")
            job.work = nil
        }
    }
}

/// The pools whose rows in the `sticky` table this store knows to be complete: filled from the
/// decisions once (the pool may have been made sticky since, or another process may have decided
/// without keeping the table), then kept by each decision in the pool. Used in write transactions only.
final class StickyPools {
    private var ready: Set<String> = []

    /// Before a decision in `query`'s pools: fills the table for each sticky pool not known complete,
    /// and forgets the pools that are no longer sticky, so that they are filled again if they become so.
    func prepare(_ connection: SQLiteConnection, _ query: StateQuery) throws {
        for (pool, needs) in query.pools {
            if needs.contains(.sticky) {
                guard !ready.contains(pool) else { continue }
                try connection.fillSticky(pool: pool, now: query.now, window: query.stickyWindow, "route")
                ready.insert(pool)
            } else if !ready.isEmpty {
                ready.remove(pool)
            }
        }
    }

    func isReady(_ pool: String) -> Bool { ready.contains(pool) }

    /// After a rollback: what was filled in it is gone.
    func forgetAll() { ready.removeAll() }
}
