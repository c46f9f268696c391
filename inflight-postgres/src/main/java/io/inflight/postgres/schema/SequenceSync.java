package io.inflight.postgres.schema;

import io.inflight.core.ErrorCode;
import io.inflight.core.Identifiers;
import io.inflight.core.InflightException;
import io.inflight.core.TableId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves every sequence of the chosen schemas (free-standing, serial and identity) to where it stands on
 * the source: {@code last_value} and {@code is_called}. Run after the copy and again at cutover, when
 * writes have stopped on the source. A sequence feeding a column never goes below that column's
 * largest value on the target, so that the next id cannot collide with a copied row.
 */
public final class SequenceSync {

    private static final Logger LOG = LoggerFactory.getLogger(SequenceSync.class);

    private SequenceSync() {
    }

    /** Returns how many target sequences were set. Sequences missing on the target are logged and skipped. */
    public static int sync(Connection source, Connection target, SchemaFilter filter) {
        int set = 0;
        for (Seq s : list(source, filter)) {
            String doing = "synchronizing sequence " + s.id();
            try {
                long[] state = position(source, s.id());
                long value = state[0];
                boolean called = state[1] != 0;
                if (!exists(target, s.id())) {
                    LOG.warn("sequence {} does not exist on the target: not synchronized", s.id());
                    continue;
                }
                if (s.column() != null && s.increment() > 0) {
                    Long max = max(target, s.table(), s.column());
                    long next = called ? value + s.increment() : value;
                    if (max != null && next <= max) {
                        value = max;
                        called = true;
                    }
                }
                try (Statement st = target.createStatement()) {
                    st.execute("SELECT pg_catalog.setval(" + Identifiers.literal(s.id().quoted()) + ", " + value + ", "
                            + called + ")");
                }
                set++;
            } catch (SQLException e) {
                throw new InflightException(ErrorCode.INTERNAL, doing + " failed: " + e.getMessage()
                        + (e.getSQLState() == null ? "" : " [SQLSTATE " + e.getSQLState() + "]"), e.getSQLState(), e);
            }
        }
        return set;
    }

    private record Seq(TableId id, long increment, TableId table, String column) {
    }

    private static List<Seq> list(Connection source, SchemaFilter filter) {
        String sql = """
                SELECT n.nspname, c.relname, s.seqincrement, tn.nspname, t.relname, a.attname
                  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                  JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
                  LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                       AND d.objid = c.oid AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                       AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
                  LEFT JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
                  LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
                  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                 WHERE c.relkind = 'S' AND %s ORDER BY 1, 2""".formatted(filter.sqlCondition("n.nspname"));
        List<Seq> out = new ArrayList<>();
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(new Seq(TableId.of(rs.getString(1), rs.getString(2)), rs.getLong(3),
                        rs.getString(5) == null ? null : TableId.of(rs.getString(4), rs.getString(5)), rs.getString(6)));
            }
        } catch (SQLException e) {
            throw new InflightException(ErrorCode.INTERNAL, "listing the sequences of the source failed: "
                    + e.getMessage(), e.getSQLState(), e);
        }
        return out;
    }

    private static long[] position(Connection c, TableId seq) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT last_value, is_called FROM " + seq.quoted())) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getBoolean(2) ? 1 : 0};
        }
    }

    private static boolean exists(Connection c, TableId seq) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT pg_catalog.to_regclass(" + Identifiers.literal(seq.quoted()) + ") IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static Long max(Connection c, TableId table, String column) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT max(" + Identifiers.quote(column) + ")::bigint FROM " + table.quoted())) {
            rs.next();
            long v = rs.getLong(1);
            return rs.wasNull() ? null : v;
        }
    }
}
