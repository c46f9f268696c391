package io.inflight.cli;

import static io.inflight.testkit.TableContents.fingerprint;
import static io.inflight.testkit.TableContents.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.ErrorCode;
import io.inflight.testkit.PostgresServer;
import io.inflight.testkit.TlsFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

/**
 * The bad-input matrix of RELIABILITY.md, error side: each wrong configuration, server setting, privilege or
 * mid-run change is met through the real {@code inflight} jar, 13 → 17, and must stop with its own exit code and
 * a message naming the object at fault and what to do, never printing a password; where a run stopped midway,
 * the same command after fixing the cause finishes with the target equal to the source.
 */
@Timeout(300)
class BadInputIT {

    static PostgresServer source;
    static PostgresServer target;
    static Map<String, String> env;

    @TempDir
    static Path dir;

    @BeforeAll
    static void servers() {
        source = PostgresServer.builder(13).setting("max_replication_slots", "20").setting("max_wal_senders", "20")
                .start();
        target = PostgresServer.start(17);
        env = InflightJar.passwords(source, target);
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

    private static String src(String db) {
        return InflightJar.uri(source, PostgresServer.SUPERUSER, db);
    }

    private static String tgt(String db) {
        return InflightJar.uri(target, PostgresServer.SUPERUSER, db);
    }

    /** Runs the jar with both passwords in the environment and checks that neither is ever printed. */
    private static MainTest.Run inflight(Map<String, String> environment, String... args) throws Exception {
        MainTest.Run r = InflightJar.run(environment, args);
        assertThat(r.out() + r.err()).as("output of inflight %s", String.join(" ", args))
                .doesNotContain(source.password()).doesNotContain(target.password());
        return r;
    }

    private static MainTest.Run inflight(String... args) throws Exception {
        return inflight(env, args);
    }

    /** {@code command --source .../db --target .../db --slot db --publication db args}. */
    private static MainTest.Run migrate(String db, String command, String... args) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of(command, "--source", src(db), "--target", tgt(db)));
        if (!command.equals("stream")) {
            all.addAll(List.of("--slot", db, "--publication", db));
        }
        all.addAll(List.of(args));
        return inflight(all.toArray(String[]::new));
    }

    private static void assertFails(MainTest.Run r, ErrorCode code, String... named) {
        assertThat(r.code()).as("exit code; stderr:\n%s\nstdout:\n%s", r.err(), r.out()).isEqualTo(code.exitCode());
        // log lines may come first (stream logs its start); the error is the one line saying "inflight: "
        List<String> errors = r.err().lines().filter(l -> l.startsWith("inflight: ")).toList();
        assertThat(errors).as("stderr:\n%s", r.err()).hasSize(1);
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
        for (String n : named) {
            assertThat(r.err()).contains(n);
        }
    }

    private static void assertSucceeds(MainTest.Run r) {
        assertThat(r.code()).as("exit code; stderr:\n%s\nstdout:\n%s", r.err(), r.out()).isZero();
    }

    private static void assertSameTables(String db, String... tables) throws Exception {
        try (Connection s = source.connect(db); Connection t = target.connect(db)) {
            for (String table : tables) {
                assertThat(fingerprint(t, table)).as(table).isEqualTo(fingerprint(s, table));
            }
        }
    }

    private static void prepare(String db, String... sourceSql) {
        source.createDatabase(db);
        target.createDatabase(db);
        source.execute(db, sourceSql);
    }

    private static Path file(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    // ---- configuration and command line ----------------------------------------------------------------------

    @Test
    void malformedYamlNamesTheFileAndLine() throws Exception {
        Path f = file("malformed.yaml", "source: " + src("app") + "\njobs: [2\ntarget: x\n");
        MainTest.Run r = inflight("--config", f.toString(), "check");
        assertFails(r, ErrorCode.INVALID_CONFIGURATION, "configuration file " + f + " is not valid YAML",
                "line 2, column 7");
    }

    @Test
    void unknownKeyIsNamedWithTheKnownKeys() throws Exception {
        Path f = file("unknown.yaml", "source: " + src("app") + "\ntarget: " + tgt("app") + "\nslto: x\n");
        MainTest.Run r = inflight("--config", f.toString(), "clone");
        assertFails(r, ErrorCode.INVALID_CONFIGURATION, "unknown key 'slto' in " + f, "known keys are", "slot,");
    }

    @Test
    void wrongTypeForAKeyIsNamed() throws Exception {
        Path f = file("type.yaml", "source: " + src("app") + "\ntarget: " + tgt("app") + "\njobs: [1, 2]\n");
        MainTest.Run r = inflight("--config", f.toString(), "clone");
        assertFails(r, ErrorCode.INVALID_CONFIGURATION, "key 'jobs' in " + f + " must be a whole number, not a list");
    }

    @Test
    void aSchemaBothIncludedAndExcludedIsContradictory() throws Exception {
        MainTest.Run r = inflight("clone", "--source", src("app"), "--target", tgt("app"),
                "--schemas", "public,sales", "--exclude-schemas", "sales");
        assertFails(r, ErrorCode.INVALID_CONFIGURATION, "'sales'", "--schemas", "--exclude-schemas");
    }

    @Test
    void aSchemaTheSourceDoesNotHaveIsNamed() throws Exception {
        prepare("noschema", "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        MainTest.Run r = migrate("noschema", "clone", "--schemas", "public,pubic");
        assertFails(r, ErrorCode.INVALID_CONFIGURATION, "--schemas names schema(s) 'pubic'", "spelling");
        assertSucceeds(migrate("noschema", "clone", "--schemas", "public"));
        assertSameTables("noschema", "t");
    }

    @Test
    void missingTargetIsNamed() throws Exception {
        MainTest.Run r = inflight("clone", "--source", src("app"));
        assertFails(r, ErrorCode.INVALID_CONFIGURATION, "--target");
    }

    // ---- connections -----------------------------------------------------------------------------------------

    @Test
    void wrongPasswordNamesTheUserAndNeverThePassword() throws Exception {
        source.createDatabase("wrongpw");
        String wrong = "wrong-" + System.nanoTime();
        Map<String, String> e = new HashMap<>(env);
        e.put(Passwords.variableFor("source"), wrong);
        MainTest.Run r = inflight(e, "clone", "--source", src("wrongpw"), "--target", tgt("postgres"));
        assertFails(r, ErrorCode.AUTHENTICATION_FAILED, "source", "'postgres'", "INFLIGHT_SOURCE_PASSWORD",
                "SQLSTATE 28P01");
        assertThat(r.out() + r.err()).doesNotContain(wrong);
    }

    @Test
    void closedPortIsAConnectionFailureNamingHostAndPort() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        MainTest.Run r = inflight("stream", "--source", src("app"), "--target",
                "postgresql://postgres@127.0.0.1:" + closed + "/app");
        assertFails(r, ErrorCode.CONNECTION_FAILED, "target", "127.0.0.1:" + closed, "listen_addresses");
    }

    @Test
    void unknownHostIsAConnectionFailureNamingTheHost() throws Exception {
        MainTest.Run r = inflight("clone", "--source", "postgresql://postgres@no-such-host.invalid:5432/app",
                "--target", tgt("postgres"));
        assertFails(r, ErrorCode.CONNECTION_FAILED, "source",
                "host 'no-such-host.invalid' could not be resolved", "Check the source host");
    }

    @Test
    void aDatabaseThatDoesNotExistIsNamed() throws Exception {
        MainTest.Run r = inflight("clone", "--source", src("postgres"), "--target", tgt("no_such_db"));
        assertFails(r, ErrorCode.INVALID_CONFIGURATION, "target", "no_such_db", "SQLSTATE 3D000");
    }

    @Test
    void verifyFullAgainstAServerWithoutTlsSaysSo() throws Exception {
        TlsFiles tls = TlsFiles.generate(dir.resolve("tls"), "inflight");
        MainTest.Run r = inflight("clone", "--source", src("postgres") + "?sslmode=verify-full&sslrootcert="
                + tls.caCert(), "--target", tgt("postgres"));
        assertFails(r, ErrorCode.CONNECTION_FAILED, "source", "sslmode=verify-full", "does not offer TLS");
    }

    // ---- roles and privileges --------------------------------------------------------------------------------

    @Test
    void aSourceRoleWithoutReplicationIsToldTheAlterRole() throws Exception {
        prepare("norepl", "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)",
                "CREATE ROLE plain LOGIN PASSWORD 'plain-secret-1'", "GRANT SELECT ON t TO plain");
        Map<String, String> e = new HashMap<>(env);
        e.put(Passwords.variableFor("source"), "plain-secret-1");
        MainTest.Run r = inflight(e, "clone", "--source", InflightJar.uri(source, "plain", "norepl"),
                "--target", tgt("norepl"), "--slot", "norepl", "--publication", "norepl");
        assertFails(r, ErrorCode.INSUFFICIENT_PRIVILEGE, "plain", "REPLICATION", "ALTER ROLE");
        assertThat(r.err()).doesNotContain("plain-secret-1");

        source.execute("norepl", "ALTER ROLE plain WITH REPLICATION");
        // creating the publication needs ownership of the table or a superuser; the superuser made it
        source.execute("norepl", "CREATE PUBLICATION norepl FOR TABLE t");
        assertSucceeds(inflight(e, "clone", "--source", InflightJar.uri(source, "plain", "norepl"),
                "--target", tgt("norepl"), "--slot", "norepl", "--publication", "norepl"));
        assertSameTables("norepl", "t");
    }

    @Test
    void aTableTheRoleMayNotReadIsNamedWithItsGrantAndARerunFinishes() throws Exception {
        prepare("noselect", "CREATE TABLE open_t (id int PRIMARY KEY)", "CREATE TABLE \"Secret\" (id int PRIMARY KEY)",
                "INSERT INTO open_t VALUES (1)", "INSERT INTO \"Secret\" VALUES (2)",
                "CREATE ROLE reader LOGIN REPLICATION PASSWORD 'reader-secret-1'", "GRANT SELECT ON open_t TO reader",
                "CREATE PUBLICATION noselect FOR ALL TABLES");
        Map<String, String> e = new HashMap<>(env);
        e.put(Passwords.variableFor("source"), "reader-secret-1");
        String[] args = {"clone", "--source", InflightJar.uri(source, "reader", "noselect"), "--target", tgt("noselect"),
                "--slot", "noselect", "--publication", "noselect"};
        MainTest.Run r = inflight(e, args);
        assertFails(r, ErrorCode.INSUFFICIENT_PRIVILEGE, "'reader'", "public.\"Secret\"",
                "GRANT SELECT ON \"public\".\"Secret\" TO \"reader\"");

        source.execute("noselect", "GRANT SELECT ON \"Secret\" TO reader");
        assertSucceeds(inflight(e, args));
        assertSameTables("noselect", "open_t", "\"Secret\"");
    }

    // ---- server settings -------------------------------------------------------------------------------------

    /**
     * One source walks through both replication blockers: wal_level=replica (12), then, once that is fixed, no
     * free slot (13); each rerun after the fix gets further, the last one finishes.
     */
    @Test
    void walLevelReplicaThenExhaustedSlotsEachStopWithTheirCodeUntilFixed() throws Exception {
        try (PostgresServer constrained = PostgresServer.builder(13).setting("wal_level", "replica")
                .setting("max_replication_slots", "1").start()) {
            constrained.createDatabase("app");
            constrained.execute("app", "CREATE TABLE t (id int PRIMARY KEY, v text)",
                    "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 100) g",
                    "SELECT pg_create_physical_replication_slot('squatter')");
            target.createDatabase("constrained");
            Map<String, String> e = InflightJar.passwords(constrained, target);
            String[] args = {"clone", "--source", InflightJar.uri(constrained, "postgres", "app"),
                    "--target", tgt("constrained")};
            MainTest.Run r = inflight(e, args);
            assertFails(r, ErrorCode.LOGICAL_REPLICATION_DISABLED, "wal_level", "logical", "restart");

            constrained.execute("app", "ALTER SYSTEM SET wal_level = logical");
            constrained.restart();
            r = inflight(e, args);
            assertFails(r, ErrorCode.REPLICATION_SLOTS_EXHAUSTED, "max_replication_slots");

            constrained.execute("app", "SELECT pg_drop_replication_slot('squatter')");
            assertSucceeds(inflight(e, args));
            try (Connection s = constrained.connect("app"); Connection t = target.connect("constrained")) {
                assertThat(fingerprint(t, "t")).isEqualTo(fingerprint(s, "t"));
            }
        }
    }

    /**
     * Replication origins outlive the databases of earlier migrations, and each used one keeps a state slot of the
     * target's max_replication_slots: the stream's apply session then cannot mark its writes. The error says to
     * drop the origins (not slots, which the target may have none of), and the stream starts once one is free.
     */
    @Test
    void aTargetOutOfReplicationOriginSlotsIsToldToDropOldOriginsThenStreams() throws Exception {
        try (PostgresServer constrained = PostgresServer.builder(17).setting("max_replication_slots", "1").start()) {
            source.createDatabase("origins");
            source.execute("origins", "CREATE TABLE t (id int PRIMARY KEY, v text)",
                    "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 100) g");
            constrained.createDatabase("origins");
            constrained.execute("origins", "SELECT pg_replication_origin_create('inflight_finished_long_ago')",
                    "SELECT pg_replication_origin_session_setup('inflight_finished_long_ago')",
                    "SELECT pg_replication_origin_session_reset()");
            Map<String, String> e = InflightJar.passwords(source, constrained);
            String target = InflightJar.uri(constrained, PostgresServer.SUPERUSER, "origins");
            assertSucceeds(inflight(e, "clone", "--source", src("origins"), "--target", target, "--slot", "origins",
                    "--publication", "origins"));
            source.execute("origins", "INSERT INTO t VALUES (101, 'after the clone')");
            String[] stream = {"stream", "--source", src("origins"), "--target", target, "--until-caught-up"};

            assertFails(inflight(e, stream), ErrorCode.REPLICATION_SLOTS_EXHAUSTED, "pg_replication_origin_drop",
                    "max_replication_slots");

            constrained.execute("origins", "SELECT pg_replication_origin_drop('inflight_finished_long_ago')");
            assertSucceeds(inflight(e, stream));
            try (Connection s = source.connect("origins"); Connection t = constrained.connect("origins")) {
                assertThat(fingerprint(t, "t")).isEqualTo(fingerprint(s, "t"));
            }
            assertSucceeds(inflight(e, "cleanup", "--source", src("origins"), "--target", target));
        }
    }

    @Test
    void aSlotAnotherConsumerHoldsIsNamedAndTheStreamResumesOnceItIsFree() throws Exception {
        prepare("busyslot", "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 100) g");
        assertSucceeds(migrate("busyslot", "clone"));
        source.execute("busyslot", "INSERT INTO t VALUES (101, 'after the clone')");
        try (Connection holder = replicationConnection("busyslot");
             PGReplicationStream held = holder.unwrap(PGConnection.class).getReplicationAPI().replicationStream()
                     .logical().withSlotName("busyslot").withSlotOption("proto_version", "1")
                     .withSlotOption("publication_names", "busyslot").start()) {
            MainTest.Run r = migrate("busyslot", "stream", "--until-caught-up");
            assertFails(r, ErrorCode.OBJECT_CONFLICT, "replication slot 'busyslot'", "in use by another process",
                    "rerun");
        }
        assertSucceeds(migrate("busyslot", "stream", "--until-caught-up"));
        assertSameTables("busyslot", "t");
    }

    @Test
    void aSlotNameTakenByAForeignSlotIsNeverTakenOver() throws Exception {
        prepare("foreignslot", "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)",
                "SELECT pg_create_logical_replication_slot('foreignslot', 'pgoutput')");
        MainTest.Run r = migrate("foreignslot", "clone");
        assertFails(r, ErrorCode.OBJECT_CONFLICT, "replication slot 'foreignslot'", "pg_drop_replication_slot");
        try (Connection s = source.connect("foreignslot")) {
            assertThat(scalar(s, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'foreignslot'"))
                    .isEqualTo("1");
        }
        assertSucceeds(inflight("clone", "--source", src("foreignslot"), "--target", tgt("foreignslot"),
                "--slot", "foreignslot_2", "--publication", "foreignslot"));
        assertSameTables("foreignslot", "t");
    }

    private static Connection replicationConnection(String db) throws Exception {
        Properties p = new Properties();
        PGProperty.USER.set(p, PostgresServer.SUPERUSER);
        PGProperty.PASSWORD.set(p, source.password());
        PGProperty.REPLICATION.set(p, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "9.4");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        return DriverManager.getConnection(source.jdbcUrl(db), p);
    }

    // ---- the target ------------------------------------------------------------------------------------------

    @Test
    void aTargetThatHoldsTheTablesIsRefusedNamingThem() throws Exception {
        prepare("notempty", "CREATE TABLE items (id int PRIMARY KEY, name text)",
                "INSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 50) g");
        target.execute("notempty", "CREATE TABLE items (id int)", "INSERT INTO items VALUES (7)");
        MainTest.Run r = migrate("notempty", "clone");
        assertFails(r, ErrorCode.TARGET_NOT_EMPTY, "public.items");
        try (Connection t = target.connect("notempty")) {
            assertThat(scalar(t, "SELECT string_agg(id::text, ',') FROM items")).as("left untouched").isEqualTo("7");
        }
        target.execute("notempty", "DROP TABLE items");
        assertSucceeds(migrate("notempty", "clone"));
        assertSameTables("notempty", "items");
    }

    /**
     * A type the target server does not have: a multirange (PostgreSQL 14+) in a PG 17 database going to a PG 13
     * server (the two servers of this class, the other way round).
     */
    @Test
    void aColumnTypeTheTargetLacksIsNamedWithItsColumn() throws Exception {
        target.createDatabase("ranges");
        target.execute("ranges", "CREATE TABLE public.spans (id int PRIMARY KEY, r int4multirange)");
        source.createDatabase("ranges");
        Map<String, String> e = Map.of(Passwords.variableFor("source"), target.password(),
                Passwords.variableFor("target"), source.password());
        String[] ends = {"--source", tgt("ranges"), "--target", src("ranges")};
        MainTest.Run check = inflight(e, concat(new String[] {"check", "--sample-seconds", "0.2"}, ends));
        assertThat(check.code()).as(check.out()).isEqualTo(ErrorCode.UNSUPPORTED.exitCode());
        assertThat(check.out()).contains("the target has no type int4multirange, used by column(s) public.spans.r");
        MainTest.Run clone = inflight(e, concat(new String[] {"clone"}, ends));
        assertFails(clone, ErrorCode.UNSUPPORTED, "older than the source");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /**
     * A table without a key or replica identity: publishing it would make the source reject its UPDATEs, so the
     * clone refuses, naming it and the statement; after that statement a rerun clones and updates stream.
     */
    @Test
    void aKeylessTableWithoutReplicaIdentityIsRefusedThenStreamedOnceFull() throws Exception {
        prepare("keyless", "CREATE TABLE log (at int, msg text)",
                "INSERT INTO log SELECT g, 'm' || g FROM generate_series(1, 200) g");
        MainTest.Run r = migrate("keyless", "clone");
        assertFails(r, ErrorCode.UNSUPPORTED, "public.log", "REPLICA IDENTITY");
        source.execute("keyless", "ALTER TABLE log REPLICA IDENTITY FULL");
        assertSucceeds(migrate("keyless", "clone"));
        source.execute("keyless", "UPDATE log SET msg = 'changed' WHERE at % 10 = 0", "DELETE FROM log WHERE at > 190",
                "INSERT INTO log VALUES (1, 'm1')");
        assertSucceeds(migrate("keyless", "stream", "--until-caught-up"));
        assertSameTables("keyless", "log");
    }

    // ---- the source changes mid-run ------------------------------------------------------------------------

    @Test
    void aColumnAddedMidStreamStopsItWithTheStatementAndARerunResumes() throws Exception {
        prepare("addcol", "CREATE TABLE items (id int PRIMARY KEY, name text)",
                "INSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 100) g");
        assertSucceeds(migrate("addcol", "clone"));
        source.execute("addcol", "INSERT INTO items VALUES (101, 'before')",
                "ALTER TABLE items ADD COLUMN colour text DEFAULT 'red'",
                "INSERT INTO items VALUES (102, 'after', 'blue')", "UPDATE items SET colour = 'green' WHERE id = 5");
        MainTest.Run r = migrate("addcol", "stream", "--until-caught-up");
        assertFails(r, ErrorCode.SCHEMA_MISMATCH, "public.items", "colour",
                "ALTER TABLE \"public\".\"items\" ADD COLUMN \"colour\" text DEFAULT 'red'::text");
        java.util.regex.Matcher from = java.util.regex.Pattern.compile("the stream resumes from ([0-9A-F]+/[0-9A-F]+)")
                .matcher(r.err());
        assertThat(from.find()).as(r.err()).isTrue();
        try (Connection t = target.connect("addcol")) {
            assertThat(scalar(t, "SELECT coalesce((SELECT applied_lsn FROM inflight.stream_position),"
                    + " (SELECT consistent_lsn FROM inflight.migration))::text"))
                    .as("the position the message promises is the one the target holds").isEqualTo(from.group(1));
        }
        target.execute("addcol", "ALTER TABLE \"public\".\"items\" ADD COLUMN \"colour\" text DEFAULT 'red'::text");
        assertSucceeds(migrate("addcol", "stream", "--until-caught-up"));
        assertSameTables("addcol", "items");
    }

    /**
     * A table dropped on the source leaves the publication with it: the changes made before the DROP arrive, the
     * stream goes on with the other tables, and the target keeps its copy for the user to drop at cutover.
     */
    @Test
    void aTableDroppedMidStreamIsHandled() throws Exception {
        prepare("droptab", "CREATE TABLE keep (id int PRIMARY KEY)", "CREATE TABLE gone (id int PRIMARY KEY)",
                "INSERT INTO keep SELECT generate_series(1, 10)", "INSERT INTO gone SELECT generate_series(1, 10)");
        assertSucceeds(migrate("droptab", "clone"));
        source.execute("droptab", "INSERT INTO gone VALUES (11)", "DROP TABLE gone", "INSERT INTO keep VALUES (11)");
        MainTest.Run r = migrate("droptab", "stream", "--until-caught-up");
        assertSucceeds(r);
        assertSameTables("droptab", "keep");
        try (Connection t = target.connect("droptab")) {
            assertThat(scalar(t, "SELECT count(*) FROM gone")).isEqualTo("11");
        }
        source.execute("droptab", "INSERT INTO keep VALUES (12)");
        assertSucceeds(migrate("droptab", "stream", "--until-caught-up"));
        assertSameTables("droptab", "keep");
    }

    @Test
    void aTableDroppedOnTheTargetMidStreamIsNamedAndARerunResumes() throws Exception {
        prepare("tgtdrop", "CREATE TABLE a (id int PRIMARY KEY, v text)",
                "INSERT INTO a SELECT g, 'v' || g FROM generate_series(1, 20) g");
        assertSucceeds(migrate("tgtdrop", "clone"));
        target.execute("tgtdrop", "DROP TABLE a");
        source.execute("tgtdrop", "INSERT INTO a VALUES (21, 'new')");
        MainTest.Run r = migrate("tgtdrop", "stream", "--until-caught-up");
        assertFails(r, ErrorCode.SCHEMA_MISMATCH, "public.a", "does not exist on the target", "Create it on the target");
        target.execute("tgtdrop", "CREATE TABLE a (id int PRIMARY KEY, v text)");
        try (Connection s = source.connect("tgtdrop"); Connection t = target.connect("tgtdrop")) {
            t.createStatement().execute("INSERT INTO a SELECT g, 'v' || g FROM generate_series(1, 20) g");
        }
        assertSucceeds(migrate("tgtdrop", "stream", "--until-caught-up"));
        assertSameTables("tgtdrop", "a");
    }
}
