import CSQLite
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The device and inode of a file: the same path naming another file (replaced, or deleted and
/// created again) has another identity.
struct FileIdentity: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64

    /// Nil when `path` cannot be stat'ed.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0 || errno != ENOENT
    }
}

extension SQLiteStore {
    /// What happened to the database file under the store.
    enum FileChange: Equatable {
        case deleted
        case replaced
    }

    /// Upkeep, from one thread, about every half second (the daemon's store monitor):
    /// - when the file at `path` is no longer the one the store has open (deleted, or replaced by
    ///   another), opens the file at `path` again; a deleted file's contents are copied into the
    ///   new one first, so that no decision is lost with it;
    /// - while degraded, on a doubling backoff: opens the database again where the failure calls for
    ///   it (read-only, I/O error, never opened) and tries a write, so that the store is healthy again
    ///   as soon as writes work, whether or not requests come in.
    package func maintain() {
        guard !openedReadOnly else { return }
        if let change = fileChange() { reopen(after: change) }
        guard writeHealth.retryDue() else { return }
        let result: Result<Void, any Error> = writing.withLock { side in
            guard !side.isClosed else { return .success(()) }
            return Result {
                if side.writer == nil || side.reopenReason != nil || side.writer?.isReadOnly == true { try reopenWriter(&side) }
                try probeWrite(side)
            }
        }
        switch result {
        case .success: writeHealth.succeeded()
        case .failure(let error): writing.withLock { noteFailure(error, counted: false, &$0) }
        }
    }

    /// Whether the file at `path` is still the one the write connection opened. While it is, the
    /// WAL's identity is noted too, to know it for ours once the file has been replaced.
    func fileChange() -> FileChange? {
        guard let known = writing.withLock({ $0.isClosed ? nil : $0.identity }) else { return nil }
        if let current = FileIdentity(path: path) {
            guard current == known else { return .replaced }
            let wal = FileIdentity(path: path + "-wal")
            writing.withLock { $0.walIdentity = wal }
            return nil
        }
        return FileIdentity.exists(path) ? nil : .deleted
    }

    private func reopen(after change: FileChange) {
        let reason: String = writing.withLock { side in
            guard !side.isClosed, let old = side.writer else { return "" }
            readers.reset()
            checkpointer?.disconnect()
            var reason = change == .deleted ? "the database file was deleted" : "the database file was replaced"
            if change == .deleted {
                do {
                    let decisions = try salvage(old, &side)
                    reason += "; its \(decisions) decisions were copied into a new file"
                } catch {
                    reason += "; its contents could not be copied (\(error)), a new file was started"
                }
            }
            do {
                // SQLite neither checkpoints nor deletes the WAL of a file that moved: the one at the
                // path is still ours, and the new file must not be given its frames.
                try reopenWriter(staleWAL: side.walIdentity, &side)
            } catch {
                noteFailure(error, counted: false, &side)
                reason += "; the new file could not be opened: \(error)"
            }
            return reason
        }
        if !reason.isEmpty { writeHealth.report(.reopened(reason: reason)) }
    }

    /// Closes the write connection and opens the file at `path` again; `staleWAL`: the WAL (and
    /// shared memory) at the path are removed first if the WAL is still that file.
    func reopenWriter(staleWAL: FileIdentity? = nil, _ side: inout WriteSide) throws {
        readers.reset()
        checkpointer?.disconnect()
        rollback(side)
        side.writer?.close()
        side.writer = nil
        side.identity = nil
        if let staleWAL, FileIdentity(path: path + "-wal") == staleWAL {
            unlink(path + "-wal")
            unlink(path + "-shm")
        }
        side.walIdentity = nil
        let reopened = try Self.openWriter(path: path, durability: durability, readOnly: false, budget: budget)
        guard !reopened.isReadOnly else {
            reopened.close()
            side.reopenReason = "it is read-only"
            throw StoreError(operation: "cannot open database at \(path) for writing", code: SQLITE_READONLY,
                             message: "the file or its directory is read-only")
        }
        checkpointer?.attach(to: reopened)
        side.writer = reopened
        side.identity = FileIdentity(path: path)
        side.walIdentity = FileIdentity(path: path + "-wal")
        side.reopenReason = nil
    }

    /// A write that changes nothing a user sees.
    func probeWrite(_ side: WriteSide) throws {
        guard let writer = side.writer else { throw notOpen("check writes", side) }
        let operation = "check writes"
        do {
            try writer.execute("BEGIN IMMEDIATE", [], operation)
            try writer.execute("INSERT INTO store_probe (id, time) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET time = excluded.time",
                               [SQLValue(Date())], operation)
            try writer.execute("COMMIT", [], operation)
        } catch {
            rollback(side)
            throw error
        }
    }

    /// The database file was deleted under `old`, which still holds its contents: copies them (SQLite's
    /// backup API) into a new file at `path`, closes `old`, and removes the deleted file's WAL, so that
    /// the new file cannot be given its frames. Returns the decisions copied. With the readers and
    /// the checkpointer disconnected.
    private func salvage(_ old: SQLiteConnection, _ side: inout WriteSide) throws -> Int {
        let copy = path + ".salvage"
        unlink(copy)
        unlink(copy + "-journal")
        let target = try SQLiteConnection(path: copy, readOnly: false)
        defer { target.close() }
        guard let backup = sqlite3_backup_init(target.db, "main", old.db, "main") else {
            throw target.failure("copy the deleted database", sqlite3_errcode(target.db))
        }
        let step = sqlite3_backup_step(backup, -1)
        let finish = sqlite3_backup_finish(backup)
        guard step == SQLITE_DONE, finish == SQLITE_OK else {
            unlink(copy)
            throw target.failure("copy the deleted database", step == SQLITE_DONE ? finish : step)
        }
        let decisions = try target.scalar("SELECT count(*) FROM decisions", [], "count the copied decisions")?.int ?? 0
        target.close()
        rollback(side)
        old.close()
        side.writer = nil
        // The name may have been taken since (another process opened the path): then that file stays.
        guard !FileIdentity.exists(path) else {
            unlink(copy)
            throw StoreError(operation: "cannot put the copy in place at \(path)", code: SQLITE_CANTOPEN,
                             message: "a new file appeared there first")
        }
        unlink(path + "-wal")
        unlink(path + "-shm")
        guard link(copy, path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(copy)
            throw StoreError(operation: "cannot put the copy in place at \(path)", code: SQLITE_CANTOPEN, message: message)
        }
        unlink(copy)
        return decisions
    }
}
