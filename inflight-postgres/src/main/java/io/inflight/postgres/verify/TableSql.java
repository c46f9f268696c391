package io.inflight.postgres.verify;

import io.inflight.core.Identifiers;
import io.inflight.core.TableId;
import io.inflight.postgres.schema.ColumnInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The queries verify runs on one table, the same text on both sides (only key literals carry each side's own
 * column types). Every row is reduced to a 64-bit hash of its column values (see {@link ColumnHash}); where a
 * row must be shown or its columns compared, it is read as its normalized text, {@code ROW(c1, c2, ...)::text},
 * whose fields print through each column's output function under {@link SessionSettings} (NULL and the empty
 * string print differently, char(n) keeps its padding).
 *
 * <p>Rows fall into {@code buckets} (a power of two) by a hash of their key's text, or for a table without
 * a key by their row hash: a bucket's count and sum of row hashes are additive, so each side may scan the
 * table in whatever slices suit it and both still agree on every bucket. Pure; thread-safe.
 *
 * @param columns    the columns compared, in the source's order (stored generated ones too: they are data)
 * @param keyColumns the source's primary or unique key, empty for a table compared as a multiset
 * @param textColumns columns hashed through their text even where their type has a hash function: those whose
 *                    type differs between the sides (e.g. integer here, bigint there), compared by value as text
 * @param nullable    columns that are not NOT NULL on both sides
 */
