package io.inflight.postgres.checkpoint;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.core.TableId;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A migration's durable progress, on the target in schema {@value #SCHEMA}. Tables:
 * <ul>
 *   <li>{@code migration}: one row; slot, publication, consistent LSN, source identity, phase.</li>
 *   <li>{@code table_state}: one row per table holding rows; status, the snapshot LSN its copy is (being)
 *       made under, rows and bytes, attempts, timestamps.</li>
 *   <li>{@code range_state}: one row per range of a table's current copy attempt (an unsplit table has one);
 *       bounds, done, rows, bytes.</li>
 *   <li>{@code stream_position}: one row once the stream has applied a transaction; see
 *       {@link StreamPosition}.</li>
 *   <li>{@code control}: requests to the run holding the lock from another process; {@code stop} asks a
 *       running stream to commit what it holds and end (cutover takes over from it this way).</li>
 * </ul>
 *
 * <p>Opening the store takes a session advisory lock on the target, held until {@link #close()}, so two
 * runs cannot work on one target at once. Methods without a {@link Connection} parameter use the store's
 * own connection (autocommit) and are serialized; the {@code (Connection tx, ...)} methods write inside the
 * caller's open transaction, so that a range's rows and the mark saying they are there commit together.
 * Those may be called from many threads at once, each with its own connection.
 */
public final class StateStore implements AutoCloseable {

    /** Inflight's own schema on the target; {@code SchemaFilter} never migrates it. */
    public static final String SCHEMA = "inflight";

    /** Advisory lock key (two int4s): "INFL", 0. Arbitrary but fixed, so every Inflight version agrees. */
    private static final int LOCK_CLASS = 0x494E464C;

    private static final String DDL = """
            CREATE SCHEMA IF NOT EXISTS inflight;
            COMMENT ON SCHEMA inflight IS 'Inflight migration state: drop it only together with the migration';
            CREATE TABLE IF NOT EXISTS inflight.migration (
                singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                slot_name        text NOT NULL,
                publication      text NOT NULL,
                consistent_lsn   pg_lsn NOT NULL,
                source_system_id text NOT NULL,
                source_database  text NOT NULL,
                phase            text NOT NULL,
                started_at       timestamptz NOT NULL DEFAULT now(),
                updated_at       timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE IF NOT EXISTS inflight.table_state (
                schema_name  text NOT NULL,
                table_name   text NOT NULL,
                status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'copying', 'copied')),
                snapshot_lsn pg_lsn CHECK (status = 'pending' OR snapshot_lsn IS NOT NULL),
                rows_copied  bigint NOT NULL DEFAULT 0,
                bytes_copied bigint NOT NULL DEFAULT 0,
                attempts     integer NOT NULL DEFAULT 0,
                started_at   timestamptz,
                finished_at  timestamptz,
                PRIMARY KEY (schema_name, table_name)
            );
            CREATE TABLE IF NOT EXISTS inflight.range_state (
                schema_name  text NOT NULL,
                table_name   text NOT NULL,
                range_no     integer NOT NULL,
                kind         text NOT NULL CHECK (kind IN ('whole', 'key', 'ctid')),
                lower_bound  text,
                upper_bound  text,
                done         boolean NOT NULL DEFAULT false,
                rows_copied  bigint NOT NULL DEFAULT 0,
                bytes_copied bigint NOT NULL DEFAULT 0,
                finished_at  timestamptz,
                PRIMARY KEY (schema_name, table_name, range_no),
                FOREIGN KEY (schema_name, table_name) REFERENCES inflight.table_state ON DELETE CASCADE
            );
            CREATE TABLE IF NOT EXISTS inflight.stream_position (
                singleton           boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                applied_lsn         pg_lsn NOT NULL,
                applied_commit_time timestamptz,
                updated_at          timestamptz NOT NULL DEFAULT now()
            );
            -- added after the first release of the table: a migration begun earlier gets them on its next run
            ALTER TABLE inflight.stream_position
                ADD COLUMN IF NOT EXISTS changes_applied bigint NOT NULL DEFAULT 0,
                ADD COLUMN IF NOT EXISTS changes_per_second double precision;
            CREATE TABLE IF NOT EXISTS inflight.control (
                request      text PRIMARY KEY CHECK (request IN ('stop')),
                requested_at timestamptz NOT NULL DEFAULT now()
            );
            """;

    private static final Duration LOCK_WAIT = Duration.ofSeconds(5);
    private static final int UNLOCK_TIMEOUT_MS = 2000;

    private final PgConnector target;
    private final Connection conn;

    private StateStore(PgConnector target, Connection conn) {
        this.target = target;
        this.conn = conn;
    }

    /**
     * Connects to the target, takes the migration lock and creates schema {@value #SCHEMA} and its tables
     * when missing. Fails with OBJECT_CONFLICT when another run holds the lock.
     */
    public static StateStore open(PgConnector target) {
        Connection c = target.open();
        try {
            if (!lock(c)) {
                throw new InflightException(ErrorCode.OBJECT_CONFLICT, "another Inflight run is working on "
                        + target + " (it holds advisory lock " + LOCK_CLASS + ",0); wait for it to finish or "
                        + "stop it, then rerun");
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute(DDL);
            }
            c.commit();
            c.setAutoCommit(true);
            return new StateStore(target, c);
        } catch (SQLException e) {
            PgConnector.closeQuietly(c);
            throw PgErrors.translate(e, target, "creating the state schema " + SCHEMA);
        } catch (RuntimeException e) {
            PgConnector.closeQuietly(c);
            throw e;
        }
    }

    /** The migration this target holds, if any. */
    public synchronized Optional<MigrationRecord> migration() {
        String sql = "SELECT slot_name, publication, consistent_lsn::text, source_system_id, source_database, phase,"
                + " started_at, updated_at FROM inflight.migration";
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new MigrationRecord(rs.getString(1), rs.getString(2), Lsn.parse(rs.getString(3)),
                    new SourceIdentity(rs.getString(4), rs.getString(5)), rs.getString(6), instant(rs, 7),
                    instant(rs, 8)));
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "reading " + SCHEMA + ".migration");
        }
    }

    /**
     * Records a new migration right after its slot was created. Fails with OBJECT_CONFLICT when the target
     * already holds one (a rerun must continue it, not begin another).
     */
    public synchronized MigrationRecord begin(String slotName, String publication, Lsn consistentLsn,
                                              SourceIdentity source, String phase) {
        Optional<MigrationRecord> existing = migration();
        if (existing.isPresent()) {
            MigrationRecord m = existing.get();
            throw new InflightException(ErrorCode.OBJECT_CONFLICT, "the target " + target + " already holds a "
                    + "migration (slot '" + m.slotName() + "', from " + m.source() + ", started " + m.startedAt()
                    + "); rerun to continue it, or drop it (DROP SCHEMA " + SCHEMA + " CASCADE on the target and "
                    + "SELECT pg_drop_replication_slot('" + m.slotName() + "') on the source) to start over");
        }
        String sql = "INSERT INTO inflight.migration (slot_name, publication, consistent_lsn, source_system_id,"
                + " source_database, phase) VALUES (?, ?, ?::pg_lsn, ?, ?, ?)";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, slotName);
            ps.setString(2, publication);
            ps.setString(3, consistentLsn.toString());
            ps.setString(4, source.systemId());
            ps.setString(5, source.database());
            ps.setString(6, phase);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "recording the migration in " + SCHEMA + ".migration");
        }
        return migration().orElseThrow();
    }

    /**
     * The stream's stored position, read through the store's own connection: the one holding the migration lock,
     * so no other run moves the position while the caller starts from it (and no connection is opened for it).
     */
    public synchronized Optional<StreamPosition> streamPosition() {
        try {
            return StreamPosition.read(conn);
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "reading the stream position in " + SCHEMA + ".stream_position");
        }
    }

    /**
     * Refuses to continue a migration against another source than the one it began with
     * (INVALID_CONFIGURATION naming both). No-op when no migration is recorded.
     */
    public void verifySource(SourceIdentity source) {
        Optional<MigrationRecord> m = migration();
        if (m.isPresent() && !m.get().source().equals(source)) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "the target " + target + " holds a "
                    + "migration from " + m.get().source() + " but the source given now is " + source
                    + "; point --source at the original database, or drop the old migration (DROP SCHEMA "
                    + SCHEMA + " CASCADE on the target) and empty the target to start over");
        }
    }

    /**
     * Records the slot's consistent point once the slot exists. A migration is begun with
     * {@link Lsn#INVALID} before its slot is created, so that a crash between the two leaves a record
     * saying the slot (if any) is ours and was never used.
     */
    public synchronized void recordConsistentPoint(Lsn lsn) {
        try (PreparedStatement ps = conn.prepareStatement(
                "UPDATE inflight.migration SET consistent_lsn = ?::pg_lsn, updated_at = now()")) {
            ps.setString(1, lsn.toString());
            if (ps.executeUpdate() != 1) {
                throw new InflightException(ErrorCode.INTERNAL, "no migration recorded on " + target
                        + " to record consistent point " + lsn + " on");
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "recording the slot's consistent point " + lsn);
        }
    }

    public synchronized void setPhase(String phase) {
        try (PreparedStatement ps = conn.prepareStatement(
                "UPDATE inflight.migration SET phase = ?, updated_at = now()")) {
            ps.setString(1, phase);
            if (ps.executeUpdate() != 1) {
                throw new InflightException(ErrorCode.INTERNAL, "no migration recorded on " + target
                        + " to set phase '" + phase + "' on");
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "setting the migration phase to '" + phase + "'");
        }
    }

    /** Adds tables not yet known as {@code pending}; known tables keep their state. */
    public synchronized void registerTables(Collection<TableId> tables) {
        String sql = "INSERT INTO inflight.table_state (schema_name, table_name) VALUES (?, ?) ON CONFLICT DO NOTHING";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (TableId t : tables) {
                ps.setString(1, t.schema());
                ps.setString(2, t.name());
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "registering tables in " + SCHEMA + ".table_state");
        }
    }

    /** Every registered table's state, ordered by table. */
    public synchronized Map<TableId, TableState> tables() {
        String sql = "SELECT schema_name, table_name, status, snapshot_lsn::text, rows_copied, bytes_copied, attempts,"
                + " started_at, finished_at FROM inflight.table_state";
        Map<TableId, TableState> out = new TreeMap<>();
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                TableId id = TableId.of(rs.getString(1), rs.getString(2));
                String lsn = rs.getString(4);
                out.put(id, new TableState(id, CopyStatus.of(rs.getString(3)),
                        Optional.ofNullable(lsn).map(Lsn::parse), rs.getLong(5), rs.getLong(6), rs.getInt(7),
                        Optional.ofNullable(instant(rs, 8)), Optional.ofNullable(instant(rs, 9))));
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "reading " + SCHEMA + ".table_state");
        }
        return out;
    }

    /**
     * For each COPIED table, the LSN of the snapshot it was copied under. The stream must apply a change
     * to a table only when its transaction commits at or after that LSN: earlier ones are in the copy.
     * Tables not yet copied are absent (the stream must not start before every table is copied).
     */
    public Map<TableId, Lsn> tableStartLsns() {
        Map<TableId, Lsn> out = new TreeMap<>();
        tables().values().stream().filter(t -> t.status() == CopyStatus.COPIED)
                .forEach(t -> out.put(t.table(), t.snapshotLsn().orElseThrow()));
        return out;
    }

    /** The ranges of a table's current (or last) copy attempt, by range number. */
    public synchronized List<RangeState> ranges(TableId table) {
        String sql = "SELECT range_no, kind, lower_bound, upper_bound, done, rows_copied, bytes_copied"
                + " FROM inflight.range_state WHERE schema_name = ? AND table_name = ? ORDER BY range_no";
        List<RangeState> out = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new RangeState(table, rs.getInt(1), new RangeBounds(rs.getString(2),
                            Optional.ofNullable(rs.getString(3)), Optional.ofNullable(rs.getString(4))),
                            rs.getBoolean(5), rs.getLong(6), rs.getLong(7)));
                }
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "reading " + SCHEMA + ".range_state of " + table);
        }
        return out;
    }

    /**
     * In the caller's transaction: starts a (new) copy attempt of a table under a snapshot taken at
     * {@code snapshotLsn}. Forgets ranges of any earlier attempt and resets the counters; the caller
     * empties the target table in the same transaction when an earlier attempt may have left rows.
     */
    public void startTable(Connection tx, TableId table, Lsn snapshotLsn, List<RangeBounds> ranges)
            throws SQLException {
        try (PreparedStatement del = tx.prepareStatement(
                "DELETE FROM inflight.range_state WHERE schema_name = ? AND table_name = ?");
             PreparedStatement upd = tx.prepareStatement("UPDATE inflight.table_state SET status = 'copying',"
                     + " snapshot_lsn = ?::pg_lsn, rows_copied = 0, bytes_copied = 0, attempts = attempts + 1,"
                     + " started_at = now(), finished_at = NULL WHERE schema_name = ? AND table_name = ?");
             PreparedStatement ins = tx.prepareStatement("INSERT INTO inflight.range_state (schema_name, table_name,"
                     + " range_no, kind, lower_bound, upper_bound) VALUES (?, ?, ?, ?, ?, ?)")) {
            del.setString(1, table.schema());
            del.setString(2, table.name());
            del.executeUpdate();
            upd.setString(1, snapshotLsn.toString());
            upd.setString(2, table.schema());
            upd.setString(3, table.name());
            if (upd.executeUpdate() != 1) {
                throw new InflightException(ErrorCode.INTERNAL, "table " + table + " is not registered in "
                        + SCHEMA + ".table_state");
            }
            for (int i = 0; i < ranges.size(); i++) {
                RangeBounds b = ranges.get(i);
                ins.setString(1, table.schema());
                ins.setString(2, table.name());
                ins.setInt(3, i);
                ins.setString(4, b.kind());
                ins.setString(5, b.lower().orElse(null));
                ins.setString(6, b.upper().orElse(null));
                ins.addBatch();
            }
            ins.executeBatch();
        }
    }

    /**
     * In the caller's transaction (the one holding the range's rows): marks a range done and adds its
     * counts to the table. Returns the table's state after it: COPIED when this was its last open range.
     *
     * <p>The table's state row is locked first, so that two workers finishing the last two ranges of a
     * table at once serialize, and the second one (whose next statement sees the first one's commit)
     * marks the table copied.
     */
    public TableState finishRange(Connection tx, TableId table, int rangeNo, long rows, long bytes)
            throws SQLException {
        try (PreparedStatement lock = tx.prepareStatement("SELECT 1 FROM inflight.table_state"
                + " WHERE schema_name = ? AND table_name = ? FOR UPDATE")) {
            lock.setString(1, table.schema());
            lock.setString(2, table.name());
            lock.executeQuery().close();
        }
        try (PreparedStatement ps = tx.prepareStatement("UPDATE inflight.range_state SET done = true,"
                + " rows_copied = ?, bytes_copied = ?, finished_at = now()"
                + " WHERE schema_name = ? AND table_name = ? AND range_no = ? AND NOT done")) {
            ps.setLong(1, rows);
            ps.setLong(2, bytes);
            ps.setString(3, table.schema());
            ps.setString(4, table.name());
            ps.setInt(5, rangeNo);
            if (ps.executeUpdate() != 1) {
                throw new InflightException(ErrorCode.INTERNAL, "range " + rangeNo + " of " + table
                        + " is not an open range in " + SCHEMA + ".range_state; was the migration state changed "
                        + "by another run?");
            }
        }
        String sql = """
                UPDATE inflight.table_state t
                   SET rows_copied = rows_copied + ?, bytes_copied = bytes_copied + ?,
                       status = CASE WHEN EXISTS (SELECT 1 FROM inflight.range_state r
                                                   WHERE r.schema_name = t.schema_name
                                                     AND r.table_name = t.table_name AND NOT r.done)
                                     THEN status ELSE 'copied' END,
                       finished_at = CASE WHEN EXISTS (SELECT 1 FROM inflight.range_state r
                                                   WHERE r.schema_name = t.schema_name
                                                     AND r.table_name = t.table_name AND NOT r.done)
                                     THEN NULL ELSE now() END
                 WHERE schema_name = ? AND table_name = ?
                RETURNING status, snapshot_lsn::text, rows_copied, bytes_copied, attempts, started_at, finished_at
                """;
        try (PreparedStatement ps = tx.prepareStatement(sql)) {
            ps.setLong(1, rows);
            ps.setLong(2, bytes);
            ps.setString(3, table.schema());
            ps.setString(4, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new TableState(table, CopyStatus.of(rs.getString(1)), Optional.of(Lsn.parse(rs.getString(2))),
                        rs.getLong(3), rs.getLong(4), rs.getInt(5), Optional.ofNullable(instant(rs, 6)),
                        Optional.ofNullable(instant(rs, 7)));
            }
        }
    }

    /**
     * In the caller's transaction (the one that empties the tables): sets copied tables back to pending, to be
     * copied again, whole, by the next copy.
     */
    public void copyAgain(Connection tx, Collection<TableId> tables) throws SQLException {
        try (PreparedStatement del = tx.prepareStatement(
                "DELETE FROM inflight.range_state WHERE schema_name = ? AND table_name = ?");
             PreparedStatement upd = tx.prepareStatement("UPDATE inflight.table_state SET status = 'pending',"
                     + " snapshot_lsn = NULL, rows_copied = 0, bytes_copied = 0, finished_at = NULL"
                     + " WHERE schema_name = ? AND table_name = ?")) {
            for (TableId t : tables) {
                for (PreparedStatement ps : List.of(del, upd)) {
                    ps.setString(1, t.schema());
                    ps.setString(2, t.name());
                    ps.executeUpdate();
                }
            }
        }
    }

    /**
     * Records tables as copied at {@code lsn} without copying anything: for a stream whose target already holds
     * the same rows as its source at that LSN (the reverse stream after cutover). Known tables are overwritten.
     */
    public synchronized void markCopied(Collection<TableId> tables, Lsn lsn) {
        String sql = "INSERT INTO inflight.table_state (schema_name, table_name, status, snapshot_lsn, attempts,"
                + " started_at, finished_at) VALUES (?, ?, 'copied', ?::pg_lsn, 0, now(), now())"
                + " ON CONFLICT (schema_name, table_name) DO UPDATE SET status = 'copied',"
                + " snapshot_lsn = excluded.snapshot_lsn, finished_at = now()";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (TableId t : tables) {
                ps.setString(1, t.schema());
                ps.setString(2, t.name());
                ps.setString(3, lsn.toString());
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "recording tables as copied at " + lsn + " in " + SCHEMA
                    + ".table_state");
        }
    }

    /** Whether another process asked the run holding this store to stop (see {@link #requestStop}). */
    public synchronized boolean stopRequested() {
        try (Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1 FROM inflight.control WHERE request = 'stop'")) {
            return rs.next();
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "reading " + SCHEMA + ".control");
        }
    }

    /** Withdraws a stop request: the run that took over from a stopped one must not stop itself. */
    public synchronized void clearStopRequest() {
        try (Statement s = conn.createStatement()) {
            s.executeUpdate("DELETE FROM inflight.control WHERE request = 'stop'");
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "clearing the stop request in " + SCHEMA + ".control");
        }
    }

    /**
     * Without taking the lock, from another process: asks the run holding it to stop gracefully. A no-op when the
     * target holds no state yet.
     */
    public static void requestStop(Connection target) throws SQLException {
        try (Statement s = target.createStatement()) {
            s.executeUpdate("CREATE TABLE IF NOT EXISTS inflight.control (request text PRIMARY KEY"
                    + " CHECK (request IN ('stop')), requested_at timestamptz NOT NULL DEFAULT now())");
            s.executeUpdate("INSERT INTO inflight.control (request) VALUES ('stop') ON CONFLICT DO NOTHING");
        }
    }

    /** Without taking it: whether some session holds the migration lock on this target (a run is working). */
    public static boolean isLocked(Connection target) throws SQLException {
        try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM"
                + " pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE"
                + " datname = current_database()) AND classid = " + LOCK_CLASS + " AND objid = 0 AND objsubid = 2"
                + " AND granted)")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /**
     * Whether the connection (and with it the migration lock) is still there; false after the target restarted or
     * the network dropped it, when the store must be opened again.
     */
    public synchronized boolean isConnected() {
        try {
            return conn.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Takes the migration lock, waiting a few seconds for a holder that is going away: a run that just ended or
     * was killed leaves a server session that releases the lock only when it has noticed, and a rerun started
     * at once (by a user, a service manager, the stream reconnecting) must not be refused for that.
     */
    private static boolean lock(Connection c) throws SQLException {
        long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
        try (Statement s = c.createStatement()) {
            while (true) {
                try (ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + LOCK_CLASS + ", 0)")) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return true;
                    }
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    /**
     * Releases the migration lock, before returning, and the connection. Ending the session alone releases the lock
     * only once the server has processed the disconnect, after this returned: a store opened right away (a cutover's
     * stream after its takeover, a rerun) would be refused by it. A broken connection cannot hold the lock up for
     * long: the unlock waits at most {@value #UNLOCK_TIMEOUT_MS} ms for the server.
     */
    @Override
    public synchronized void close() {
        try {
            if (!conn.isClosed()) {
                conn.setNetworkTimeout(Runnable::run, UNLOCK_TIMEOUT_MS);
                if (!conn.getAutoCommit()) {
                    conn.rollback();
                    conn.setAutoCommit(true);
                }
                try (Statement s = conn.createStatement()) {
                    s.execute("SELECT pg_advisory_unlock(" + LOCK_CLASS + ", 0)");
                }
            }
        } catch (SQLException ignored) {
            // the session is gone or going: the server releases the lock with it
        }
        PgConnector.closeQuietly(conn);
    }

    private static Instant instant(ResultSet rs, int col) throws SQLException {
        OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

}
