import CSQLite
import FoundationEssentials
import Platform
import Routing
import Synchronization

/// The shared `SwitchboardStore`: one PostgreSQL database for any number of Switchboard instances,
/// over libpq.
///
/// Decisions go through one write connection per instance, in group-commit batches: a batch locks
/// the rows of its pools in `pool_state` (in one order, so two instances never deadlock), so
/// decisions in one pool are serialised across every instance, as SQLite's write lock does for
/// processes on one file; other pools are decided in parallel. A batch releases its rows as soon as
/// its commit is written, not once it is on disk, and answers its callers only once it is (early
/// lock release: see `lock(_:_:)`). Reads use a small pool of connections.
///
/// When the server cannot be reached, writes fail at once (the store is degraded: callers answer
/// from the routes alone) and `maintain()` reconnects with a doubling backoff.
package final class PostgresStore: SwitchboardStore, Sendable {
    /// The URL as given (with its password: never logged) and as shown.
    let url: String
    package let redactedURL: String
    let environment: [String: String]
    let openedReadOnly: Bool

    struct WriteSide: @unchecked Sendable {
        /// Nil while the server cannot be reached.
        var connection: PostgresConnection?
        var isClosed = false
        /// Why the connection must be made again before the next retry (nil: it need not).
        var reopenReason: String?
    }
    let writing: Mutex<WriteSide>
    let readers: PostgresReaders
    let groupCommit: GroupCommit<PostgresConnection>
    let writeHealth: WriteHealth
    let batchObserver: (@Sendable (StoreBatchTiming) -> Void)?
    /// While healthy, a write is tried this often even without traffic, so that a server gone while
    /// nothing was written shows in `/healthz` before the next call finds it.
    let idleProbeSeconds: Double
    let lastProbe = Mutex(Date())

    /// Connects to `url` and migrates the schema (`readOnly`: neither migrates nor writes).
    /// - Parameter retryingOpen: when the server cannot be reached, start degraded and let
    ///   `maintain()` go on trying instead of throwing (the daemon).
    package convenience init(url: String, readOnly: Bool = false, retryingOpen: Bool = false,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            batchObserver: (@Sendable (StoreBatchTiming) -> Void)? = nil,
                            healthObserver: (@Sendable (StoreHealthEvent) -> Void)? = nil) throws {
        try self.init(url: url, readOnly: readOnly, retryingOpen: retryingOpen, environment: environment,
                      healthPolicy: .init(), batchObserver: batchObserver, healthObserver: healthObserver)
    }

    init(url: String, readOnly: Bool, retryingOpen: Bool, environment: [String: String], readers: Int = 4,
         healthPolicy: WriteHealth.Policy, idleProbeSeconds: Double = 5, batchObserver: (@Sendable (StoreBatchTiming) -> Void)?,
         healthObserver: (@Sendable (StoreHealthEvent) -> Void)?) throws {
        self.url = url
        self.idleProbeSeconds = idleProbeSeconds
        redactedURL = PostgresURL.redacted(url)
        self.environment = environment
        openedReadOnly = readOnly
        self.batchObserver = batchObserver
        writeHealth = WriteHealth(policy: healthPolicy, observer: healthObserver)
        self.readers = PostgresReaders(url: url, redacted: redactedURL, environment: environment, limit: readers)
        var side = WriteSide()
        if !readOnly {
            do {
                side.connection = try Self.openWriter(url: url, redacted: redactedURL, environment: environment)
            } catch where retryingOpen {
                side.reopenReason = "it could not be reached"
                writeHealth.failed(error, counted: false)
            }
        }
        writing = Mutex(side)
        let runner = BatchRunner<PostgresStore>()
        groupCommit = GroupCommit(runner: runner, run: { $0.runBatch($1) }, observer: { $0.batchObserver })
        runner.store = self
        if readOnly { try self.readers.withConnection("connect") { _ in } }
    }

    deinit { close() }

    /// The write connection's settings. As SQLite's 5 s busy timeout: a batch waits at most 5 s for a
    /// pool's row that another instance holds (then its calls are answered from the routes); an
    /// instance stopped in the middle of a transaction loses it (and its locks) after 15 s; and the
    /// server notices a client host gone silent in about 25 s (TCP only).
    static let sessionSettings = """
        SET lock_timeout = '5s'; SET idle_in_transaction_session_timeout = '15s';
        SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3
        """

    /// A write connection, migrated and configured.
    static func openWriter(url: String, redacted: String, environment: [String: String]) throws -> PostgresConnection {
        let connection = try PostgresConnection(url: url, redacted: redacted, environment: environment)
        do {
            try PostgresSchema.migrate(connection)
            try connection.script(sessionSettings, "configure the connection")
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// Runs `body` in a transaction on the write connection; rolls back on error.
    @discardableResult
    func write<T>(_ operation: String, _ body: (PostgresConnection) throws -> T) throws -> T {
        try writing.withLock { side throws -> T in
            let connection = try writer(operation, side)
            do {
                try connection.script("BEGIN", operation)
                let result = try body(connection)
                try connection.commit(operation)
                writeHealth.succeeded()
                return result
            } catch {
                connection.rollbackQuietly()
                noteFailure(error, &side)
                throw error
            }
        }
    }

    /// The write connection, or the error every write gets without one.
    func writer(_ operation: String, _ side: WriteSide) throws -> PostgresConnection {
        guard !side.isClosed else { throw StoreError.closed(operation, path: redactedURL) }
        guard !openedReadOnly else {
            throw StoreError(operation: "cannot \(operation) on \(redactedURL)", code: SQLITE_READONLY, message: "opened read-only")
        }
        guard let connection = side.connection, side.reopenReason == nil else {
            throw StoreError.notOpen(operation, path: redactedURL, reason: side.reopenReason ?? "not connected")
        }
        return connection
    }

    /// A write failed: a storage fault (the server gone, full, read-only) makes the store degraded,
    /// and a lost connection is made again by `maintain()`.
    func noteFailure(_ error: any Error, counted: Bool = true, _ side: inout WriteSide) {
        guard let error = error as? StoreError, error.isStorageFault else { return }
        if error.callsForReopen || side.connection?.isOK == false, side.reopenReason == nil { side.reopenReason = error.message }
        writeHealth.failed(error, counted: counted)
    }

    /// Runs `body` on a read connection (in autocommit: wrap several queries in a transaction).
    func read<T>(_ operation: String, _ body: (PostgresConnection) throws -> T) throws -> T {
        try readers.withConnection(operation, body)
    }

    package var health: StoreHealth { writeHealth.current }

    package func ping() throws {
        _ = try read("ping") { try $0.query("SELECT 1", [], "ping") }
    }

    /// While degraded, on a doubling backoff: connects again when the connection is gone (outside
    /// the write lock, so that batches fail fast meanwhile rather than wait for a connect timeout)
    /// and tries a write; healthy again as soon as writes work.
    package func maintain() {
        guard !openedReadOnly else { return }
        guard writeHealth.retryDue() else { return probeWhileHealthy() }
        let reconnect = writing.withLock { side in
            !side.isClosed && (side.connection?.isOK != true || side.reopenReason != nil)
        }
        var fresh: PostgresConnection?
        if reconnect {
            readers.reset()
            do {
                fresh = try Self.openWriter(url: url, redacted: redactedURL, environment: environment)
            } catch {
                writing.withLock { noteFailure(error, counted: false, &$0) }
                return
            }
        }
        let result: Result<Void, any Error> = writing.withLock { side in
            guard !side.isClosed else {
                fresh?.close()
                return .success(())
            }
            if let fresh {
                side.connection?.close()
                side.connection = fresh
                side.reopenReason = nil
            }
            return Result { try probeWrite(side) }
        }
        switch result {
        case .success: writeHealth.succeeded()
        case .failure(let error): writing.withLock { noteFailure(error, counted: false, &$0) }
        }
    }

    /// Every `idleProbeSeconds` while healthy: a write that changes nothing a user sees; its failure
    /// makes the store degraded (and `maintain()` then reconnects).
    private func probeWhileHealthy() {
        let now = Date()
        let due = lastProbe.withLock { last in
            guard now.timeIntervalSince(last) >= idleProbeSeconds else { return false }
            last = now
            return true
        }
        guard due, writeHealth.current.isHealthy else { return }
        writing.withLock { side in
            guard !side.isClosed else { return }
            do {
                try probeWrite(side)
            } catch {
                noteFailure(error, counted: false, &side)
            }
        }
    }

    /// A write that changes nothing a user sees.
    func probeWrite(_ side: WriteSide) throws {
        let connection = try writer("check writes", side)
        try connection.execute(
            "INSERT INTO store_probe (id, time) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET time = excluded.time",
            [SQLValue(Date())], "check writes")
    }

    /// Closes every connection. Idempotent; every later call throws `StoreError`.
    package func close() {
        writing.withLock { side in
            guard !side.isClosed else { return }
            side.isClosed = true
            side.connection?.close()
            side.connection = nil
            readers.close()
        }
    }

    /// How many routing decisions are stored.
    package func decisionCount() throws -> Int {
        try read("count decisions") { Int(try $0.query("SELECT count(*) FROM decisions", [], "count decisions").scalar ?? "0") ?? 0 }
    }
}

/// Read connections, made when needed and kept up to `limit`; one broken is dropped.
final class PostgresReaders: Sendable {
    private struct Idle: @unchecked Sendable {
        var connections: [PostgresConnection] = []
        var isClosed = false
    }
    private let idle = Mutex(Idle())
    private let url: String
    private let redacted: String
    private let environment: [String: String]
    private let limit: Int

    init(url: String, redacted: String, environment: [String: String], limit: Int) {
        self.url = url
        self.redacted = redacted
        self.environment = environment
        self.limit = limit
    }

    /// Runs `body` on an idle connection, or a new one. A kept connection found dead (the server
    /// restarted since) is replaced once by a new one.
    func withConnection<T>(_ operation: String, _ body: (PostgresConnection) throws -> T) throws -> T {
        let reused: PostgresConnection? = try idle.withLock { idle in
            guard !idle.isClosed else { throw StoreError.closed(operation, path: redacted) }
            return idle.connections.popLast()
        }
        guard let reused else { return try run(PostgresConnection(url: url, redacted: redacted, environment: environment), body) }
        do {
            return try run(reused, body)
        } catch where !reused.isOK {
            reset()
            return try run(PostgresConnection(url: url, redacted: redacted, environment: environment), body)
        }
    }

    private func run<T>(_ connection: PostgresConnection, _ body: (PostgresConnection) throws -> T) throws -> T {
        defer {
            connection.rollbackQuietly()
            let kept = connection.isOK && idle.withLock { idle in
                guard !idle.isClosed, idle.connections.count < limit else { return false }
                idle.connections.append(connection)
                return true
            }
            if !kept { connection.close() }
        }
        return try body(connection)
    }

    /// Drops the idle connections (the server restarted: they are dead).
    func reset() {
        let dropped = idle.withLock { idle in
            defer { idle.connections.removeAll() }
            return idle.connections
        }
        for connection in dropped { connection.close() }
    }

    func close() {
        idle.withLock { $0.isClosed = true }
        reset()
    }
}