record TableSql(TableId table, List<ColumnInfo> columns, List<String> keyColumns, HashFunction hash, long buckets,
                Set<String> textColumns, Set<String> nullable) {

    /** Seeds of key column hashes start here, apart from the row's (one per column position). */
    static final int KEY_SEED = 1 << 15;

    TableSql {
        columns = List.copyOf(columns);
        keyColumns = List.copyOf(keyColumns);
        textColumns = Set.copyOf(textColumns);
        nullable = Set.copyOf(nullable);
        if (Long.bitCount(buckets) != 1) {
            throw new IllegalArgumentException("buckets must be a power of two: " + buckets);
        }
    }

    boolean keyed() {
        return !keyColumns.isEmpty();
    }

    /**
     * A column as it enters the row text. The session settings normalize nearly every type; the exceptions
     * are handled here. json is deliberately NOT normalized: it stores the text as written, so a changed key
     * order or spacing is a real difference (jsonb normalizes itself).
     */
    static String normalized(ColumnInfo c) {
        String q = Identifiers.quote(c.name());
        // money's text follows lc_monetary, which the settings fix; numeric is plainer still.
        if (c.type().equals("money")) {
            return q + "::numeric";
        }
        return q;
    }

    String rowText() {
        return "ROW(" + columns.stream().map(TableSql::normalized).collect(Collectors.joining(", ")) + ")::text";
    }

    /**
     * The row's 64-bit hash. NATIVE: the XOR of each column's hash by {@link ColumnHash}, seeded with the
     * column's position so equal values in different columns do not cancel; no text is built. MD5: of the
     * row's text.
     */
    String rowHash() {
        if (hash == HashFunction.MD5) {
            return hash.of(rowText(), 0);
        }
        List<String> parts = new ArrayList<>(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            ColumnInfo c = columns.get(i);
            parts.add(ColumnHash.of(c, i, textColumns.contains(c.name()), nullable.contains(c.name())));
        }
        return "(" + String.join(" # ", parts) + ")";
    }

    private List<ColumnInfo> keyInfos() {
        Map<String, ColumnInfo> byName = columns.stream().collect(Collectors.toMap(ColumnInfo::name, c -> c));
        return keyColumns.stream().map(byName::get).toList();
    }

    /** The key's identity, a row of the key columns as text: equal keys give equal text on both sides. */
    String keyText() {
        return "ROW(" + keyInfos().stream().map(TableSql::normalized).collect(Collectors.joining(", ")) + ")::text";
    }

    /** Each key column as text, for the report and for reading rows back by key. */
    private List<String> keyPartList() {
        return keyInfos().stream().map(c -> "(" + normalized(c) + ")::text").toList();
    }

    private String keyParts() {
        return String.join(", ", keyPartList());
    }

    String bucket() {
        return "(" + (keyed() ? keyHash() : rowHash()) + " & " + (buckets - 1) + ")";
    }

    /** A hash of the key alone, independent of the row hash (other seeds). */
    private String keyHash() {
        if (hash == HashFunction.MD5) {
            return hash.of(keyText(), 1);
        }
        List<ColumnInfo> key = keyInfos();
        List<String> parts = new ArrayList<>(key.size());
        for (int i = 0; i < key.size(); i++) {
            ColumnInfo c = key.get(i);
            parts.add(ColumnHash.of(c, KEY_SEED + i, textColumns.contains(c.name()), nullable.contains(c.name())));
        }
        return "(" + String.join(" # ", parts) + ")";
    }

    /**
     * Per bucket: rows and the sum of their row hashes (numeric: a bigint sum would overflow). Columns:
     * bucket, count, sum.
     */
    String bucketSums(Optional<String> slice) {
        return "SELECT b, count(*), sum(h) FROM (SELECT " + bucket() + " AS b, " + rowHash() + " AS h FROM ONLY "
                + table.quoted() + slice.map(p -> " WHERE " + p).orElse("") + ") s GROUP BY b";
    }

    /**
     * The rows of some buckets ({@code ?} = bigint[]) in one order both sides share: bucket, then the UTF-8
     * bytes of the key text (the same order in any collation). Keyed columns: bucket, key text, row hash,
     * key parts.
     * For a multiset: row hash, count, ordered by row hash.
     */
    String rowsOfBuckets() {
        if (!keyed()) {
            return "SELECT h, count(*) FROM (SELECT " + rowHash() + " AS h FROM ONLY " + table.quoted()
                    + ") s WHERE (h & " + (buckets - 1) + ") = ANY(?) GROUP BY h ORDER BY h";
        }
        return "SELECT b, k, h, " + partAliases() + " FROM (SELECT " + bucket() + " AS b, " + keyText() + " AS k, "
                + rowHash() + " AS h, " + aliasedParts() + " FROM ONLY " + table.quoted()
                + ") s WHERE b = ANY(?) ORDER BY b, convert_to(k, 'UTF8')";
    }

    private String partAliases() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < keyColumns.size(); i++) {
            out.add("p" + i);
        }
        return String.join(", ", out);
    }

    private String aliasedParts() {
        List<String> parts = keyPartList();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            out.add(parts.get(i) + " AS p" + i);
        }
        return String.join(", ", out);
    }

    /**
     * Rows by key, using the key's index: key text, row hash, key parts. {@code keyTypes} are the key columns'
     * types on the side the query runs on, so the literals compare with that side's operators.
     */
    String rowsByKeys(List<List<String>> keys, List<String> keyTypes) {
        return "SELECT " + keyText() + ", " + rowHash() + ", " + keyParts() + " FROM ONLY " + table.quoted()
                + " WHERE " + keyIn(keys, keyTypes);
    }

    /**
     * Whether the table is keyed by one integer column (the same type on both sides): its rows are then
     * compared by key ranges, the same on both sides, which need no grouping and bisect down by index scans.
     */
    boolean integerKey() {
        if (hash != HashFunction.NATIVE || keyColumns.size() != 1 || textColumns.contains(keyColumns.get(0))) {
            return false;
        }
        String type = keyInfos().get(0).type();
        return type.equals("smallint") || type.equals("integer") || type.equals("bigint");
    }

    private String key() {
        return Identifiers.quote(keyColumns.get(0));
    }

    /** For an integer key: rows, sum of row hashes, lowest and highest key of a range. */
    String rangeSums(Optional<String> range) {
        return "SELECT count(*), sum(" + rowHash() + "), min(" + key() + ")::text, max(" + key() + ")::text FROM ONLY "
                + table.quoted() + range.map(p -> " WHERE " + p).orElse("");
    }

    /**
     * For an integer key: per sub-range of {@code [lo, hi]} of width {@code width}: its number, rows, sum of row
     * hashes, lowest and highest key. Run with sorting disabled: the planner takes the sub-range number for as
     * many groups as rows and would sort the range rather than hash it into its few groups.
     */
    String subrangeSums(java.math.BigInteger lo, java.math.BigInteger hi, java.math.BigInteger width) {
        boolean fitsBigint = hi.subtract(lo).bitLength() < 63;
        String group = fitsBigint ? "(k::bigint - " + lo + ") / " + width
                : "floor((k::numeric - " + lo + ") / " + width + ")::bigint";
        return "SELECT " + group + " AS g, count(*), sum(h), min(k)::text, max(k)::text FROM (SELECT " + key()
                + " AS k, " + rowHash() + " AS h FROM ONLY " + table.quoted() + " WHERE " + key() + " BETWEEN " + lo
                + " AND " + hi + ") s GROUP BY g";
    }

    /** An integer key range as a condition, bounds included. */
    String keyBetween(java.math.BigInteger lo, java.math.BigInteger hi) {
        return "(" + key() + " BETWEEN " + lo + " AND " + hi + ")";
    }

    /** Like {@link #rowsOfBuckets} for the rows meeting {@code condition} (bucket column 0). */
    String rowsWhere(String condition) {
        return "SELECT 0::bigint AS b, k, h, " + partAliases() + " FROM (SELECT " + keyText() + " AS k, " + rowHash()
                + " AS h, " + aliasedParts() + " FROM ONLY " + table.quoted() + " WHERE " + condition
                + ") s ORDER BY convert_to(k, 'UTF8')";
    }

    /** For a multiset: row hash and count of the rows with these hashes ({@code ?} = bigint[]). */
    String rowsByHashes() {
        return "SELECT h, count(*) FROM (SELECT " + rowHash() + " AS h FROM ONLY " + table.quoted()
                + ") s WHERE h = ANY(?) GROUP BY h";
    }

    /** One row text per row hash ({@code ?} = bigint[]), to show a multiset difference. */
    String rowTextsByHashes() {
        return "SELECT DISTINCT ON (h) h, t FROM (SELECT " + rowHash() + " AS h, " + rowText() + " AS t FROM ONLY "
                + table.quoted() + ") s WHERE h = ANY(?)";
    }

    /** Key text, then each column's own text (as a one-field row, so NULL and '' stay apart), by key. */
    String columnsByKeys(List<List<String>> keys, List<String> keyTypes) {
        return "SELECT " + keyText() + ", " + columns.stream().map(c -> "ROW(" + normalized(c) + ")::text")
                .collect(Collectors.joining(", ")) + " FROM ONLY " + table.quoted() + " WHERE " + keyIn(keys, keyTypes);
    }

    private String keyIn(List<List<String>> keys, List<String> keyTypes) {
        String lhs = "(" + keyColumns.stream().map(Identifiers::quote).collect(Collectors.joining(", ")) + ")";
        List<String> rows = new ArrayList<>(keys.size());
        for (List<String> key : keys) {
            List<String> lits = new ArrayList<>(key.size());
            for (int i = 0; i < key.size(); i++) {
                lits.add(Identifiers.literal(key.get(i)) + "::" + keyTypes.get(i));
            }
            rows.add("(" + String.join(", ", lits) + ")");
        }
        return lhs + " IN (" + String.join(", ", rows) + ")";
    }
}
