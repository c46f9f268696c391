package io.inflight.postgres.verify;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.TableId;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Verify's progress on the TARGET, in schema {@code inflight}, so that a verify that stopped resumes: a run
 * ({@code verify_run}) stays open until every table is compared; each compared table's report and
 * differences ({@code verify_table}, {@code verify_difference}) are written in one transaction when the
 * table is done. The next verify resumes the open run and skips the tables it has; once a run finished, the
 * next verify starts a new one. A session advisory lock, distinct from the migration's, keeps two verifies
 * off one target. Methods are synchronized: table verifiers save from several threads over one connection.
 */
final class VerifyStateStore {

    /** Advisory lock (class, id): not the migration's own, so verify runs while a stream applies. */
    static final int LOCK_CLASS = 0x1f1197;
    static final int LOCK_ID = 0x7e41f;

    private static final List<String> DDL = List.of(
            "CREATE SCHEMA IF NOT EXISTS inflight",
            """
            CREATE TABLE IF NOT EXISTS inflight.verify_run (
              run_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
              started_at timestamptz NOT NULL DEFAULT now(),
              finished_at timestamptz)""",
            """
            CREATE TABLE IF NOT EXISTS inflight.verify_table (
              run_id bigint NOT NULL REFERENCES inflight.verify_run ON DELETE CASCADE,
              schema_name text NOT NULL,
              table_name text NOT NULL,
              method text NOT NULL,
              status text NOT NULL,
              key_columns text[] NOT NULL,
              source_rows bigint NOT NULL,
              target_rows bigint NOT NULL,
              missing bigint NOT NULL,
              extra bigint NOT NULL,
              differing bigint NOT NULL,
              resolved_by_lag bigint NOT NULL,
              differing_columns text[] NOT NULL,
              differing_column_rows bigint[] NOT NULL,
              elapsed_ms bigint NOT NULL,
              finished_at timestamptz NOT NULL DEFAULT now(),
              PRIMARY KEY (run_id, schema_name, table_name))""",
            """
            CREATE TABLE IF NOT EXISTS inflight.verify_difference (
              run_id bigint NOT NULL,
              schema_name text NOT NULL,
              table_name text NOT NULL,
              ord integer NOT NULL,
              kind text NOT NULL,
              key text[] NOT NULL,
              columns text[] NOT NULL,
              rows bigint NOT NULL,
              PRIMARY KEY (run_id, schema_name, table_name, ord),
              FOREIGN KEY (run_id, schema_name, table_name)
                REFERENCES inflight.verify_table ON DELETE CASCADE)""");

    private final Connection c;

    private VerifyStateStore(Connection c) {
        this.c = c;
    }

