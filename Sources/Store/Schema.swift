import CSQLite

/// The database schema as an ordered list of migrations, tracked by `PRAGMA user_version`.
///
/// Migration `i` takes a database at version `i` to version `i + 1`. Append new steps; never edit
/// a released one. Times are Unix epoch seconds (REAL).
enum Schema {
    static let migrations: [String] = [
        // 1: the first schema.
        """
        CREATE TABLE decisions (
            time REAL NOT NULL,
            channel TEXT NOT NULL,
            id TEXT NOT NULL,
            "from" TEXT NOT NULL,
            "to" TEXT NOT NULL,
            pool TEXT NOT NULL,
            member TEXT NOT NULL
        );
        -- lastOffered and recentCounts (per member of a pool, by time).
        CREATE INDEX decisions_pool_member_time ON decisions (pool, member, time);
        -- sticky: the newest decision for (pool, caller).
        CREATE INDEX decisions_pool_from_time ON decisions (pool, "from", time);
        -- per dialed number and member (dropped by migration 2).
        CREATE INDEX decisions_to_member_time ON decisions ("to", member, time);
        -- prune, stats, recent decisions.
        CREATE INDEX decisions_time ON decisions (time);

        CREATE TABLE pool_state (
            pool TEXT PRIMARY KEY,
            last_member TEXT NOT NULL,
            updated REAL NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE status_events (
            kind TEXT NOT NULL,
            id TEXT NOT NULL,
            status TEXT NOT NULL,
            sequence TEXT NOT NULL DEFAULT '',
            time REAL NOT NULL,
            "from" TEXT,
            "to" TEXT,
            detail TEXT,
            UNIQUE (kind, id, status, sequence)
        );
        CREATE INDEX status_events_time ON status_events (time);

        -- The current (furthest) status of each call or message; rank from StatusProgress.
        CREATE TABLE status_current (
            id TEXT NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            rank INTEGER NOT NULL,
            updated REAL NOT NULL,
            PRIMARY KEY (id, kind)
        ) WITHOUT ROWID;
        CREATE INDEX status_current_updated ON status_current (updated);

        CREATE TABLE voicemails (
            call_id TEXT NOT NULL,
            recording_url TEXT NOT NULL,
            duration INTEGER,
            "from" TEXT,
            "to" TEXT,
            time REAL NOT NULL,
            UNIQUE (call_id, recording_url)
        );
        CREATE INDEX voicemails_time ON voicemails (time);

        CREATE TABLE conversations (
            pool_number TEXT NOT NULL,
            member TEXT NOT NULL,
            customer TEXT NOT NULL,
            time REAL NOT NULL,
            PRIMARY KEY (pool_number, member)
        ) WITHOUT ROWID;
        CREATE INDEX conversations_time ON conversations (time);
        """,
        // 2: nothing reads decisions by ("to", member); its index cost a B-tree insert per decision.
        """
        DROP INDEX IF EXISTS decisions_to_member_time;
        """,
        // 3: sticky pools remember each caller's newest member in a table of their own, kept only for
        // pools that are sticky (and filled from the decisions when a pool becomes sticky), instead of
        // an index over every decision by caller: that index dirtied a page at random per decision.
        """
        CREATE TABLE sticky (
            pool TEXT NOT NULL,
            caller TEXT NOT NULL,
            member TEXT NOT NULL,
            time REAL NOT NULL,
            PRIMARY KEY (pool, caller)
        ) WITHOUT ROWID;
        DROP INDEX IF EXISTS decisions_pool_from_time;
        """,
        // 4: one row that the store rewrites to learn whether writes work again after they failed,
        // without writing anything a user sees.
        """
        CREATE TABLE store_probe (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            time REAL NOT NULL
        );
        """,
        // 5: customers who texted STOP to a pool number (and have not texted START since).
        """
        CREATE TABLE opt_outs (
            pool_number TEXT NOT NULL,
            customer TEXT NOT NULL,
            keyword TEXT NOT NULL,
            time REAL NOT NULL,
            PRIMARY KEY (pool_number, customer)
        ) WITHOUT ROWID;
        """,
        // 6: a member may have several conversations open on one pool number (one per customer), and
        // a customer's next texts find the member of theirs: one row per (number, member, customer).
        """
        CREATE TABLE threads (
            pool_number TEXT NOT NULL,
            member TEXT NOT NULL,
            customer TEXT NOT NULL,
            time REAL NOT NULL,
            PRIMARY KEY (pool_number, member, customer)
        ) WITHOUT ROWID;
        CREATE INDEX threads_customer_time ON threads (pool_number, customer, time);
        INSERT INTO threads (pool_number, member, customer, time)
            SELECT pool_number, member, customer, time FROM conversations;
        DROP TABLE conversations;
        """,
        // 7: what happened after the ring. Legs name their inbound call (`parent`); `calls` holds each
        // call's outcome (pending ones with the time to look again); `notifications` what was sent
        // about them, one row per (event, call, channel, target), so nothing is sent twice.
        """
        CREATE INDEX decisions_voice_id ON decisions (id) WHERE channel = 'voice';
        ALTER TABLE status_events ADD COLUMN parent TEXT;
        CREATE INDEX status_events_parent ON status_events (parent) WHERE parent IS NOT NULL;
        CREATE INDEX voicemails_call ON voicemails (call_id);
        CREATE TABLE calls (
            id TEXT PRIMARY KEY,
            time REAL NOT NULL,
            number TEXT NOT NULL,
            caller TEXT NOT NULL,
            pool TEXT NOT NULL,
            outcome TEXT,
            member TEXT,
            answered REAL,
            ended REAL,
            talk INTEGER,
            rung TEXT NOT NULL DEFAULT '',
            recording_url TEXT,
            recording_seconds INTEGER,
            due REAL
        ) WITHOUT ROWID;
        CREATE INDEX calls_time ON calls (time);
        CREATE INDEX calls_due ON calls (due) WHERE due IS NOT NULL;
        CREATE TABLE notifications (
            key TEXT PRIMARY KEY,
            call_id TEXT NOT NULL,
            event TEXT NOT NULL,
            channel TEXT NOT NULL,
            target TEXT NOT NULL,
            payload TEXT NOT NULL,
            created REAL NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt REAL NOT NULL,
            sent REAL,
            failed REAL,
            last_error TEXT
        ) WITHOUT ROWID;
        CREATE INDEX notifications_due ON notifications (next_attempt) WHERE sent IS NULL AND failed IS NULL;
        CREATE INDEX notifications_created ON notifications (created);
        """,
        // 8: a number's handler fields as they were before Switchboard first changed them, the JSON
        // of field -> value (null: it was empty), for `numbers restore`. Never pruned.
        """
        CREATE TABLE number_handlers (
            number TEXT PRIMARY KEY,
            number_id TEXT NOT NULL,
            fields TEXT NOT NULL,
            saved REAL NOT NULL
        ) WITHOUT ROWID;
        """,
        // 9: who is off duty (paused by whom, why, until when: null, until resumed), and each
        // member's offers in a row not answered (`max_no_answer`). Never pruned.
        """
        CREATE TABLE member_pauses (
            pool TEXT NOT NULL,
            member TEXT NOT NULL,
            paused_by TEXT NOT NULL,
            reason TEXT,
            until REAL,
            since REAL NOT NULL,
            PRIMARY KEY (pool, member)
        ) WITHOUT ROWID;
        CREATE TABLE member_misses (
            pool TEXT NOT NULL,
            member TEXT NOT NULL,
            misses INTEGER NOT NULL,
            PRIMARY KEY (pool, member)
        ) WITHOUT ROWID;
        """,
    ]

