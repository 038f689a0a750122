import FoundationEssentials

/// What `--db` names: a PostgreSQL database (`postgresql://...` or `postgres://...`, completed by
/// libpq's environment: `PGHOST`, `PGPASSWORD`, a service file, `sslmode`...) or a SQLite file (anything
/// else). Every command opens its store here, so that each accepts either.
package enum StoreLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    package init(_ location: String) {
        self = PostgresURL.matches(location) ? .postgres(url: location) : .sqlite(path: location)
    }

    /// How logs and errors show it: a URL's password masked.
    package var display: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): PostgresURL.redacted(url)
        }
    }

    package var isPostgres: Bool {
        if case .postgres = self { return true }
        return false
    }

    /// Whether there is something to read: a SQLite file that exists, or any PostgreSQL URL (the
    /// server says whether the database exists).
    package var exists: Bool {
        switch self {
        case .sqlite(let path): FileManager.default.fileExists(atPath: path)
        case .postgres: true
        }
    }

    /// Opens the store.
    /// - Parameters:
    ///   - readOnly: for listings and dry runs: nothing is written (nor migrated).
    ///   - retrying: the daemon: a database that cannot be opened (reached) yet starts the store
    ///     degraded, and `maintain()` goes on trying.
    ///   - durableCommits: SQLite's `synchronous=FULL` (PostgreSQL commits as its server is configured).
    package func open(readOnly: Bool = false, retrying: Bool = false, durableCommits: Bool = false,
                      batchObserver: (@Sendable (StoreBatchTiming) -> Void)? = nil,
                      healthObserver: (@Sendable (StoreHealthEvent) -> Void)? = nil) throws -> any SwitchboardStore {
        switch self {
        case .sqlite(let path):
            try SQLiteStore(path: path, durability: durableCommits ? .full : .normal, readOnly: readOnly, retryingOpen: retrying,
                            batchObserver: batchObserver, healthObserver: healthObserver)
        case .postgres(let url):
            try PostgresStore(url: url, readOnly: readOnly, retryingOpen: retrying, batchObserver: batchObserver,
                              healthObserver: healthObserver)
        }
    }
}
