package io.inflight.postgres.verify;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The session settings verify sets on every connection, on both sides, so that equal values print the same
 * text whatever each server's or database's own configuration says:
 * <ul>
 *   <li>{@code TimeZone = UTC}: timestamptz (and ranges, arrays, json built from it) print in UTC;</li>
 *   <li>{@code DateStyle = ISO, YMD}: dates and timestamps in ISO 8601;</li>
 *   <li>{@code IntervalStyle = postgres}: one spelling per interval value;</li>
 *   <li>{@code extra_float_digits = 3}: from PostgreSQL 12 on, any value above 0 prints the shortest text that
 *       reads back to the same float, the same on every version (NaN, Infinity, -0 included);</li>
 *   <li>{@code bytea_output = hex};</li>
 *   <li>{@code lc_monetary = C}: money prints without the server's locale;</li>
 *   <li>{@code search_path = pg_catalog}: reg* values print schema-qualified, and no user object can shadow the
 *       functions verify calls.</li>
 * </ul>
 * jsonb prints canonically by itself (keys sorted, no duplicates, no whitespace choices), arrays and composites
 * print through their elements' output functions under these same settings.
 */
final class SessionSettings {

    static final List<String> STATEMENTS = List.of(
            "SET TimeZone = 'UTC'",
            "SET DateStyle = 'ISO, YMD'",
            "SET IntervalStyle = 'postgres'",
            "SET extra_float_digits = 3",
            "SET bytea_output = 'hex'",
            "SET lc_monetary = 'C'",
            "SET search_path = pg_catalog",
            "SET statement_timeout = 0",
            // Verify parallelizes by ranges itself; extra workers per query would only defeat --jobs and
            // --max-rows-per-second on a production source.
            "SET max_parallel_workers_per_gather = 0",
            "SET application_name = 'inflight verify'");

    /** What {@link #probe} returns: the hash of a fixed text and the database encoding. */
    record Probe(long nativeHash, String encoding, int major) {
    }

    private SessionSettings() {
    }

    static void apply(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : STATEMENTS) {
                s.execute(sql);
            }
        }
    }

    /**
     * Hashes of fixed values by every kind of hash function verify uses, folded into one: equal on both sides
     * only if they share byte order, encoding (the text has non-ASCII characters) and hash functions.
     */
    static Probe probe(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT hashtextextended('inflight verify probe \u00e9\u20ac' COLLATE \"C\", 0)"
                        + " # hash_numeric_extended(-1234.5678, 3) # hashfloat8extended(0.1, 4)"
                        + " # jsonb_hash_extended('{\"a\": [1, 2.5, \"x\"], \"b\": null}', 5)"
                        + " # timestamp_hash_extended((timestamptz '2001-02-03 04:05:06.789+00')::timestamp, 6)"
                        + " # hash_array_extended(ARRAY[date '2024-02-29'], 7) # interval_hash_extended('1 mon 2 days', 8)"
                        + " # uuid_hash_extended('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 9)"
                        + " # hashint8extended(-42, 10) # hashint4extended(42, 11) # hashtextextended('', 12),"
                        + " pg_encoding_to_char(encoding), current_setting('server_version_num')::int / 10000"
                        + " FROM pg_database WHERE datname = current_database()")) {
            rs.next();
            return new Probe(rs.getLong(1), rs.getString(2), rs.getInt(3));
        }
    }

    /** NATIVE when both sides hash the probe alike, else the portable MD5. */
    static HashFunction choose(Probe source, Probe target) {
        return source.nativeHash() == target.nativeHash() && source.encoding().equals(target.encoding())
                ? HashFunction.NATIVE : HashFunction.MD5;
    }
}
