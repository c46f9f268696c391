package io.inflight.cli;

import static io.inflight.testkit.TableContents.fingerprint;
import static io.inflight.testkit.TableContents.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bad-input matrix of RELIABILITY.md, data side: awkward names and values that must simply arrive, through
 * the real {@code inflight} jar run with a small heap ({@code -Xmx256m}), 13 → 17, by clone and by stream; both
 * sides are then read directly and compared.
 */
@Timeout(600)
class BadDataIT {

    static PostgresServer source;
    static PostgresServer target;

    @BeforeAll
    static void servers() {
        source = PostgresServer.start(13);
        target = PostgresServer.start(17);
    }

    @AfterAll
    static void stop() {
        if (target != null) {
            target.close();
        }
        if (source != null) {
            source.close();
        }
    }

    /** What a test checks between the clone and the stream. */
    interface Check {
        void run() throws Exception;
    }

    /** {@code clone} then, after {@code changes} on the source, {@code stream --until-caught-up}, both as processes. */
    private static void cloneThenStream(PostgresServer from, String db, String... changes) throws Exception {
        cloneThenStream(from, db, () -> { }, changes);
    }

    private static void cloneThenStream(PostgresServer from, String db, Check afterClone, String... changes)
            throws Exception {
        MainTest.Run clone = inflight(from, db, "clone", "--jobs", "2", "--slot", db, "--publication", db, "--quiet");
        assertThat(clone.code()).as("clone; stderr:\n%s", clone.err()).isZero();
        afterClone.run();
        from.execute(db, changes);
        MainTest.Run stream = inflight(from, db, "stream", "--until-caught-up", "--quiet");
        assertThat(stream.code()).as("stream; stderr:\n%s", stream.err()).isZero();
    }

    /** {@code inflight <command> --source from/db --target target/db <args>} as a process with a 256 MB heap. */
    private static MainTest.Run inflight(PostgresServer from, String db, String command, String... args)
            throws Exception {
        return inflightWithHeap("256m", from, db, command, args);
    }

