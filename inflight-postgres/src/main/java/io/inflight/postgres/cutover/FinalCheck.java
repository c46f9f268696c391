package io.inflight.postgres.cutover;

import io.inflight.core.ErrorCode;
import io.inflight.core.Identifiers;
import io.inflight.core.InflightException;
import io.inflight.core.TableId;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.schema.ColumnInfo;
import io.inflight.postgres.schema.TableInfo;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * The last look before the flip, while writes are fenced and the stream drained: every table holds as many rows on
 * both sides, and the {@value #NEWEST} rows with the highest keys of each keyed table (where a serial or time-ordered
 * key puts the most recently written rows: what the drain just brought over) are identical, compared as one hash of
 * their text per side. Both sides are read at the same time, one query per table each. A count costs a scan, and
 * the check runs while writes wait: tables estimated above {@value #COUNTED_AT_MOST} rows are compared by their
 * newest rows only (the clean verify cutover asks for beforehand is the thorough comparison of those).
 */
final class FinalCheck {

    /** How many of the newest rows of each table are compared: bounded, so the check stays in milliseconds. */
    static final int NEWEST = 200;

    /** Tables estimated to hold more rows than this are not counted while fenced. */
    static final long COUNTED_AT_MOST = 100_000;

    /** One side's view of one table. */
    private record Look(long rows, String newest) {
    }

    private FinalCheck() {
    }

    /** Returns what it found, for the step log; throws {@link ErrorCode#DATA_CONFLICT} on a difference. */
    static String run(PgConnector from, Connection a, PgConnector to, Connection b, Collection<TableInfo> tables) {
        List<String> queries = tables.stream().map(t -> query(t, counted(t))).toList();
        CompletableFuture<List<Look>> there = CompletableFuture.supplyAsync(() -> look(to, b, queries));
        List<Look> here = look(from, a, queries);
        List<Look> other;
        try {
            other = there.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
        int i = 0;
        long rows = 0;
        for (TableInfo t : tables) {
            Look x = here.get(i);
            Look y = other.get(i++);
            if (counted(t) && x.rows() != y.rows()) {
                throw conflict(t.id(), "holds " + x.rows() + " rows on " + from + " but " + y.rows() + " on " + to,
                        from);
            }
            if (!x.newest().equals(y.newest())) {
                throw conflict(t.id(), "has different rows among its " + NEWEST + " highest keys ("
                        + String.join(", ", t.keyColumns()) + ") on " + from + " and " + to, from);
            }
            rows += counted(t) ? x.rows() : 0;
        }
        long keyed = tables.stream().filter(t -> !t.keyColumns().isEmpty()).count();
        long big = tables.stream().filter(t -> !counted(t)).count();
        return (tables.size() - big) + " tables hold the same " + rows + " rows on both sides"
                + (big > 0 ? " (" + big + " larger ones not counted)" : "") + ", and the newest " + NEWEST
                + " rows of " + keyed + " keyed tables are identical";
    }

    private static boolean counted(TableInfo t) {
        // never analyzed: judge by its size on disk instead (about 256 bytes a row)
        return t.estimatedRows() >= 0 ? t.estimatedRows() <= COUNTED_AT_MOST
                : t.estimatedBytes() <= COUNTED_AT_MOST * 256;
    }

    private static InflightException conflict(TableId table, String what, PgConnector from) {
        return new InflightException(ErrorCode.DATA_CONFLICT, "table " + table + " " + what + " after the drain;"
                + " writes stay on " + from + ". Run inflight verify to find the rows, fix them, then rerun");
    }

    /** Row count and a hash of the newest rows' text (columns by name, so column order does not matter). */
    static String query(TableInfo t, boolean counted) {
        String count = counted ? "(SELECT count(*) FROM ONLY " + t.id().quoted() + ")" : "-1::bigint";
        if (t.keyColumns().isEmpty()) {
            return "SELECT " + count + ", ''";
        }
        String columns = t.columns().stream().map(ColumnInfo::name).sorted(Comparator.naturalOrder())
                .map(Identifiers::quote).collect(Collectors.joining(", "));
        String order = t.keyColumns().stream().map(k -> Identifiers.quote(k) + " DESC")
                .collect(Collectors.joining(", "));
        return "SELECT " + count + ", coalesce((SELECT md5(string_agg(r::text, E'\\n' ORDER BY r::text))"
                + " FROM (SELECT " + columns + " FROM ONLY " + t.id().quoted() + " ORDER BY " + order + " LIMIT "
                + NEWEST + ") r), '')";
    }

    private static List<Look> look(PgConnector side, Connection c, List<String> queries) {
        List<Look> out = new ArrayList<>(queries.size());
        try (Statement s = c.createStatement()) {
            for (String q : queries) {
                try (ResultSet rs = s.executeQuery(q)) {
                    rs.next();
                    out.add(new Look(rs.getLong(1), rs.getString(2)));
                }
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, side, "comparing row counts and the newest rows for the final check");
        }
        return out;
    }
}
