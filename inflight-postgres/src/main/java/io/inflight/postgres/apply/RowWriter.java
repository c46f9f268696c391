package io.inflight.postgres.apply;

import io.inflight.core.TableId;
import io.inflight.postgres.stream.TupleData;
import io.inflight.postgres.stream.TupleData.Value;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes row changes one by one, in order, through prepared statements on the applier's connection. Consecutive
 * changes that share a statement (same table, operation and columns) go to the server as one JDBC batch, so a
 * run of inserts into one table costs one round trip per {@value #MAX_RUN} rows; a change with another statement
 * first sends the pending run, which keeps the source order exactly.
 *
 * <p>Memory stays bounded whatever the transaction size: at most one run is held. Not thread-safe.
 */
final class RowWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RowWriter.class);

    static final int MAX_RUN = 1000;
    private static final long MAX_RUN_BYTES = 8L << 20;
    private static final int MAX_STATEMENTS = 256;
    private static final int MISSING_ROWS_LOGGED_PER_TABLE = 10;

    private final Connection conn;
    private final ApplyStats stats;
    private final Map<String, PreparedStatement> statements = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
            if (size() <= MAX_STATEMENTS || eldest.getValue() == pending) {
                return false;
            }
            closeQuietly(eldest.getValue());
            return true;
        }
    };
    private final Map<TableId, Integer> missingLogged = new HashMap<>();

    private PreparedStatement pending;
    private final List<RowChange> run = new ArrayList<>();
    private long runBytes;

    RowWriter(Connection conn, ApplyStats stats) {
        this.conn = conn;
        this.stats = stats;
    }

    /** Queues a change behind the ones before it; sends the pending run first when the statement differs. */
    void write(RowChange change) throws SQLException {
        List<Integer> present;
        String sql;
        TupleData values;
        if (change instanceof RowChange.Insert ins) {
            present = allColumns(change.shape());
            sql = ChangeSql.insert(change.shape(), present);
            values = ins.row();
        } else if (change instanceof RowChange.Update upd) {
            present = changedColumns(upd);
            sql = ChangeSql.update(change.shape(), present);
            values = upd.row();
        } else {
            present = List.of();
            sql = ChangeSql.delete(change.shape());
            values = ((RowChange.Delete) change).identity();
        }
        PreparedStatement ps = statement(sql);
        int p = 1;
        for (int c : present) {
            bind(ps, p++, values.get(c));
        }
        if (!(change instanceof RowChange.Insert)) {
            TupleData identity = change instanceof RowChange.Update u ? u.identity() : values;
            for (int c : ChangeSql.identityPositions(change.shape())) {
                bind(ps, p++, identity.get(c));
            }
        }
        ps.addBatch();
        run.add(change);
        runBytes += change.approxBytes();
        stats.applied(change);
        if (run.size() >= MAX_RUN || runBytes >= MAX_RUN_BYTES) {
            flush();
        }
    }

    /** Sends the pending run, if any, and checks that every update and delete found its row. */
    void flush() throws SQLException {
        if (pending == null) {
            return;
        }
        PreparedStatement ps = pending;
        pending = null;
        int[] counts = ps.executeBatch();
        for (int i = 0; i < counts.length && i < run.size(); i++) {
            if (counts[i] == 0) {
                missing(run.get(i));
            }
        }
        run.clear();
        runBytes = 0;
    }

    /** The table of the pending run, for naming it when the server rejects it. */
    TableId pendingTable() {
        return run.isEmpty() ? null : run.get(0).shape().table();
    }

    /** Forgets the pending run (its transaction is being rolled back). */
    void discard() {
        if (pending != null) {
            try {
                pending.clearBatch();
            } catch (SQLException ignored) {
                // the statement is reset by the rollback anyway
            }
        }
        pending = null;
        run.clear();
        runBytes = 0;
    }

    private void missing(RowChange change) {
        TableId table = change.shape().table();
        stats.missing(table);
        int logged = missingLogged.merge(table, 1, Integer::sum);
        if (logged <= MISSING_ROWS_LOGGED_PER_TABLE) {
            TupleData identity = change instanceof RowChange.Update u ? u.identity()
                    : ((RowChange.Delete) change).identity();
            log.warn("{} of a row of {} found no row on the target (key {}); the target differs from the source,"
                            + " run inflight verify{}", change instanceof RowChange.Update ? "an UPDATE" : "a DELETE",
                    table, describeKey(change.shape(), identity),
                    logged == MISSING_ROWS_LOGGED_PER_TABLE ? " (further misses of this table are counted only)" : "");
        }
    }

    private static String describeKey(TableShape shape, TupleData identity) {
        StringBuilder b = new StringBuilder("(");
        List<Integer> positions = ChangeSql.identityPositions(shape);
        for (int i = 0; i < positions.size(); i++) {
            int c = positions.get(i);
            b.append(i == 0 ? "" : ", ").append(shape.columns().get(c)).append('=');
            String v = Tuples.text(identity.get(c));
            b.append(v == null ? "NULL" : v.length() > 64 ? v.substring(0, 64) + "…" : v);
        }
        return b.append(')').toString();
    }

    private PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null || ps != pending) {
            flush();
        }
        if (ps == null) {
            ps = conn.prepareStatement(sql);
            statements.put(sql, ps);
        }
        pending = ps;
        return ps;
    }

    private static List<Integer> allColumns(TableShape shape) {
        return IntStream.range(0, shape.columns().size()).boxed().toList();
    }

    /** Every column the update sent a value for: unchanged TOAST values are left alone on the target. */
    private static List<Integer> changedColumns(RowChange.Update upd) {
        List<Integer> out = new ArrayList<>(upd.row().size());
        for (int c = 0; c < upd.row().size(); c++) {
            if (!(upd.row().get(c) instanceof TupleData.UnchangedToast)) {
                out.add(c);
            }
        }
        return out;
    }

    private static void bind(PreparedStatement ps, int index, Value value) throws SQLException {
        String text = Tuples.text(value);
        if (text == null) {
            ps.setNull(index, Types.OTHER);
        } else {
            ps.setObject(index, text, Types.OTHER);
        }
    }

    @Override
    public void close() {
        statements.values().forEach(RowWriter::closeQuietly);
        statements.clear();
    }

    private static void closeQuietly(Statement s) {
        try {
            s.close();
        } catch (SQLException ignored) {
            // closing a statement of a connection that is going away
        }
    }
}