    /** Creates the tables when missing and takes the lock on {@code c}, which the caller keeps open. */
    static VerifyStateStore open(Connection c, String target) throws SQLException {
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + LOCK_CLASS + ", " + LOCK_ID + ")")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new InflightException(ErrorCode.OBJECT_CONFLICT, "another inflight verify is running against "
                            + target + " (it holds advisory lock " + LOCK_CLASS + "," + LOCK_ID
                            + "); wait for it to finish or stop it, then rerun");
                }
            }
            c.setAutoCommit(false);
            for (String ddl : DDL) {
                s.execute(ddl);
            }
            c.commit();
            c.setAutoCommit(true);
        }
        return new VerifyStateStore(c);
    }

    /** The open run to resume, or a new one; with {@code restart}, open runs are closed first. */
    synchronized long run(boolean restart) throws SQLException {
        try (Statement s = c.createStatement()) {
            if (restart) {
                s.executeUpdate("UPDATE inflight.verify_run SET finished_at = now() WHERE finished_at IS NULL");
            }
            try (ResultSet rs = s.executeQuery(
                    "SELECT max(run_id) FROM inflight.verify_run WHERE finished_at IS NULL")) {
                rs.next();
                long open = rs.getLong(1);
                if (!rs.wasNull()) {
                    return open;
                }
            }
            try (ResultSet rs = s.executeQuery("INSERT INTO inflight.verify_run DEFAULT VALUES RETURNING run_id")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    synchronized void finish(long runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE inflight.verify_run SET finished_at = now() WHERE run_id = ?")) {
            ps.setLong(1, runId);
            ps.executeUpdate();
        }
    }

    /** The tables this run has compared already, with their reports. */
    synchronized Map<TableId, TableReport> done(long runId) throws SQLException {
        Map<TableId, List<Difference>> diffs = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT schema_name, table_name, kind, key, columns, rows"
                + " FROM inflight.verify_difference WHERE run_id = ? ORDER BY schema_name, table_name, ord")) {
            ps.setLong(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    diffs.computeIfAbsent(TableId.of(rs.getString(1), rs.getString(2)), k -> new ArrayList<>())
                            .add(new Difference(Difference.Kind.ofWord(rs.getString(3)), strings(rs.getArray(4)),
                                    strings(rs.getArray(5)), rs.getLong(6)));
                }
            }
        }
        Map<TableId, TableReport> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT schema_name, table_name, method, status, key_columns,"
                + " source_rows, target_rows, missing, extra, differing, resolved_by_lag, differing_columns,"
                + " differing_column_rows, elapsed_ms FROM inflight.verify_table WHERE run_id = ?")) {
            ps.setLong(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TableId id = TableId.of(rs.getString(1), rs.getString(2));
                    List<String> cols = strings(rs.getArray(12));
                    Long[] counts = (Long[]) rs.getArray(13).getArray();
                    Map<String, Long> columnRows = new LinkedHashMap<>();
                    for (int i = 0; i < cols.size(); i++) {
                        columnRows.put(cols.get(i), counts[i]);
                    }
                    out.put(id, new TableReport(id, TableReport.Method.valueOf(rs.getString(3)),
                            TableReport.Status.valueOf(rs.getString(4)), strings(rs.getArray(5)), rs.getLong(6),
                            rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10), columnRows, rs.getLong(11),
                            diffs.getOrDefault(id, List.of()), Optional.empty(), Duration.ofMillis(rs.getLong(14)),
                            true));
                }
            }
        }
        return out;
    }

    /** Records a compared table and its differences, together. */
    synchronized void save(long runId, TableReport r) throws SQLException {
        c.setAutoCommit(false);
        try {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO inflight.verify_table (run_id, schema_name,"
                    + " table_name, method, status, key_columns, source_rows, target_rows, missing, extra, differing,"
                    + " resolved_by_lag, differing_columns, differing_column_rows, elapsed_ms)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setLong(1, runId);
                ps.setString(2, r.table().schema());
                ps.setString(3, r.table().name());
                ps.setString(4, r.method().name());
                ps.setString(5, r.status().name());
                ps.setArray(6, c.createArrayOf("text", r.keyColumns().toArray()));
                ps.setLong(7, r.sourceRows());
                ps.setLong(8, r.targetRows());
                ps.setLong(9, r.missing());
                ps.setLong(10, r.extra());
                ps.setLong(11, r.differing());
                ps.setLong(12, r.resolvedByLag());
                ps.setArray(13, c.createArrayOf("text", r.differingColumns().keySet().toArray()));
                ps.setArray(14, c.createArrayOf("bigint", r.differingColumns().values().toArray()));
                ps.setLong(15, r.elapsed().toMillis());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO inflight.verify_difference (run_id,"
                    + " schema_name, table_name, ord, kind, key, columns, rows) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                int ord = 0;
                for (Difference d : r.differences()) {
                    ps.setLong(1, runId);
                    ps.setString(2, r.table().schema());
                    ps.setString(3, r.table().name());
                    ps.setInt(4, ord++);
                    ps.setString(5, d.kind().word());
                    ps.setArray(6, c.createArrayOf("text", d.key().toArray()));
                    ps.setArray(7, c.createArrayOf("text", d.columns().toArray()));
                    ps.setLong(8, d.rows());
                    ps.addBatch();
                    if (ord % 1000 == 0) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static List<String> strings(Array a) throws SQLException {
        return Arrays.asList((String[]) a.getArray());
    }
}
