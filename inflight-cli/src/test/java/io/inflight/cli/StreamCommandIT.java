package io.inflight.cli;

import static io.inflight.testkit.TableContents.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.ErrorCode;
import io.inflight.testkit.ChangeWorkload;
import io.inflight.testkit.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * {@code inflight stream}, {@code run} and {@code cleanup} as a user runs them, 13 → 17: in-process through
 * {@link Main#run}, and as a real process where a signal is the point.
 */
@Timeout(300)
class StreamCommandIT {

    static PostgresServer source;
    static PostgresServer target;
    static Map<String, String> passwords;

    @TempDir
    Path temp;

    @BeforeAll
    static void servers() {
        source = PostgresServer.start(13);
        target = PostgresServer.start(17);
        passwords = Map.of(Passwords.variableFor("source"), source.password(),
                Passwords.variableFor("target"), target.password());
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

    private static void prepare(String db) {
        source.createDatabase(db);
        target.createDatabase(db);
        ChangeWorkload.create(source, db, 2000);
    }

    /** Runs an {@code inflight} command in-process against database {@code db} on both sides. */
    private static MainTest.Run inflight(String db, String command, String... args) {
        String[] all = new String[args.length + 5];
        all[0] = command;
        all[1] = "--source";
        all[2] = InflightProcess.uri(source, db);
        all[3] = "--target";
        all[4] = InflightProcess.uri(target, db);
        System.arraycopy(args, 0, all, 5, args.length);
        MainTest.Run r = MainTest.run(passwords, all);
        assertThat(r.out() + r.err()).as("output of inflight %s", command)
                .doesNotContain(source.password()).doesNotContain(target.password());
        return r;
    }

    private static void assertSameRows(String db) throws Exception {
        try (Connection s = source.connect(db); Connection t = target.connect(db)) {
            assertThat(ChangeWorkload.fingerprints(t)).isEqualTo(ChangeWorkload.fingerprints(s));
        }
    }

    @Test
    void streamBeforeAnyCloneSaysToCloneFirst() throws Exception {
        source.createDatabase("noclone");
        target.createDatabase("noclone");
        MainTest.Run r = inflight("noclone", "stream");
        assertThat(r.code()).as(r.err()).isEqualTo(ErrorCode.INVALID_CONFIGURATION.exitCode());
        assertThat(r.err()).startsWith("inflight: ").contains("holds no migration").contains("inflight clone")
                .doesNotContain("\tat ");
        // the mistaken stream left nothing in the way of the clone it asked for
        source.execute("noclone", "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1), (2)");
        MainTest.Run clone = inflight("noclone", "clone", "--jobs", "1", "--slot", "noclone", "--publication",
                "noclone");
        assertThat(clone.code()).as(clone.err()).isZero();
        try (Connection t = target.connect("noclone")) {
            assertThat(scalar(t, "SELECT count(*) FROM t")).isEqualTo("2");
        }
    }

    @Test
    void runClonesThenStreamsUntilCaughtUpAndStreamPrintsJson() throws Exception {
        String db = "runs";
        prepare(db);
        MainTest.Run run;
        try (ChangeWorkload load = ChangeWorkload.start(source, db, 1, 11)) {
            load.awaitCommitted(50);
            run = inflight(db, "run", "--jobs", "2", "--slot", db, "--publication", db, "--until-caught-up");
            load.awaitCommitted(load.committed() + 50);
        }
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.err()).contains("stream stopped at");
        try (Connection t = target.connect(db)) {
            assertThat(scalar(t, "SELECT phase FROM inflight.migration")).isEqualTo("streaming");
            assertThat(scalar(t, "SELECT count(*) FROM inflight.stream_position")).isEqualTo("1");
        }

        // the writes after run stopped: a second stream picks them up where run left off
        MainTest.Run stream = inflight(db, "stream", "--until-caught-up", "--json");
        assertThat(stream.code()).as(stream.err()).isZero();
        Object parsed = new Load(LoadSettings.builder().build()).loadFromString(stream.out().strip());
        assertThat(parsed).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) parsed;
        assertThat(json).containsOnlyKeys("appliedLsn", "transactions", "changes",
                "missingRows", "reconnects", "elapsedMs");
        assertThat((String) json.get("appliedLsn")).matches("[0-9A-F]+/[0-9A-F]+");
        assertThat(((Number) json.get("transactions")).longValue()).isPositive();
        assertThat(((Number) json.get("changes")).longValue()).isPositive();
        assertThat(((Number) json.get("missingRows")).longValue()).isZero();
        try (Connection t = target.connect(db)) {
            assertThat(scalar(t, "SELECT applied_lsn FROM inflight.stream_position"))
                    .isEqualTo(json.get("appliedLsn"));
        }
        assertSameRows(db);
    }

    /**
     * With nothing new on the source, {@code --until-caught-up} ends at once and reports the position the target
     * holds, run after run (it used to report 0/0, and to wait forever once the stored position equalled the
     * source's WAL position: nothing to commit, no idle advance past it).
     */
    @Test
    void untilCaughtUpWithNothingToApplyEndsAndReportsWhereTheTargetStands() throws Exception {
        String db = "idle";
        source.createDatabase(db);
        target.createDatabase(db);
        source.execute(db, "CREATE TABLE t (id int PRIMARY KEY, v text) WITH (autovacuum_enabled = false)",
                "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 100) g");
        assertThat(inflight(db, "clone", "--jobs", "1", "--slot", db, "--publication", db).code()).isZero();
        for (int i = 0; i < 3; i++) {
            InflightProcess p = InflightProcess.start(source, db, target, db, temp.resolve("idle-" + i + ".log"),
                    List.of("-Xmx256m"), "stream", "--until-caught-up", "--json", "--quiet");
            assertThat(p.await(90)).as("exit code; output:\n%s", p.output()).isZero();
            String line = p.output().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow();
            @SuppressWarnings("unchecked")
            Map<String, Object> json = (Map<String, Object>) new Load(LoadSettings.builder().build())
                    .loadFromString(line);
            try (Connection t = target.connect(db)) {
                assertThat(json.get("appliedLsn")).as("run %d", i).isNotEqualTo("0/0")
                        .isEqualTo(scalar(t, "SELECT coalesce((SELECT applied_lsn FROM inflight.stream_position),"
                                + " (SELECT consistent_lsn FROM inflight.migration))::text"));
            }
        }
        try (Connection t = target.connect(db)) {
            assertThat(scalar(t, "SELECT count(*) FROM t")).isEqualTo("100");
        }
    }

    /**
     * SIGTERM, as {@code kill} and service managers send it, stops the stream cleanly: the open batch is committed,
     * the slot is told exactly what the target holds, and the JVM ends as any process that a SIGTERM ended does,
     * with 143 (128 + 15); Ctrl-C ends it with 130. A rerun continues from there. Cleanup refuses while the stream
     * runs, then removes the slot and publication, and with --drop-state the state schema.
     */
    @Test
    void sigtermStopsTheStreamCleanlyAndCleanupRemovesWhatTheMigrationLeft() throws Exception {
        String db = "term";
        prepare(db);
        assertThat(inflight(db, "clone", "--jobs", "2", "--slot", db, "--publication", db).code()).isZero();
        try (ChangeWorkload load = ChangeWorkload.start(source, db, 1, 23)) {
            InflightProcess stream = InflightProcess.start(source, db, target, db, temp.resolve("stream.log"),
                    List.of("-Xmx256m"), "stream");
            awaitStreamApplied(db, load, stream);

            MainTest.Run refused = inflight(db, "cleanup");
            assertThat(refused.code()).as(refused.err()).isEqualTo(ErrorCode.OBJECT_CONFLICT.exitCode());
            assertThat(refused.err()).startsWith("inflight: ");
            assertThat(stream.isAlive()).isTrue();

            int code = stream.terminate();
            assertThat(code).as("exit code after SIGTERM; output:\n%s", stream.output()).isEqualTo(143);
            assertThat(stream.output()).contains("stream stopped at").doesNotContain("Exception")
                    .doesNotContain(source.password()).doesNotContain(target.password());
            awaitSlotInactive(db);
            try (Connection s = source.connect(db); Connection t = target.connect(db)) {
                assertThat(scalar(s, "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + db + "'"))
                        .as("the slot confirms exactly what the target stored at the clean stop")
                        .isEqualTo(scalar(t, "SELECT applied_lsn FROM inflight.stream_position"));
            }
        }

        MainTest.Run rerun = inflight(db, "stream", "--until-caught-up");
        assertThat(rerun.code()).as(rerun.err()).isZero();
        assertSameRows(db);

        MainTest.Run cleanup = inflight(db, "cleanup");
        assertThat(cleanup.code()).as(cleanup.err()).isZero();
        assertThat(cleanup.err()).contains("dropped replication slot '" + db + "'")
                .contains("dropped publication '" + db + "'");
        try (Connection s = source.connect(db); Connection t = target.connect(db)) {
            assertThat(scalar(s, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + db + "'"))
                    .isEqualTo("0");
            assertThat(scalar(s, "SELECT count(*) FROM pg_publication WHERE pubname = '" + db + "'")).isEqualTo("0");
            assertThat(scalar(t, "SELECT count(*) FROM pg_namespace WHERE nspname = 'inflight'"))
                    .as("the state stays without --drop-state").isEqualTo("1");
        }
        MainTest.Run dropState = inflight(db, "cleanup", "--drop-state");
        assertThat(dropState.code()).as(dropState.err()).isZero();
        assertThat(dropState.err()).contains("dropped schema inflight");
        try (Connection t = target.connect(db)) {
            assertThat(scalar(t, "SELECT count(*) FROM pg_namespace WHERE nspname = 'inflight'")).isEqualTo("0");
        }
        // the user's data stays
        assertSameRows(db);
    }

    /** Waits until the running stream has committed workload changes on the target. */
    private static void awaitStreamApplied(String db, ChangeWorkload load, InflightProcess stream) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String first = null;
        while (true) {
            assertThat(stream.isAlive()).as("stream running:\n%s", stream.output()).isTrue();
            try (Connection t = target.connect(db)) {
                String now = scalar(t, "SELECT max(applied_lsn)::text FROM inflight.stream_position");
                if (now != null && first != null && !now.equals(first) && load.committed() > 100) {
                    return;
                }
                first = first == null ? now : first;
            }
            assertThat(System.nanoTime()).as("the stream applied changes").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static void awaitSlotInactive(String db) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection s = source.connect(db)) {
            while (!"f".equals(scalar(s, "SELECT active FROM pg_replication_slots WHERE slot_name = '" + db + "'"))) {
                assertThat(System.nanoTime()).as("slot released").isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }
}
