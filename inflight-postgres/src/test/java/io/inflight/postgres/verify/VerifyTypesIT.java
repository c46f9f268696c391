package io.inflight.postgres.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.progress.ProgressListener;
import io.inflight.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Equal data hashes equal 13 ↔ 17 although the two servers and databases are configured to print it
 * differently (server TimeZone, DateStyle, IntervalStyle, extra_float_digits, bytea_output), for every type
 * that prints through those settings; a text key sorts differently on the two sides (a linguistic collation
 * on the source, "C" on the target). The same data is inserted on both sides from the same literals.
 */
@Timeout(300)
class VerifyTypesIT {

    static PostgresServer source;
    static PostgresServer target;

    static final String[] SCHEMA = {
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
        "CREATE TYPE pair AS (x float8, at timestamptz)",
        "CREATE TABLE typed (id int PRIMARY KEY, f8 float8, f4 real, n numeric, n4 numeric(12,4), ts timestamptz,"
                + " tsn timestamp, d date, tm time, ttz timetz, iv interval, jb jsonb, js json, af float8[],"
                + " ats timestamptz[], atx text[], b bytea, m money, u uuid, ip inet, pt point, r tstzrange, e mood,"
                + " c pair, bits varbit, nr numrange)",
    };

    /** The same rows on both sides; jsonb keys are written in a different order on the target (see below). */
    static final String[] ROWS = {
        "(1, 0.1, 0.1, 1.50, 2.5, '2024-03-01 12:34:56.789+01', '2024-03-01 12:34:56.789', '2024-02-29', '23:59:59.999999',"
                + " '12:00+05:30', '1 mon 2 days 03:04:05.678', JB, '{\"k\": [1, 2.50, \"x\"]}', '{0.1,0.2,NaN}',"
                + " '{\"2024-01-01 00:00+00\",\"2023-06-30 23:30-07\"}', '{a,\"b c\",NULL}', '\\x00ff10', 12.34,"
                + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '10.1.2.3/16', '(0.1,-2.5e-10)',"
                + " '[2024-01-01 10:00+02,2024-01-02 00:00+00)', 'happy', ROW(0.3, '1999-12-31 23:59:59+14'), B'10101',"
                + " '[1.5,2.25)')",
        "(2, 'NaN', 'Infinity', 'NaN', -0.0001, 'infinity', '-infinity', 'infinity', '00:00', '00:00:00-12',"
                + " '-1 year -2 mons +3 days -04:05:06', '{}', '[]', '{Infinity,-Infinity,-0}', '{}', '{}', '', -0.01,"
                + " NULL, '::1', '(0,0)', 'empty', 'sad', ROW('NaN', NULL), B'', 'empty')",
        "(3, -0.0, '-Infinity', 123456789012345678901234567890.123456789, 0, '1970-01-01 00:00:00+00',"
                + " '2000-01-01 00:00', '0001-01-01 BC', '12:00', '23:59:59+14', '0', '{\"a\": null, \"b\": 1e-7}',"
                + " '{\"b\": 1, \"a\": 2}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
        "(4, 1e-300, 3.4028235e38, 0.000000001, 99999999.9999, '2024-10-27 01:30:00-04', '2024-10-27 02:30',"
                + " '2024-10-27', '01:30', '01:30-04', '36 hours', '[1, \"two\", {\"z\": 0, \"a\": [true, false]}]',"
                + " '\"text\"', '{1e300,-1e-300,4.9e-324}', '{\"2024-10-27 01:30-04\"}', '{\"\"}', '\\x5c27',"
                + " 92233720368547758.07, '00000000-0000-0000-0000-000000000000', '255.255.255.255', '(1e300,-1e-300)',"
                + " '(,)', 'ok', ROW(1e-300, 'infinity'), B'1', '(,)')",
        "(5, 0.30000000000000004, 16777217, 1e-20, -1.5, '2038-01-19 03:14:08+00', '1900-01-01', '2000-02-29',"
                + " '00:00:00.000001', '00:00:00.000001+00', '2 microseconds', '{\"\\u00e9\": \"\\u20ac\", \"a\": \"\"}',"
                + " '{}', '{}', '{}', '{\"\\\\\",\"\\\"\"}', '\\x', 0, 'ffffffff-ffff-ffff-ffff-ffffffffffff',"
                + " '2001:db8::1/64', '(-0,0.5)', '[2024-01-01 00:00+00,)', NULL, ROW(-0.0, '2024-02-29 00:00+00'),"
                + " B'0000', '[-1,1]')",
    };

    static final String[] JSONB_SOURCE = {"'{\"a\": 1, \"b\": [1.0, 2], \"nested\": {\"y\": 1, \"x\": 2}}'"};
    static final String[] JSONB_TARGET = {"'{\"nested\": {\"x\": 2, \"y\": 1}, \"b\": [1.0, 2], \"a\": 1}'"};

    static String collation;

