import Dispatch
import Foundation
import Routing
import Testing
import TestSupport
@testable import Store

/// What only the PostgreSQL store has: several instances on one database, migrations raced, an
/// unreachable server, the password kept out of sight.
@Suite struct PostgresStoreTests {
    static let members = ["+15551111111", "+15551111112", "+15551111113"]

    /// Eight instances start at once on an empty schema: one migrates, the others wait for its
    /// advisory lock and find the schema done; then four of them decide concurrently, in two pools
    /// asked for in opposite orders (no deadlock), and the rotation in each pool is exact.
    @Test(.enabled(if: PostgresTestServer.url != nil, Comment(rawValue: PostgresTestServer.skipMessage)))
    func instancesStartingTogetherMigrateOnceAndShareTheRotation() throws {
        let db = try TestDatabase(.postgres)
        defer { db.remove() }
        let opened = Locked<[PostgresStore]>([])
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do {
                let store = try PostgresStore(url: db.location)
                opened.withLock { $0.append(store) }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        let stores = opened.current
        defer { for store in stores { store.close() } }
        #expect(failures.current.isEmpty, "\(failures.current)")
        #expect(try count(stores[0], "SELECT count(*) FROM schema_version") == 1)
        #expect(try count(stores[0], "SELECT max(version) FROM schema_version") == PostgresSchema.migrations.count)

        let total = 600
        let finished = runThreads(16, timeout: 120) { thread in
            let store = stores[thread % 4]
            for i in stride(from: thread, to: total, by: 16) {
                // Both pools in one decision, named in either order: the batch locks them sorted.
                let pools = i % 2 == 0 ? ["a", "b"] : ["b", "a"]
                let query = StateQuery(pools: Dictionary(uniqueKeysWithValues: pools.map { ($0, StateNeeds.position) }),
                                       caller: "+1", now: Date())
                do {
                    _ = try store.route(query) { states -> (Int, [DecisionRecord]) in
                        let records = pools.map { pool -> DecisionRecord in
                            let last = states[pool]?.lastMember.flatMap { Self.members.firstIndex(of: $0) }
                            let next = Self.members[last.map { ($0 + 1) % 3 } ?? 0]
                            return DecisionRecord(time: Date(), channel: .voice, id: "c\(i)", from: "+1", to: "+2", pool: pool, member: next)
                        }
                        return (0, records)
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(finished)
        #expect(failures.current.isEmpty, "\(failures.current.prefix(3))")
        for pool in ["a", "b"] {
            let order = try membersInOrder(stores[0], pool: pool)
            #expect(order.count == total)
            #expect(order.enumerated().allSatisfy { $0.element == Self.members[$0.offset % 3] }, "pool \(pool): rotation broken")
        }
    }

    /// Connections cut under the store (a restart, a failover, a firewall): a read finds its kept
    /// connection dead and retries on a new one; the idle probe (no write meanwhile) finds the write
    /// connection gone, so the store is degraded and a decision fails at once (the caller falls back); `maintain()` connects again: healthy, and decisions go on from the position.
    @Test(.enabled(if: PostgresTestServer.url != nil, Comment(rawValue: PostgresTestServer.skipMessage)))
    func cutConnectionsAreMadeAgain() throws {
        let name = "cut_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try PostgresTestServer.admin("CREATE DATABASE \(name)")
        defer { try? PostgresTestServer.admin("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        let url = try #require(PostgresTestServer.url).replacingOccurrences(of: "/postgres?", with: "/\(name)?")
        let store = try Self.quicklyHealing(url, idleProbeSeconds: 0.2)
        defer { store.close() }
        #expect(try store.route(positionQuery(), roundRobin(Self.members)) == Self.members[0])
        try store.ping()
        try PostgresTestServer.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'")
        try store.ping()
        // Nothing written since: the idle probe finds the connection gone.
        Thread.sleep(forTimeInterval: 0.3)
        store.maintain()
        #expect(store.health.state == .degraded, "the idle probe did not notice")
        #expect(throws: StoreError.self) { _ = try store.route(positionQuery(), roundRobin(Self.members)) }
        #expect(store.health.state == .degraded)
        #expect(Self.maintainUntilHealthy(store))
        #expect(try store.route(positionQuery(), roundRobin(Self.members)) == Self.members[1])
    }

    /// Another instance stuck holding a pool's row (stopped in mid-transaction): a decision in that
    /// pool waits at most lock_timeout (5 s), then fails (answered from the routes) and the store is
    /// degraded; other pools are not held up.
    @Test(.enabled(if: PostgresTestServer.url != nil, Comment(rawValue: PostgresTestServer.skipMessage)))
    func aPoolHeldByAStuckInstanceFailsAfterTheLockTimeout() throws {
        let db = try TestDatabase(.postgres)
        defer { db.remove() }
        let store = try db.open()
        defer { store.close() }
        _ = try store.route(positionQuery(), roundRobin(Self.members))
        let stuck = try PostgresConnection(url: db.location, redacted: "", environment: [:])
        defer { stuck.close() }
        try stuck.script("BEGIN; SELECT * FROM pool_state WHERE pool = 'sales' FOR UPDATE", "test")
        #expect(try store.route(positionQuery(pool: "other"), roundRobin(Self.members, pool: "other")) == Self.members[0])
        let started = Date()
        #expect(throws: StoreError.self) { _ = try store.route(positionQuery(), roundRobin(Self.members)) }
        let waited = Date().timeIntervalSince(started)
        #expect(waited > 4 && waited < 8, "waited \(waited) s")
        #expect(store.health.state == .degraded)
        stuck.rollbackQuietly()
    }

    /// Early lock release: a batch commits without waiting for the disk, and its barrier with the
    /// server's durability. While the barrier cannot commit (held here by a lock on the writer's
    /// barrier row), the decision is committed and its pool's row is free for another instance,
    /// but its caller is not answered; once the barrier commits, it is.
    @Test(.enabled(if: PostgresTestServer.url != nil, Comment(rawValue: PostgresTestServer.skipMessage)))
    func aBatchFreesItsPoolsAtTheCommitAndAnswersOnceTheBarrierIsDurable() throws {
        let db = try TestDatabase(.postgres)
        defer { db.remove() }
        let store = try db.open()
        defer { store.close() }
        let other = try PostgresConnection(url: db.location, redacted: "", environment: [:])
        defer { other.close() }
        // What durability each decision's transaction asked for, and each barrier's.
        try other.script("""
            CREATE TABLE seen (what text, setting text);
            CREATE FUNCTION note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                INSERT INTO seen VALUES (TG_TABLE_NAME, current_setting('synchronous_commit')); RETURN NEW; END $$;
            CREATE TRIGGER note AFTER INSERT ON decisions FOR EACH ROW EXECUTE FUNCTION note();
            CREATE TRIGGER note AFTER INSERT OR UPDATE ON commit_barrier FOR EACH ROW EXECUTE FUNCTION note()
            """, "test")
        #expect(try store.route(positionQuery(), roundRobin(Self.members)) == Self.members[0])
        #expect(try other.query("SELECT count(*) FROM commit_barrier", [], "test").scalar == "1")
        #expect(try other.query("SELECT what, setting FROM seen", [], "test").values == [["decisions", "off"], ["commit_barrier", "on"]])
        try other.script("BEGIN; SELECT * FROM commit_barrier FOR UPDATE", "test")

        let answered = Locked<Result<String, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let result = Result { try store.route(positionQuery(), roundRobin(Self.members)) }
            answered.withLock { $0 = result }
            done.signal()
        }
        let watcher = try PostgresConnection(url: db.location, redacted: "", environment: [:])
        defer { watcher.close() }
        let deadline = Date().addingTimeInterval(10)
        while try watcher.query("SELECT count(*) FROM decisions", [], "test").scalar != "2", Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        // Committed, the pool's row free, the caller still waiting.
        #expect(try watcher.query("SELECT count(*) FROM decisions", [], "test").scalar == "2")
        try watcher.script("BEGIN", "test")
        let locked = try watcher.query("SELECT last_member FROM pool_state WHERE pool = 'sales' FOR UPDATE NOWAIT", [], "test")
        #expect(locked.scalar == Self.members[1])
        watcher.rollbackQuietly()
        #expect(done.wait(timeout: .now() + 0.3) == .timedOut, "answered before its commit was durable")
        #expect(answered.current == nil)

        other.rollbackQuietly()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(try answered.current?.get() == Self.members[1])
    }

    /// A barrier that fails after its batch committed: the caller gets the error (it is answered
    /// from the routes, never as committed), the batch is not run again (one decision, not two),
    /// the store is degraded, and once the barrier works again the rotation goes on from the
    /// committed position.
    @Test(.enabled(if: PostgresTestServer.url != nil, Comment(rawValue: PostgresTestServer.skipMessage)))
    func aFailedBarrierIsAnErrorAndTheBatchIsNotRunAgain() throws {
        let db = try TestDatabase(.postgres)
        defer { db.remove() }
        let store = try Self.quicklyHealing(db.location)
        defer { store.close() }
        let admin = try PostgresConnection(url: db.location, redacted: "", environment: [:])
        defer { admin.close() }
        // The barrier's statement fails when it runs, after the commit before it.
        try admin.script("""
            CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no barrier today'; END $$;
            CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON commit_barrier FOR EACH ROW EXECUTE FUNCTION refuse()
            """, "test")
        let error = #expect(throws: StoreError.self) { _ = try store.route(positionQuery(), roundRobin(Self.members)) }
        #expect(error?.isStorageFault == true)
        #expect("\(error.map { "\($0)" } ?? "")".contains("durability is not confirmed: no barrier today"))
        #expect(try decisionCount(store) == 1)
        #expect(store.health.state == .degraded)

        try admin.script("DROP TRIGGER refuse ON commit_barrier", "test")
        #expect(Self.maintainUntilHealthy(store))
        #expect(try store.route(positionQuery(), roundRobin(Self.members)) == Self.members[1])
        #expect(try membersInOrder(store) == Array(Self.members[0...1]))
    }

    /// A server that cannot be reached (no cluster needed): the daemon's store starts degraded, fails writes at once,
    /// and never shows the password.
    @Test func anUnreachableServerStartsDegradedAndHidesThePassword() throws {
        let url = "postgresql://switchboard:s3cr%21t@/nowhere?host=/nonexistent-socket-dir&password=other-secret"
        let events = Locked<[StoreHealthEvent]>([])
        let store = try PostgresStore(url: url, retryingOpen: true, healthObserver: { event in events.withLock { $0.append(event) } })
        defer { store.close() }
        #expect(store.health.state == .degraded)
        let started = Date()
        let error = #expect(throws: StoreError.self) { _ = try store.route(positionQuery(), roundRobin(Self.members)) }
        #expect(Date().timeIntervalSince(started) < 1, "a write without a connection fails at once")
        let texts = ["\(error.map { "\($0)" } ?? "")", store.health.summary(at: Date()), store.redactedURL]
        for text in texts {
            #expect(!text.contains("s3cr"), "\(text)")
            #expect(!text.contains("other-secret"), "\(text)")
        }
        #expect(store.redactedURL == "postgresql://switchboard:***@/nowhere?host=/nonexistent-socket-dir&password=***")
        // Without retrying (a command), it throws, with the password masked too.
        #expect { _ = try PostgresStore(url: url) } throws: { error in !"\(error)".contains("s3cr") && !"\(error)".contains("other-secret") }
    }

    /// A store that retries and settles within a fraction of a second.
    static func quicklyHealing(_ url: String, idleProbeSeconds: Double = 5) throws -> PostgresStore {
        try PostgresStore(url: url, readOnly: false, retryingOpen: false, environment: [:],
                          healthPolicy: .init(settleSeconds: 0.2, firstRetrySeconds: 0.05, maxRetrySeconds: 0.2),
                          idleProbeSeconds: idleProbeSeconds, batchObserver: nil, healthObserver: nil)
    }

    /// Runs `maintain()` as the daemon does until the store is healthy (at most 10 s).
    static func maintainUntilHealthy(_ store: PostgresStore) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while !store.health.isHealthy, Date() < deadline {
            store.maintain()
            Thread.sleep(forTimeInterval: 0.05)
        }
        return store.health.isHealthy
    }

    @Test func locationsChooseTheStore() {
        #expect(StoreLocation("postgresql://db/switchboard").isPostgres)
        #expect(StoreLocation("POSTGRES://u@db/x").isPostgres)
        #expect(!StoreLocation("/var/lib/switchboard/switchboard.sqlite").isPostgres)
        #expect(!StoreLocation("postgresql.sqlite").isPostgres)
        #expect(StoreLocation("postgres://u:pw@db:5432/x?sslmode=require").display == "postgres://u:***@db:5432/x?sslmode=require")
        #expect(PostgresURL.redacted("postgresql:///x?host=/run/pg") == "postgresql:///x?host=/run/pg")
    }
}
