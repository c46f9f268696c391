package io.inflight.postgres.verify;

import io.inflight.core.Identifiers;
import io.inflight.postgres.schema.ColumnInfo;
import java.util.Map;
import java.util.Set;

/**
 * The SQL hashing one column's value to 64 bits, the same for equal values on both servers, without printing
 * it: printing (jsonb, timestamps, numerics) costs several times more than hashing. Per type:
 * <ul>
 *   <li>built-in types with a hash operator class use its extended hash function, which PostgreSQL keeps
 *       stable across major versions (hash-partitioned tables survive pg_upgrade by it); the values hash as the
 *       type's equality sees them: -0 = 0 for floats, '1 day' = '24 hours' for intervals, jsonb by content
 *       (key order never mattered to jsonb);</li>
 *   <li>numeric: its hash ignores the scale (1.50 = 1.5), so the scale is folded into the seed: a changed
 *       scale is a difference, as the application would see it;</li>
 *   <li>text, varchar, char: the bytes, under COLLATE "C" (a non-deterministic collation would hash a sort
 *       key);</li>
 *   <li>timestamptz as the timestamp it is in UTC, the time zone of every verify session
 *       ({@link SessionSettings}): one instant, one timestamp. The cast costs half of what building a
 *       one-element array for {@code hash_array_extended} did (measured over 4 M rows);</li>
 *   <li>date through a one-element array, whose hash calls the type's own hash function (no SQL-callable
 *       one takes a date, and date arithmetic fails on infinite dates);</li>
 *   <li>everything else (json — its text is its value —, xml, money, bytea, enums — whose hashes are OIDs that
 *       differ between servers —, composites, geometric and user types, arrays of those) through its text as
 *       printed under {@link SessionSettings}.</li>
 * </ul>
 * NULL hashes to a constant per position, so NULL and every value differ. Pure.
 */
final class ColumnHash {

    /** Type (as format_type spells it, without modifiers) to the function hashing it directly. */
    private static final Map<String, String> DIRECT = Map.ofEntries(
            Map.entry("smallint", "hashint2extended(%s, %d)"),
            Map.entry("integer", "hashint4extended(%s, %d)"),
            Map.entry("bigint", "hashint8extended(%s, %d)"),
            Map.entry("real", "hashfloat4extended(%s, %d)"),
            Map.entry("double precision", "hashfloat8extended(%s, %d)"),
            Map.entry("boolean", "hashint4extended(%s::integer, %d)"),
            Map.entry("text", "hashtextextended(%s COLLATE \"C\", %d)"),
            Map.entry("character varying", "hashtextextended(%s::text COLLATE \"C\", %d)"),
            Map.entry("character", "hashbpcharextended(%s COLLATE \"C\", %d)"),
            Map.entry("timestamp without time zone", "timestamp_hash_extended(%s, %d)"),
            Map.entry("timestamp with time zone", "timestamp_hash_extended((%s)::timestamp, %d)"),
            Map.entry("date", "hash_array_extended(ARRAY[%s], %d)"),
            Map.entry("time without time zone", "time_hash_extended(%s, %d)"),
            Map.entry("time with time zone", "timetz_hash_extended(%s, %d)"),
            Map.entry("interval", "interval_hash_extended(%s, %d)"),
            Map.entry("uuid", "uuid_hash_extended(%s, %d)"),
            Map.entry("inet", "hashinetextended(%s, %d)"),
            Map.entry("cidr", "hashinetextended(%s, %d)"),
            Map.entry("macaddr", "hashmacaddrextended(%s, %d)"),
            Map.entry("jsonb", "jsonb_hash_extended(%s, %d)"),
            Map.entry("pg_lsn", "pg_lsn_hash_extended(%s, %d)"));

    /** Array element types whose array hash is as stable as the element's (no collation, no OIDs). */
    private static final Set<String> ARRAY_ELEMENTS = Set.of("smallint", "integer", "bigint", "real",
            "double precision", "boolean", "timestamp without time zone", "timestamp with time zone", "date",
            "time without time zone", "interval", "uuid");

    private ColumnHash() {
    }

    /**
     * The hash of column {@code c} at {@code position} (its seed); {@code asText} forces the text route;
     * {@code nullable}: the column may hold NULL on either side (else the NULL guard is left out: it costs).
     */
    static String of(ColumnInfo c, int position, boolean asText, boolean nullable) {
        String q = Identifiers.quote(c.name());
        String type = c.type().replaceAll("\\([^)]*\\)", "");
        String expr;
        if (asText) {
            expr = textHash(q, position);
        } else if (type.equals("numeric")) {
            expr = "hash_numeric_extended(" + q + ", " + position + " + 65536 * coalesce(scale(" + q + "), 0))";
        } else if (DIRECT.containsKey(type)) {
            expr = String.format(java.util.Locale.ROOT, DIRECT.get(type), q, position);
        } else if (type.endsWith("[]") && ARRAY_ELEMENTS.contains(type.substring(0, type.length() - 2))) {
            expr = "hash_array_extended(" + q + ", " + position + ")";
        } else {
            expr = textHash(q, position);
        }
        return nullable ? "coalesce(" + expr + ", " + nullHash(position) + ")" : expr;
    }

    private static String textHash(String q, int position) {
        return "hashtextextended((" + q + ")::text COLLATE \"C\", " + position + ")";
    }

    /** A constant standing for NULL at a position (odd multiples of a large prime: distinct, nonzero). */
    static long nullHash(int position) {
        return (2L * position + 1) * 0x9E3779B97F4A7C15L;
    }

    /** Whether a type hashes without printing (for reports on which columns take the slower route). */
    static boolean direct(String formatType) {
        String type = formatType.replaceAll("\\([^)]*\\)", "");
        return type.equals("numeric") || DIRECT.containsKey(type)
                || (type.endsWith("[]") && ARRAY_ELEMENTS.contains(type.substring(0, type.length() - 2)));
    }
}