    private static MainTest.Run inflightWithHeap(String heap, PostgresServer from, String db, String command,
                                                 String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(command,
                "--source", InflightJar.uri(from, PostgresServer.SUPERUSER, db),
                "--target", InflightJar.uri(target, PostgresServer.SUPERUSER, db)));
        all.addAll(List.of(args));
        MainTest.Run r = InflightJar.run(InflightJar.passwords(from, target), List.of("-Xmx" + heap),
                all.toArray(String[]::new));
        assertThat(r.out() + r.err()).doesNotContain(from.password()).doesNotContain(target.password())
                .doesNotContain("\tat ");
        return r;
    }

    private static void assertSameRows(PostgresServer from, String db, String... tables) throws SQLException {
        try (Connection s = from.connect(db); Connection t = target.connect(db)) {
            for (String table : tables) {
                assertThat(fingerprint(t, table)).as(table).isEqualTo(fingerprint(s, table));
            }
        }
    }

    /** Every row of a query, each as its columns' text joined by '|', in the query's order. */
    private static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    sb.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    private static void assertSameQuery(PostgresServer from, String db, String sql) throws SQLException {
        try (Connection s = from.connect(db); Connection t = target.connect(db)) {
            List<String> expected = rows(s, sql);
            assertThat(expected).as(sql).isNotEmpty();
            assertThat(rows(t, sql)).as(sql).isEqualTo(expected);
        }
    }

    private static final String S = "\"Ünïcödé \"\"Sch\"\" ema\"";
    private static final String T = S + ".\"Tab \"\"Quoted\"\" Ñame\"";

    @Test
    void identifiersWithQuotesSpacesCapitalsAndNonAsciiLettersArrive() throws Exception {
        String db = "names";
        source.createDatabase(db);
        target.createDatabase(db);
        source.execute(db, "CREATE SCHEMA " + S,
                "CREATE TYPE " + S + ".\"Mood Ü\" AS ENUM ('happy', 'so \"sad\"', 'déjà vu', 'it''s', 'UPPER case')",
                "CREATE SEQUENCE " + S + ".\"Seq \"\"Q\"\" é\" START 100",
                "CREATE TABLE " + S + ".\"Parent Ö\" (\"Kéy\" int PRIMARY KEY)",
                "INSERT INTO " + S + ".\"Parent Ö\" SELECT generate_series(1, 5)",
                "CREATE TABLE " + T + " (\"Id Key\" int PRIMARY KEY, \"CamelCase\" text,"
                        + " \"naïve col\" " + S + ".\"Mood Ü\", \"n \"\"q\"\" col\" bigint DEFAULT nextval('"
                        + S.replace("'", "''") + ".\"Seq \"\"Q\"\" é\"'), \"Parent Ref\" int,"
                        + " CONSTRAINT \"Chk \"\"é\"\" Const\" CHECK (\"Id Key\" > 0),"
                        + " CONSTRAINT \"Uniq Ü\" UNIQUE (\"CamelCase\"),"
                        + " CONSTRAINT \"FK → Parent\" FOREIGN KEY (\"Parent Ref\") REFERENCES " + S + ".\"Parent Ö\")",
                "CREATE INDEX \"Idx \"\"é\"\" Ñ\" ON " + T + " (\"naïve col\", \"n \"\"q\"\" col\")",
                "INSERT INTO " + T + " (\"Id Key\", \"CamelCase\", \"naïve col\", \"Parent Ref\")"
                        + " VALUES (1, 'one', 'so \"sad\"', 1), (2, 'two', 'déjà vu', 2), (3, 'Thrée', 'it''s', NULL)");
        // sequences are set by the clone (and again at cutover); the stream carries rows only
        cloneThenStream(source, db, () -> assertSameQuery(source, db, "SELECT last_value, is_called FROM " + S
                        + ".\"Seq \"\"Q\"\" é\""),
                "INSERT INTO " + T + " (\"Id Key\", \"CamelCase\", \"naïve col\", \"Parent Ref\")"
                        + " VALUES (4, 'fóur', 'UPPER case', 3), (5, 'five', 'happy', 4)",
                "UPDATE " + T + " SET \"naïve col\" = 'déjà vu', \"CamelCase\" = 'ONE' WHERE \"Id Key\" = 1",
                "DELETE FROM " + T + " WHERE \"Id Key\" = 2",
                "UPDATE " + T + " SET \"Id Key\" = 30 WHERE \"Id Key\" = 3");
        assertSameRows(source, db, T, S + ".\"Parent Ö\"");
        try (Connection t = target.connect(db)) {
            assertThat(scalar(t, "SELECT \"CamelCase\" || '/' || \"naïve col\" FROM " + T + " WHERE \"Id Key\" = 1"))
                    .isEqualTo("ONE/déjà vu");
        }
        assertSameQuery(source, db, "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                + " WHERE connamespace = '" + S.replace("'", "''") + "'::regnamespace ORDER BY conname");
        assertSameQuery(source, db, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'Ünïcödé \"Sch\" ema'"
                + " ORDER BY indexname");
        assertSameQuery(source, db, "SELECT enumlabel FROM pg_enum WHERE enumtypid = '" + S.replace("'", "''")
                + ".\"Mood Ü\"'::regtype ORDER BY enumsortorder");
    }

    @Test
    void nanAndInfinityInFloatsAndNumericArrive() throws Exception {
        String db = "nan";
        source.createDatabase(db);
        target.createDatabase(db);
        source.execute(db, "CREATE TABLE nums (id int PRIMARY KEY, n numeric, n2 numeric(10,2), r real,"
                        + " d double precision, a float8[])",
                "INSERT INTO nums VALUES (1, 'NaN', 'NaN', 'NaN', 'NaN', '{NaN,Infinity,-Infinity}'),"
                        + " (2, 1.5, 2.25, 'Infinity', 'Infinity', NULL), (3, -0.0, 0, '-Infinity', '-Infinity', '{}'),"
                        + " (4, 1e-300, 99999999.99, 3.4e38, 1.7976931348623157e308, '{-0}')");
        cloneThenStream(source, db,
                "INSERT INTO nums VALUES (11, 'NaN', 'NaN', 'NaN', 'NaN', '{NaN}'),"
                        + " (12, 0.1, 0.1, 'Infinity', '-Infinity', '{Infinity}'),"
                        + " (13, 2, 2, '-Infinity', 'Infinity', NULL), (14, 1e-300, 1, 1.17549435e-38, 4.9e-324, NULL)",
                "UPDATE nums SET d = 'NaN', r = 'Infinity', n = 'NaN' WHERE id = 2");
        assertSameRows(source, db, "nums");
        assertSameQuery(source, db, "SELECT id, n::text, r::text, d::text, a::text FROM nums ORDER BY id");
        try (Connection t = target.connect(db)) {
            assertThat(scalar(t, "SELECT count(*) FROM nums WHERE d = 'NaN'")).isEqualTo("3");
            assertThat(scalar(t, "SELECT count(*) FROM nums WHERE r = '-Infinity'")).isEqualTo("2");
        }
    }

    /** numeric ±Infinity exist from PostgreSQL 14 on: a PG 15 source into the PG 17 target. */
    @Test
    void numericInfinityFromAFifteenSourceArrives() throws Exception {
        try (PostgresServer fifteen = PostgresServer.start(15)) {
            String db = "numinf";
            fifteen.createDatabase(db);
            target.createDatabase(db);
            fifteen.execute(db, "CREATE TABLE n (id int PRIMARY KEY, v numeric)",
                    "INSERT INTO n VALUES (1, 'Infinity'), (2, '-Infinity'), (3, 'NaN'), (4, 1.0)");
            cloneThenStream(fifteen, db, "INSERT INTO n VALUES (5, 'Infinity'), (6, '-Infinity'), (7, 'NaN')",
                    "UPDATE n SET v = '-Infinity' WHERE id = 4");
            assertSameRows(fifteen, db, "n");
            try (Connection t = target.connect(db)) {
                assertThat(scalar(t, "SELECT string_agg(v::text, ',' ORDER BY id) FROM n"))
                        .isEqualTo("Infinity,-Infinity,NaN,-Infinity,Infinity,-Infinity,NaN");
            }
        }
    }

    @Test
    void infiniteAncientAndFarFutureDatesArrive() throws Exception {
        String db = "dates";
        source.createDatabase(db);
        target.createDatabase(db);
        String values = "(%d, 'infinity', 'infinity', 'infinity'), (%d, '-infinity', '-infinity', '-infinity'),"
                + " (%d, '4713-01-01 BC', '4713-01-01 00:00:00 BC', '4713-01-01 00:00:00+00 BC'),"
                + " (%d, '294276-12-31', '294276-12-31 23:59:59.999999', '294276-12-30 23:59:59.999999+00'),"
                + " (%d, '5874897-12-31', '2000-02-29 12:00', '1970-01-01 00:00+00')";
        source.execute(db, "CREATE TABLE d (id int PRIMARY KEY, day date, ts timestamp, tz timestamptz)",
                "INSERT INTO d VALUES " + values.formatted(1, 2, 3, 4, 5));
        cloneThenStream(source, db, "INSERT INTO d VALUES " + values.formatted(11, 12, 13, 14, 15),
                "UPDATE d SET day = '-infinity', ts = '4713-01-01 00:00:00 BC' WHERE id = 5");
        assertSameRows(source, db, "d");
        assertSameQuery(source, db, "SELECT id, day::text, ts::text, (tz AT TIME ZONE 'UTC')::text FROM d ORDER BY id");
        try (Connection t = target.connect(db)) {
            assertThat(scalar(t, "SELECT count(*) FROM d WHERE day = '-infinity' AND ts = '4713-01-01 00:00:00 BC'"))
                    .isEqualTo("1");
            assertThat(scalar(t, "SELECT count(*) FROM d WHERE ts = '294276-12-31 23:59:59.999999'")).isEqualTo("2");
        }
    }

    @Test
    void aLatin1SourceArrivesConvertedInAUtf8Target() throws Exception {
        String db = "latin";
        source.execute("postgres", "CREATE DATABASE latin ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'"
                + " TEMPLATE template0");
        target.createDatabase(db);
        source.execute(db, "CREATE TABLE \"café\" (id int PRIMARY KEY, \"nämé\" text, c char(3), v varchar(8))",
                "CREATE INDEX \"café_nämé\" ON \"café\" (\"nämé\")",
                "INSERT INTO \"café\" VALUES (1, 'é stays é', 'ñÑü', 'ßÿ½°'), (2, 'Ångström', 'àèì', '©®±µ')");
        cloneThenStream(source, db, "INSERT INTO \"café\" VALUES (3, 'Ouvre déjà, garçon', 'ÀÉÎ', 'ÆØÅæøå')",
                "UPDATE \"café\" SET \"nämé\" = 'naïve façade' WHERE id = 1");
        assertSameQuery(source, db, "SELECT id, \"nämé\", c, v, length(\"nämé\") FROM \"café\" ORDER BY id");
        try (Connection t = target.connect(db)) {
            assertThat(scalar(t, "SELECT current_setting('server_encoding')")).isEqualTo("UTF8");
            assertThat(scalar(t, "SELECT \"nämé\" FROM \"café\" WHERE id = 1")).isEqualTo("naïve façade");
            assertThat(scalar(t, "SELECT v FROM \"café\" WHERE id = 1")).isEqualTo("ßÿ½°");
            assertThat(scalar(t, "SELECT octet_length(\"nämé\") FROM \"café\" WHERE id = 2"))
                    .as("Å and ö are two bytes each in UTF8").isEqualTo("10");
        }
        try (Connection s = source.connect(db)) {
            assertThat(scalar(s, "SELECT current_setting('server_encoding')")).isEqualTo("LATIN1");
        }
    }

    /**
     * 100 MB text and bytea values through a JVM with a 256 MB heap: both by the clone (binary COPY, one row at a
     * time) and by the stream. A 100 MB bytea reaches the stream as 200 MB of hex text (pgoutput of a PG 13
     * source): a 128 MB heap cannot hold it, and the stream stops with RESOURCE_EXHAUSTED naming the heap to give;
     * a rerun with 256 MB resumes and finishes (the value goes from the received message to COPY, never copied).
     */
    @Test
    @Timeout(900)
    void hundredMegabyteValuesPassThroughASmallHeap() throws Exception {
        String db = "big";
        source.createDatabase(db);
        target.createDatabase(db);
        int mb = 100 * 1024 * 1024;
        source.execute(db, "CREATE TABLE big (id int PRIMARY KEY, t text, b bytea)",
                "INSERT INTO big VALUES (0, 'small', '\\x00')",
                "INSERT INTO big SELECT 1, repeat('t', " + mb + "), NULL",
                "INSERT INTO big SELECT 2, NULL, convert_to(repeat('b', " + mb + "), 'UTF8')");
        String compare = "SELECT id, octet_length(t), octet_length(b), md5(t), md5(b) FROM big ORDER BY id";
        cloneThenStream(source, db, () -> assertSameQuery(source, db, compare),
                "INSERT INTO big SELECT 3, repeat('s', " + mb + "), NULL",
                "UPDATE big SET t = 'after' WHERE id = 0");
        assertSameQuery(source, db, compare);

        source.execute(db, "INSERT INTO big SELECT 4, NULL, convert_to(repeat('c', " + mb + "), 'UTF8')",
                "INSERT INTO big VALUES (5, 'after the big one', NULL)");
        MainTest.Run small = inflightWithHeap("128m", source, db, "stream", "--until-caught-up", "--quiet");
        assertThat(small.code()).as("stream; stderr:\n%s", small.err()).isEqualTo(19);
        assertThat(small.err()).contains("inflight: ").contains("heap").contains("-Xmx").contains("resume");
        MainTest.Run big = inflight(source, db, "stream", "--until-caught-up", "--quiet");
        assertThat(big.code()).as("stream; stderr:\n%s", big.err()).isZero();
        assertSameQuery(source, db, compare);
        try (Connection t = target.connect(db)) {
            assertThat(scalar(t, "SELECT octet_length(t) FROM big WHERE id = 3")).isEqualTo(String.valueOf(mb));
            assertThat(scalar(t, "SELECT octet_length(b) FROM big WHERE id = 4")).isEqualTo(String.valueOf(mb));
        }
    }
}
