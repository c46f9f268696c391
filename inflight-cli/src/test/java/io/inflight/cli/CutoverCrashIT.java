package io.inflight.cli;

import static io.inflight.testkit.TableContents.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.clone.CloneJob;
import io.inflight.postgres.clone.CloneOptions;
import io.inflight.testkit.PgBouncer;
import io.inflight.testkit.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the real {@code inflight cutover} process after it fenced writes and before its flip. The test
 * holds a lock on the source's table that the final check reads, so the process is deterministically parked in that
 * step when it is killed. Then: a rerun continues and finishes, or {@code --abort} lifts the fence; at every point
 * the application can write to at most one side (PgBouncer's route and pause state, or the read-only fence, checked
 * by writing as the application's role).
 */
@Timeout(600)
class CutoverCrashIT {

    private static final String APP = "app";
    private static final String APP_PASSWORD = "app-secret";

    static PostgresServer source;
    static PostgresServer target;

    @TempDir
    Path temp;

    @BeforeAll
    static void servers() {
        source = PostgresServer.start(13);
        target = PostgresServer.start(17);
        for (PostgresServer pg : new PostgresServer[] {source, target}) {
            pg.execute("postgres", "CREATE ROLE " + APP + " LOGIN PASSWORD '" + APP_PASSWORD + "'");
        }
    }

    @AfterAll
    static void stop() {
        for (PostgresServer pg : new PostgresServer[] {target, source}) {
            if (pg != null) {
                pg.close();
            }
        }
    }

    /** A cloned database pair: orders with a sequence, writable by the application's role on both sides. */
    private static void migration(String db) {
        source.createDatabase(db);
        target.createDatabase(db);
        source.execute(db, "CREATE TABLE orders (id bigserial PRIMARY KEY, note text NOT NULL)",
                "INSERT INTO orders (note) SELECT 'seed ' || g FROM generate_series(1, 500) g",
                "GRANT ALL ON ALL TABLES IN SCHEMA public TO " + APP,
                "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO " + APP);
        // slots are per server: one name per database pair
        new CloneJob(CloneOptions.defaults(source.endpoint(db), target.endpoint(db)).withJobs(2)
                .withSlot("inflight_" + db, "inflight_" + db), ProgressListener.NONE).run();
        target.execute(db, "GRANT ALL ON ALL TABLES IN SCHEMA public TO " + APP,
                "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO " + APP);
    }

    /** Holds ACCESS EXCLUSIVE on the source's orders until closed: the final check's count waits for it. */
    private static Connection blockCheck(String db) throws SQLException {
        Connection c = source.connect(db);
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
        }
        return c;
    }

    private InflightProcess cutover(String db, String log, PgBouncer bouncer, String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--force", "--verbose"));
        if (bouncer != null) {
            args.addAll(List.of("--pgbouncer", bouncer.host() + ":" + bouncer.port(), "--pgbouncer-config",
                    bouncer.configFile().toString(), "--pgbouncer-admin", bouncer.adminUser()));
        }
        args.addAll(List.of(extra));
        return InflightProcess.start(source, db, target, db, temp.resolve(log), List.of(), "cutover",
                args.toArray(String[]::new), bouncer == null ? null : bouncer.adminPassword());
    }

    /** Waits until the running cutover is parked in its final check (fenced, not flipped). */
    private static void awaitParkedInCheck(String db, InflightProcess p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String sql = "SELECT EXISTS (SELECT 1 FROM inflight.switch_step WHERE step = 'check'"
                + " AND finished_at IS NULL)";
        while (System.nanoTime() < deadline) {
            assertThat(p.isAlive()).as("cutover still running:\n%s", p.output()).isTrue();
            try (Connection t = target.connect(db)) {
                if ("t".equals(scalar(t, sql))) {
                    Thread.sleep(200); // it is in the count now, waiting for the lock
                    return;
                }
            } catch (SQLException notYet) {
                // the log's tables may not exist yet
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the cutover never reached its final check:\n" + p.output());
    }

    /** Whether the application's role can commit a write straight to {@code pg}'s database. */
    private static boolean appCanWrite(PostgresServer pg, String db) {
        Properties p = new Properties();
        p.setProperty("user", APP);
        p.setProperty("password", APP_PASSWORD);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port() + "/" + db, p);
             Statement s = c.createStatement()) {
            s.execute("INSERT INTO orders (note) VALUES ('probe')");
            s.execute("DELETE FROM orders WHERE note = 'probe'");
            return true;
        } catch (SQLException e) {
            assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("25006"); // read-only transaction
            return false;
        }
    }

    /** What PgBouncer's entry says: "host:port paused|flowing". */
    private static String route(PgBouncer bouncer, String db) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("psql", "-X", "-q", "-A", "-t", "-F", "|", "-h", bouncer.host(), "-p",
                Integer.toString(bouncer.port()), "-U", bouncer.adminUser(), "-d", "pgbouncer", "-c",
                "SHOW DATABASES").redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", bouncer.adminPassword());
        Process proc = pb.start();
        String out = new String(proc.getInputStream().readAllBytes());
        assertThat(proc.waitFor(30, TimeUnit.SECONDS)).isTrue();
        for (String line : out.split("\n")) {
            String[] f = line.split("\\|", -1);
            if (f.length > 11 && f[0].equals(db)) {
                return f[2] + (f[11].equals("1") ? " paused" : " flowing");
            }
        }
        throw new AssertionError("no entry " + db + " in SHOW DATABASES: " + out);
    }

    @Test
    void killedAfterTheFenceThroughPgBouncerThenRerunFinishesOrAbortUndoes() throws Exception {
        for (String db : List.of("rerun", "abort")) {
            migration(db);
            try (PgBouncer bouncer = PgBouncer.builder().database(db, source, db).user(APP, APP_PASSWORD).start()) {
                String src = Integer.toString(source.port());
                String tgt = Integer.toString(target.port());
                assertThat(route(bouncer, db)).isEqualTo(src + " flowing");
                InflightProcess first;
                try (Connection lock = blockCheck(db)) {
                    first = cutover(db, db + "-first.log", bouncer);
                    awaitParkedInCheck(db, first);
                    first.kill9();
                    // killed fenced: PgBouncer holds the application's queries; nothing reaches either side
                    assertThat(route(bouncer, db)).isEqualTo(src + " paused");
                    lock.rollback();
                }
                if (db.equals("rerun")) {
                    InflightProcess again = cutover(db, db + "-again.log", bouncer);
                    again.awaitSuccess(120);
                    assertThat(again.output()).contains("continuing the cutover a previous run left half done");
                    assertThat(route(bouncer, db)).isEqualTo(tgt + " flowing");
                    try (Connection app = bouncer.connect(db, APP, APP_PASSWORD); Statement s = app.createStatement()) {
                        s.execute("INSERT INTO orders (note) VALUES ('after the cutover')");
                    }
                    try (Connection t = target.connect(db); Connection s = source.connect(db)) {
                        assertThat(scalar(t, "SELECT count(*) FROM orders WHERE note = 'after the cutover'"))
                                .isEqualTo("1");
                        assertThat(scalar(s, "SELECT count(*) FROM orders WHERE note = 'after the cutover'"))
                                .isEqualTo("0");
                        // the sequence continued past every copied id
                        assertThat(scalar(t, "SELECT min(id) > 500 FROM orders WHERE note = 'after the cutover'"))
                                .isEqualTo("t");
                        assertThat(scalar(t, "SELECT status FROM inflight.switch_run ORDER BY run_id DESC LIMIT 1"))
                                .isEqualTo("done");
                    }
                    // the same command once more (as after a kill just before it could report success): it
                    // succeeds, does nothing, and writes keep going to the target
                    InflightProcess third = cutover(db, db + "-third.log", bouncer);
                    third.awaitSuccess(60);
                    assertThat(third.output()).contains("cutover already done").contains("nothing was done");
                    assertThat(route(bouncer, db)).isEqualTo(tgt + " flowing");
                    try (Connection t = target.connect(db)) {
                        assertThat(scalar(t, "SELECT count(*) FROM inflight.switch_run")).isEqualTo("1");
                    }
                } else {
                    InflightProcess abort = cutover(db, db + "-abort.log", bouncer, "--abort");
                    abort.awaitSuccess(120);
                    assertThat(route(bouncer, db)).isEqualTo(src + " flowing");
                    try (Connection app = bouncer.connect(db, APP, APP_PASSWORD); Statement s = app.createStatement()) {
                        s.execute("INSERT INTO orders (note) VALUES ('after the abort')");
                    }
                    try (Connection t = target.connect(db); Connection s = source.connect(db)) {
                        assertThat(scalar(s, "SELECT count(*) FROM orders WHERE note = 'after the abort'"))
                                .isEqualTo("1");
                        assertThat(scalar(t, "SELECT status FROM inflight.switch_run ORDER BY run_id DESC LIMIT 1"))
                                .isEqualTo("aborted");
                        assertThat(scalar(t, "SELECT phase FROM inflight.migration")).isNotEqualTo("promoted");
                    }
                }
            }
        }
    }

    @Test
    void killedAfterTheReadOnlyFenceThenRerunFinishesOrAbortUndoes() throws Exception {
        for (String db : List.of("ro_rerun", "ro_abort")) {
            migration(db);
            assertThat(appCanWrite(source, db)).isTrue();
            InflightProcess first;
            try (Connection lock = blockCheck(db)) {
                first = cutover(db, db + "-first.log", null);
                awaitParkedInCheck(db, first);
                first.kill9();
                lock.rollback();
            }
            // killed fenced: the source refuses the application's writes; the target has not been handed over
            assertThat(appCanWrite(source, db)).isFalse();
            try (Connection t = target.connect(db)) {
                assertThat(scalar(t, "SELECT phase FROM inflight.migration")).isNotEqualTo("promoted");
            }
            if (db.equals("ro_rerun")) {
                InflightProcess again = cutover(db, db + "-again.log", null);
                again.awaitSuccess(120);
                assertThat(again.output()).contains("continuing the cutover").contains("point the application at");
                assertThat(appCanWrite(source, db)).isFalse();
                assertThat(appCanWrite(target, db)).isTrue();
            } else {
                InflightProcess abort = cutover(db, db + "-abort.log", null, "--abort");
                abort.awaitSuccess(120);
                assertThat(appCanWrite(source, db)).isTrue();
                try (Connection t = target.connect(db)) {
                    assertThat(scalar(t, "SELECT phase FROM inflight.migration")).isNotEqualTo("promoted");
                }
            }
        }
    }
}
