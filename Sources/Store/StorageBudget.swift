#if canImport(Glibc)
import Glibc
#endif

/// How much of its volume the store lets SQLite claim at a time, chosen from the free space when the
/// database is opened, so that a small volume holds as many decisions as its size allows.
///
/// On a roomy volume these are the settings the benchmarks chose: the file grows in 8 MiB steps
/// (`Checkpointer.fileChunkBytes`) and the WAL is checkpointed at 1,000 pages and left at its size.
/// On a 2 MiB volume an 8 MiB step cannot be taken at all and a 1,000-page WAL (4 MiB) never fits:
/// the store was full after about 200 decisions. There the steps shrink, the WAL is checkpointed
/// sooner and truncated back after each complete checkpoint.
struct StorageBudget: Equatable, Sendable {
    /// `SQLITE_FCNTL_CHUNK_SIZE`: the file grows in steps this large (0: page by page).
    var chunkBytes: Int
    /// WAL pages after a commit that ask for a checkpoint.
    var checkpointPages: Int
    /// `PRAGMA journal_size_limit`: the WAL is truncated to this after a checkpoint resets it (-1: never).
    var walLimitBytes: Int

    /// Below this much free space the daemon warns at start-up.
    static let lowSpaceBytes = 64 << 20
    /// From this much free space up, the roomy settings.
    static let roomyBytes = 512 << 20

    static func forFreeSpace(_ free: Int?, pageSize: Int = 4096, checkpointPages: Int = 1000) -> StorageBudget {
        let roomy = StorageBudget(chunkBytes: Checkpointer.fileChunkBytes, checkpointPages: checkpointPages, walLimitBytes: -1)
        guard let free, free < roomyBytes else { return roomy }
        // A step of at most 1/64 of the free space, a power of two, none below 64 KiB.
        var chunk = 64 << 10
        while chunk * 2 <= min(free / 64, Checkpointer.fileChunkBytes) { chunk *= 2 }
        if chunk > free / 64 { chunk = 0 }
        // A WAL of at most 1/16 of the free space between checkpoints.
        let pages = min(checkpointPages, max(16, free / 16 / max(pageSize, 512)))
        return StorageBudget(chunkBytes: chunk, checkpointPages: pages, walLimitBytes: pages * pageSize * 2)
    }

    /// Bytes free to an unprivileged user on the volume holding `path` (its directory when the file
    /// does not exist yet), or nil when that cannot be read.
    static func freeBytes(at path: String) -> Int? {
        var info = statvfs()
        if statvfs(path, &info) != 0 {
            let slash = path.lastIndex(of: "/")
            let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
            guard statvfs(directory, &info) == 0 else { return nil }
        }
        return Int(info.f_bavail) * Int(info.f_frsize)
    }
}
