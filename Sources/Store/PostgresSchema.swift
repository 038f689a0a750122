import CSQLite

/// The PostgreSQL schema as an ordered list of migrations, tracked in `schema_version`.
///
/// The same tables as SQLite's `Schema` at its version 9 (times are epoch seconds, `double
/// precision`), with what a shared database needs: decisions carry a sequence (SQLite's rowid),
/// `pool_state` rows exist before their first decision so that a batch can lock them, a batch's
/// early lock release has `commit_barrier` (see `PostgresStore.lock`), and sticky callers are
/// found through an index over the decisions (every instance sees every decision, so there is no
/// per-process table to keep complete). Append new steps; never edit a released one.
enum PostgresSchema {
    static let migrations: [String] = [
        // 1: the first schema.
        """
        CREATE TABLE decisions (
            seq bigint GENERATED ALWAYS AS IDENTITY,
            time double precision NOT NULL,
            channel text NOT NULL,
            id text NOT NULL,
            "from" text NOT NULL,
            "to" text NOT NULL,
            pool text NOT NULL,
            member text NOT NULL
        );
        CREATE INDEX decisions_pool_member_time ON decisions (pool, member, time);
        CREATE INDEX decisions_pool_from_time ON decisions (pool, "from", time);
        CREATE INDEX decisions_time ON decisions (time);
        CREATE INDEX decisions_voice_id ON decisions (id) WHERE channel = 'voice';

        -- last_member is NULL for a pool locked before its first decision.
        CREATE TABLE pool_state (
            pool text PRIMARY KEY,
            last_member text,
            updated double precision NOT NULL DEFAULT 0
        );

        CREATE TABLE status_events (
            kind text NOT NULL,
            id text NOT NULL,
            status text NOT NULL,
            sequence text NOT NULL DEFAULT '',
            time double precision NOT NULL,
            "from" text,
            "to" text,
            detail text,
            parent text,
            UNIQUE (kind, id, status, sequence)
        );
        CREATE INDEX status_events_time ON status_events (time);
        CREATE INDEX status_events_parent ON status_events (parent) WHERE parent IS NOT NULL;

        CREATE TABLE status_current (
            id text NOT NULL,
            kind text NOT NULL,
            status text NOT NULL,
            rank integer NOT NULL,
            updated double precision NOT NULL,
            PRIMARY KEY (id, kind)
        );
        CREATE INDEX status_current_updated ON status_current (updated);

        CREATE TABLE voicemails (
            call_id text NOT NULL,
            recording_url text NOT NULL,
            duration integer,
            "from" text,
            "to" text,
            time double precision NOT NULL,
            UNIQUE (call_id, recording_url)
        );
        CREATE INDEX voicemails_time ON voicemails (time);
        CREATE INDEX voicemails_call ON voicemails (call_id);

        CREATE TABLE threads (
            pool_number text NOT NULL,
            member text NOT NULL,
            customer text NOT NULL,
            time double precision NOT NULL,
            PRIMARY KEY (pool_number, member, customer)
        );
        CREATE INDEX threads_customer_time ON threads (pool_number, customer, time);

        CREATE TABLE store_probe (
            id integer PRIMARY KEY CHECK (id = 1),
            time double precision NOT NULL
        );

        CREATE TABLE opt_outs (
            pool_number text NOT NULL,
            customer text NOT NULL,
            keyword text NOT NULL,
            time double precision NOT NULL,
            PRIMARY KEY (pool_number, customer)
        );

        CREATE TABLE calls (
            id text PRIMARY KEY,
            time double precision NOT NULL,
            number text NOT NULL,
            caller text NOT NULL,
            pool text NOT NULL,
            outcome text,
            member text,
            answered double precision,
            ended double precision,
            talk integer,
            rung text NOT NULL DEFAULT '',
            recording_url text,
            recording_seconds integer,
            due double precision
        );
        CREATE INDEX calls_time ON calls (time);
        CREATE INDEX calls_due ON calls (due) WHERE due IS NOT NULL;

        CREATE TABLE notifications (
            key text PRIMARY KEY,
            call_id text NOT NULL,
            event text NOT NULL,
            channel text NOT NULL,
            target text NOT NULL,
            payload text NOT NULL,
            created double precision NOT NULL,
            attempts integer NOT NULL DEFAULT 0,
            next_attempt double precision NOT NULL,
            sent double precision,
            failed double precision,
            last_error text
        );
        CREATE INDEX notifications_due ON notifications (next_attempt) WHERE sent IS NULL AND failed IS NULL;
        CREATE INDEX notifications_created ON notifications (created);

        CREATE TABLE number_handlers (
            number text PRIMARY KEY,
            number_id text NOT NULL,
            fields text NOT NULL,
            saved double precision NOT NULL
        );
        """,
        // 2: who is off duty, and offers in a row not answered (SQLite's version 9). Never pruned.
        """
        CREATE TABLE member_pauses (
            pool text NOT NULL,
            member text NOT NULL,
            paused_by text NOT NULL,
            reason text,
            until double precision,
            since double precision NOT NULL,
            PRIMARY KEY (pool, member)
        );
        CREATE TABLE member_misses (
            pool text NOT NULL,
            member text NOT NULL,
            misses integer NOT NULL,
            PRIMARY KEY (pool, member)
        );
        """,
        // 3: the barrier after a batch's early lock release (see `PostgresStore.lock`): a row per
        // server backend that writes batches, pruned with the rest.
        """
        CREATE TABLE commit_barrier (
            backend integer PRIMARY KEY,
            time double precision NOT NULL
        );
        """,
    ]

    /// The advisory lock every instance takes to migrate: one at a time, whatever starts together.
    static let lockKey = 0x5377_6974_6368_0001  // "Switch" 1

    /// Brings the database up to the newest version under `pg_advisory_lock`, one transaction per
    /// step, reading the version again once the lock is held (another instance may have migrated
    /// meanwhile). A database newer than `migrations` is refused.
    static func migrate(_ connection: PostgresConnection, migrations: [String] = migrations) throws {
        let operation = "migrate the schema"
        try connection.script("SELECT pg_advisory_lock(\(lockKey))", operation)
        defer { try? connection.script("SELECT pg_advisory_unlock(\(lockKey))", operation) }
        try connection.script("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)", operation)
        var version = try self.version(connection)
        try refuseNewer(version, latest: migrations.count, connection)
        while version < migrations.count {
            do {
                try connection.script("BEGIN", operation)
                try connection.script(migrations[version], "migrate the schema to version \(version + 1)")
                try connection.script("DELETE FROM schema_version; INSERT INTO schema_version VALUES (\(version + 1)); COMMIT", operation)
                version += 1
            } catch {
                connection.rollbackQuietly()
                throw error
            }
        }
    }

    /// The schema's version (0: none yet).
    static func version(_ connection: PostgresConnection) throws -> Int {
        let exists = try connection.query("SELECT to_regclass('schema_version') IS NOT NULL", [], "read the schema version")
        guard exists.scalar == "t" else { return 0 }
        return Int(try connection.query("SELECT coalesce(max(version), 0) FROM schema_version", [], "read the schema version").scalar ?? "0") ?? 0
    }

    static func refuseNewer(_ version: Int, latest: Int, _ connection: PostgresConnection) throws {
        guard version > latest else { return }
        throw StoreError(
            operation: "cannot open database at \(connection.redacted)", code: SQLITE_ERROR,
            message: "its schema version \(version) is newer than this Switchboard knows (\(latest)); upgrade Switchboard")
    }
}