    /// Brings the database up to the newest version, one transaction per step.
    /// A database newer than `migrations` is refused. A read-only connection (`stats`, `route`) reads
    /// an older database as it is: every step so far keeps what readers query, and the daemon's next
    /// start migrates it.
    static func migrate(_ connection: SQLiteConnection, migrations: [String] = migrations) throws {
        let latest = migrations.count
        var version = try userVersion(connection)
        try refuseNewer(version, latest: latest, connection: connection)
        if connection.isReadOnly, version > 0 { return }
        while version < latest {
            try connection.execute("BEGIN IMMEDIATE", [], "begin a migration")
            do {
                // Read again under the write lock: another process may have migrated meanwhile.
                version = try userVersion(connection)
                try refuseNewer(version, latest: latest, connection: connection)
                if version < latest {
                    try connection.executeScript(migrations[version], "migrate the schema to version \(version + 1)")
                    try connection.executeScript("PRAGMA user_version = \(version + 1)", "set the schema version")
                    version += 1
                }
                try connection.execute("COMMIT", [], "commit a migration")
            } catch {
                connection.rollbackQuietly()
                throw error
            }
        }
    }

    static func userVersion(_ connection: SQLiteConnection) throws -> Int {
        try connection.scalar("PRAGMA user_version", [], "read the schema version")?.int ?? 0
    }

    private static func refuseNewer(_ version: Int, latest: Int, connection: SQLiteConnection) throws {
        guard version > latest else { return }
        throw StoreError(
            operation: "cannot open database at \(connection.path)", code: SQLITE_ERROR,
            message: "its schema version \(version) is newer than this Switchboard knows (\(latest)); "
                + "upgrade Switchboard or use another database file")
    }
}
