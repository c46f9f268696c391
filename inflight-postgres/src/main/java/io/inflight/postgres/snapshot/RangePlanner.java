package io.inflight.postgres.snapshot;

import io.inflight.core.Identifiers;
import io.inflight.postgres.checkpoint.RangeBounds;
import io.inflight.postgres.schema.ColumnInfo;
import io.inflight.postgres.schema.TableInfo;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Splits big tables into ranges that workers copy in parallel; small tables are one range.
 * <ul>
 *   <li>single-column integer key: equal slices between the key's min and max;</li>
 *   <li>any other key: boundaries at quantiles of a block sample of the key;</li>
 *   <li>no key: slices of heap blocks by {@code ctid}.</li>
 * </ul>
 * The first range has no lower bound and the last no upper bound, so rows outside what planning saw
 * (planning runs outside the copy snapshot) still fall into exactly one range. Reads only catalog data,
 * min/max over the key's index and a sample; thread-safe (no state).
 */
public final class RangePlanner {

    /**
     * Tables above this are split, into ranges of about this size. One COPY stream moves some 50-150 MB/s,
     * so a range is about a second of work: small enough to keep every worker busy to the end on one big
     * table, big enough that the per-range query and commit cost nothing. Not a user knob.
     */
    static final long DEFAULT_RANGE_BYTES = 64L << 20;

    /** Beyond this many ranges the per-range overhead (a plan, a commit, a state row) stops paying off. */
    static final int MAX_RANGES = 1024;

    /**
     * Before PostgreSQL 14 a {@code ctid} range is not an index-like TID range scan but a filter over a full
     * scan, so every range reads the whole table: a few ranges still let several cores format rows, many
     * would multiply the reading.
     */
    static final int MAX_CTID_RANGES_BEFORE_14 = 4;

    /** Sampled keys per range: enough that quantile boundaries land within a few percent of even. */
    private static final int SAMPLE_PER_RANGE = 200;

    private static final Set<String> INTEGER_TYPES = Set.of("smallint", "integer", "bigint");

    private final long rangeBytes;

    public RangePlanner() {
        this(DEFAULT_RANGE_BYTES);
    }

    /** A planner that never splits: every table is one range. */
    public static RangePlanner unsplit() {
        return new RangePlanner(Long.MAX_VALUE);
    }

    /** A planner aiming at ranges of about {@code rangeBytes} (tests and throttled verify use small ones). */
    public RangePlanner(long rangeBytes) {
        this.rangeBytes = rangeBytes;
    }

    /** The ranges to copy {@code table} in, planned with an ordinary source connection. */
    public List<CopyRange> plan(Connection source, TableInfo table) throws SQLException {
        long bytes = Math.max(0, table.estimatedBytes());
        int wanted = (int) Math.min(MAX_RANGES, bytes / rangeBytes + (bytes % rangeBytes == 0 ? 0 : 1));
        if (wanted <= 1 || !table.holdsRows()) {
            return List.of(CopyRange.WHOLE);
        }
        List<ColumnInfo> key = keyColumns(table);
        if (key.isEmpty()) {
            int cap = source.getMetaData().getDatabaseMajorVersion() >= 14 ? MAX_RANGES : MAX_CTID_RANGES_BEFORE_14;
            return byCtid(source, table, Math.min(wanted, cap));
        }
        if (key.size() == 1 && INTEGER_TYPES.contains(key.get(0).type())) {
            return byIntegerKey(source, table, key.get(0), wanted);
        }
        return byKeySample(source, table, key, wanted);
    }

    private static List<ColumnInfo> keyColumns(TableInfo t) {
        Map<String, ColumnInfo> byName = t.columns().stream()
                .collect(Collectors.toMap(ColumnInfo::name, Function.identity()));
        return t.keyColumns().stream().map(byName::get).toList();
    }