    @BeforeAll
    static void start() throws Exception {
        source = PostgresServer.builder(13).setting("timezone", "'America/New_York'").setting("DateStyle", "'SQL, DMY'")
                .setting("IntervalStyle", "'iso_8601'").setting("extra_float_digits", "0")
                .setting("bytea_output", "'escape'").start();
        target = PostgresServer.builder(17).setting("timezone", "'Asia/Kolkata'").setting("DateStyle", "'German'")
                .setting("IntervalStyle", "'sql_standard'").setting("extra_float_digits", "-3").start();
        source.createDatabase("types");
        target.createDatabase("types");
        target.execute("postgres", "ALTER DATABASE types SET bytea_output = 'hex'", "ALTER DATABASE types SET timezone = 'Pacific/Chatham'");
        collation = linguisticCollation();
        for (PostgresServer pg : List.of(source, target)) {
            pg.execute("types", SCHEMA);
            String jb = pg == source ? JSONB_SOURCE[0] : JSONB_TARGET[0];
            for (String row : ROWS) {
                pg.execute("types", "INSERT INTO typed VALUES " + row.replace("JB", jb));
            }
            String keyCollation = pg == source ? collation : "C";
            pg.execute("types", "CREATE TABLE names (name text COLLATE \"" + keyCollation + "\" PRIMARY KEY, v int)",
                    "INSERT INTO names VALUES ('a', 1), ('B', 2), ('b', 3), ('\u00c9mile', 4), ('emile', 5), ('Zo\u00eb', 6),"
                            + " ('zebra', 7), ('_x', 8), ('10', 9), ('9', 10), ('a b', 11), ('ab', 12), ('\u00e6', 13)",
                    "INSERT INTO names SELECT 'name ' || g, g FROM generate_series(1, 3000) g",
                    "ANALYZE");
        }
    }

    /** A collation that does not sort like "C", present on both servers. */
    private static String linguisticCollation() throws Exception {
        List<String> found = new ArrayList<>();
        for (PostgresServer pg : List.of(source, target)) {
            try (Connection c = pg.connect("types"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT collname FROM pg_collation WHERE collname IN ('en_US.utf8', 'en_US', 'de_DE.utf8',"
                            + " 'C.utf8', 'und-x-icu', 'en-x-icu') AND collencoding IN (-1, 6) ORDER BY collname")) {
                List<String> names = new ArrayList<>();
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
                if (found.isEmpty()) {
                    found.addAll(names);
                } else {
                    found.retainAll(names);
                }
            }
        }
        // C.utf8 sorts like C; prefer a linguistic one.
        return found.stream().filter(n -> !n.equalsIgnoreCase("C.utf8")).findFirst()
                .orElseThrow(() -> new AssertionError("no linguistic collation on both servers: " + found));
    }

    @AfterAll
    static void stop() {
        if (source != null) {
            source.close();
        }
        if (target != null) {
            target.close();
        }
    }

    static VerifyResult verify() {
        return new VerifyJob(VerifyOptions.defaults(source.endpoint("types"), target.endpoint("types")).withJobs(2)
                .withLive(LiveMode.OFF, Duration.ZERO).withRestart(true), ProgressListener.NONE).run();
    }

    static Map<String, TableReport> byName(VerifyResult r) {
        return r.tables().stream().collect(Collectors.toMap(t -> t.table().name(), t -> t));
    }

    @Test
    void equalValuesOfEveryTypeAreEqualAcrossVersionsAndSettings() throws Exception {
        try (Connection s = source.connect("types"); Statement st = s.createStatement();
             ResultSet rs = st.executeQuery("SELECT string_agg(name, '|' ORDER BY name),"
                     + " string_agg(name, '|' ORDER BY name COLLATE \"C\") FROM names WHERE v <= 13")) {
            rs.next();
            assertThat(rs.getString(1)).as("the source's key order (%s) is not C's", collation)
                    .isNotEqualTo(rs.getString(2));
        }
        VerifyResult r = verify();
        assertThat(r.tables()).allSatisfy(t -> assertThat(t.differences()).as(t.table() + ": " + t.differingColumns())
                .isEmpty());
        assertThat(r.outcome()).isEqualTo(VerifyResult.Outcome.EQUAL);
        assertThat(byName(r).get("typed").sourceRows()).isEqualTo(ROWS.length);
        assertThat(byName(r).get("names").sourceRows()).isEqualTo(3013);
    }

    @Test
    void oneUlpOfOneFloatOrTheScaleOfANumericOrOneMicrosecondIsADifference() {
        target.execute("types", "UPDATE typed SET f8 = 0.3 WHERE id = 5", "UPDATE typed SET n = 1.5 WHERE id = 1",
                "UPDATE typed SET ts = ts + interval '1 microsecond' WHERE id = 4",
                "UPDATE names SET v = -1 WHERE name = '\u00c9mile'");
        try {
            Map<String, TableReport> t = byName(verify());
            assertThat(t.get("typed").differences()).containsExactlyInAnyOrder(
                    new Difference(Difference.Kind.DIFFERS, List.of("5"), List.of("f8"), 1),
                    new Difference(Difference.Kind.DIFFERS, List.of("1"), List.of("n"), 1),
                    new Difference(Difference.Kind.DIFFERS, List.of("4"), List.of("ts"), 1));
            assertThat(t.get("names").differences()).containsExactly(
                    new Difference(Difference.Kind.DIFFERS, List.of("\u00c9mile"), List.of("v"), 1));
        } finally {
            target.execute("types", "UPDATE typed SET f8 = 0.30000000000000004 WHERE id = 5",
                    "UPDATE typed SET n = 1.50 WHERE id = 1", "UPDATE names SET v = 4 WHERE name = '\u00c9mile'",
                    "UPDATE typed SET ts = ts - interval '1 microsecond' WHERE id = 4");
        }
    }
}