    private static List<CopyRange> byIntegerKey(Connection c, TableInfo t, ColumnInfo key, int n)
            throws SQLException {
        String k = Identifiers.quote(key.name());
        String lo;
        String hi;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT min(" + k + ")::text, max(" + k + ")::text FROM ONLY " + t.id().quoted())) {
            rs.next();
            lo = rs.getString(1);
            hi = rs.getString(2);
        }
        if (lo == null) {
            return List.of(CopyRange.WHOLE);
        }
        BigInteger min = new BigInteger(lo);
        BigInteger span = new BigInteger(hi).subtract(min).add(BigInteger.ONE);
        List<String> bounds = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            String b = min.add(span.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(n))).toString();
            if (bounds.isEmpty() || !bounds.get(bounds.size() - 1).equals(b)) {
                bounds.add(b);
            }
        }
        return ranges("key", bounds, b -> b, k);
    }

    private static List<CopyRange> byKeySample(Connection c, TableInfo t, List<ColumnInfo> key, int n)
            throws SQLException {
        String cols = key.stream().map(col -> Identifiers.quote(col.name())).collect(Collectors.joining(", "));
        long rows = t.estimatedRows() > 0 ? t.estimatedRows() : Math.max(1, t.estimatedBytes() / 100);
        double percent = Math.min(100.0, 100.0 * SAMPLE_PER_RANGE * n / rows);
        // Qualified names: a bare ORDER BY name would pick the text-cast output column of that name.
        String sql = "SELECT " + key.stream().map(col -> "s." + Identifiers.quote(col.name()) + "::text")
                .collect(Collectors.joining(", ")) + " FROM ONLY " + t.id().quoted() + " AS s"
                + " TABLESAMPLE SYSTEM (" + String.format(Locale.ROOT, "%.6f", percent) + ") ORDER BY "
                + key.stream().map(col -> "s." + Identifiers.quote(col.name())).collect(Collectors.joining(", "));
        List<List<String>> sample = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                List<String> row = new ArrayList<>(key.size());
                for (int i = 1; i <= key.size(); i++) {
                    row.add(rs.getString(i));
                }
                sample.add(row);
            }
        }
        List<List<String>> bounds = new ArrayList<>();
        for (int i = 1; i < n && !sample.isEmpty(); i++) {
            List<String> b = sample.get((int) ((long) sample.size() * i / n));
            // Ties in the sample give equal boundaries; an empty range between them is pointless.
            if (bounds.isEmpty() || !bounds.get(bounds.size() - 1).equals(b)) {
                bounds.add(b);
            }
        }
        // Literals cast to the column's own type compare with the column's operator and collation, the
        // same ordering the sample was sorted by: ranges are disjoint and cover every key.
        String lhs = key.size() == 1 ? cols : "(" + cols + ")";
        Function<List<String>, String> literal = values -> {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < key.size(); i++) {
                parts.add(Identifiers.literal(values.get(i)) + "::" + key.get(i).type());
            }
            return key.size() == 1 ? parts.get(0) : "(" + String.join(", ", parts) + ")";
        };
        return ranges("key", bounds, literal, lhs, values -> key.size() == 1 ? values.get(0)
                : "(" + values.stream().map(RangePlanner::rowField).collect(Collectors.joining(",")) + ")");
    }

    private static List<CopyRange> byCtid(Connection c, TableInfo t, int n) throws SQLException {
        long blocks;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_relation_size("
                + Identifiers.literal(t.id().quoted()) + "::regclass) / current_setting('block_size')::bigint")) {
            rs.next();
            blocks = rs.getLong(1);
        }
        List<Long> bounds = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            long b = blocks * i / n;
            if (b > 0 && (bounds.isEmpty() || bounds.get(bounds.size() - 1) != b)) {
                bounds.add(b);
            }
        }
        return ranges("ctid", bounds, b -> "'(" + b + ",0)'::tid", "ctid", String::valueOf);
    }

    private static List<CopyRange> ranges(String kind, List<String> bounds, Function<String, String> literal,
                                          String lhs) {
        return ranges(kind, bounds, literal, lhs, Function.identity());
    }

    /** Range i is {@code [bound(i-1), bound(i))}, open at both ends of the list. */
    private static <B> List<CopyRange> ranges(String kind, List<B> bounds, Function<B, String> literal, String lhs,
                                              Function<B, String> recorded) {
        if (bounds.isEmpty()) {
            return List.of(CopyRange.WHOLE);
        }
        List<CopyRange> out = new ArrayList<>(bounds.size() + 1);
        for (int i = 0; i <= bounds.size(); i++) {
            Optional<B> lower = i == 0 ? Optional.empty() : Optional.of(bounds.get(i - 1));
            Optional<B> upper = i == bounds.size() ? Optional.empty() : Optional.of(bounds.get(i));
            List<String> conds = new ArrayList<>(2);
            lower.ifPresent(b -> conds.add(lhs + " >= " + literal.apply(b)));
            upper.ifPresent(b -> conds.add(lhs + " < " + literal.apply(b)));
            out.add(new CopyRange(new RangeBounds(kind, lower.map(recorded), upper.map(recorded)),
                    Optional.of(String.join(" AND ", conds))));
        }
        return out;
    }

    /** A composite key boundary recorded as a row literal, fields quoted like {@code record_out} would. */
    private static String rowField(String v) {
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
