package io.inflight.postgres.cutover;

import static io.inflight.testkit.TableContents.fingerprint;
import static io.inflight.testkit.TableContents.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.core.Secret;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.clone.CloneJob;
import io.inflight.postgres.clone.CloneOptions;
import io.inflight.postgres.stream.StreamJob;
import io.inflight.postgres.stream.StreamListener;
import io.inflight.postgres.stream.StreamOptions;
import io.inflight.postgres.verify.VerifyJob;
import io.inflight.postgres.verify.VerifyOptions;
import io.inflight.postgres.verify.VerifyResult;
import io.inflight.testkit.PgBouncer;
import io.inflight.testkit.PostgresServer;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cutover and rollback through a real PgBouncer, 13 → 17 and back, while a client writes through it without pause:
 * no client transaction fails, no row is lost or doubled (both sides compared after each step), ids keep rising
 * without collision, and what is written on the new primary reaches the old one.
 */
@Timeout(300)
class CutoverIT {

    private static final Logger log = LoggerFactory.getLogger(CutoverIT.class);
    private static final String DB = "shop";
    private static final String APP = "app";
    private static final String APP_PASSWORD = "app-secret";
    private static final int INITIAL_ROWS = 2000;

    static PostgresServer source;
    static PostgresServer target;
    static PgBouncer bouncer;
    static final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeAll
    static void start() {
        source = PostgresServer.start(13);
        target = PostgresServer.start(17);
        for (PostgresServer pg : new PostgresServer[] {source, target}) {
            pg.createDatabase(DB);
            pg.execute("postgres", "CREATE ROLE " + APP + " LOGIN PASSWORD '" + APP_PASSWORD + "'");
        }
        source.execute(DB,
                "CREATE TABLE orders (id bigserial PRIMARY KEY, client text NOT NULL, n bigint NOT NULL, note text,"
                        + " created_at timestamptz NOT NULL DEFAULT now())",
                "CREATE TABLE counters (client text PRIMARY KEY, total bigint NOT NULL)",
                "INSERT INTO orders (client, n, note) SELECT 'seed', g, md5(g::text) FROM generate_series(1, "
                        + INITIAL_ROWS + ") g",
                "INSERT INTO counters VALUES ('writer', 0)",
                "GRANT ALL ON ALL TABLES IN SCHEMA public TO " + APP,
                "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO " + APP);
        bouncer = PgBouncer.builder().database(DB, source, DB).user(APP, APP_PASSWORD).start();
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
        for (AutoCloseable c : new AutoCloseable[] {bouncer, source, target}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private static SwitchOptions options() {
        return SwitchOptions.defaults(source.endpoint(DB), target.endpoint(DB))
                .withPgBouncer(new PgBouncerSettings(bouncer.host(), bouncer.port(), bouncer.adminUser(),
                        Secret.of(bouncer.adminPassword()), DB, bouncer.configFile()));
    }

    /** A stream like {@code inflight stream} runs it, in its own thread. */
    private static StreamJob startStream(PostgresServer from, PostgresServer into, Future<?>[] run) {
        StreamJob job = new StreamJob(StreamOptions.defaults(from.endpoint(DB), into.endpoint(DB))
                .withReconnectFor(Duration.ofSeconds(30)), ProgressListener.NONE, StreamListener.NONE);
        run[0] = pool.submit(job::run);
        return job;
    }

    private static void awaitRunning(PostgresServer into) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection c = into.connect(DB)) {
            while (!"t".equals(scalar(c, "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                    + " AND classid = 1229866572 AND objid = 0 AND granted)"))) {
                assertThat(System.nanoTime()).as("stream into %s running", into.port()).isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }

    private static void awaitCaughtUp(StreamJob job, PostgresServer from, Future<?> run) throws Exception {
        Lsn end;
        try (Connection c = from.connect(DB)) {
            end = Lsn.parse(scalar(c, "SELECT pg_current_wal_insert_lsn()"));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (job.stats().appliedLsn().compareTo(end) < 0) {
            if (run.isDone()) {
                run.get();
                throw new AssertionError("the stream stopped before reaching " + end);
            }
            assertThat(System.nanoTime()).as("caught up to %s", end).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Both sides hold the same rows, and exactly the seed rows plus every insert the client was told committed. */
    private static void assertSameRows(BouncerWriter writer) throws Exception {
        try (Connection s = source.connect(DB); Connection t = target.connect(DB)) {
            for (String table : new String[] {"orders", "counters"}) {
                assertThat(fingerprint(t, table)).as(table).isEqualTo(fingerprint(s, table));
            }
            assertThat(Long.parseLong(scalar(t, "SELECT count(*) FROM orders")))
                    .isEqualTo(INITIAL_ROWS + writer.acked().size());
            assertThat(Long.parseLong(scalar(t, "SELECT count(*) FROM orders WHERE id IN ("
                    + writer.acked().stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse("0") + ")")))
                    .isEqualTo(writer.acked().size());
            assertThat(Long.parseLong(scalar(t, "SELECT total FROM counters WHERE client = 'writer'")))
                    .isEqualTo(writer.counterBumps());
        }
    }

    @Test
    void cutoverAndRollbackThroughPgBouncerWhileAClientWrites() throws Exception {
        new CloneJob(CloneOptions.defaults(source.endpoint(DB), target.endpoint(DB)).withJobs(2), ProgressListener.NONE)
                .run();
        target.execute(DB, "GRANT ALL ON ALL TABLES IN SCHEMA public TO " + APP,
                "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO " + APP);

        // Refused before anything is touched: no stream runs yet, and nothing was cut over to roll back.
        assertThatThrownBy(() -> Switchover.cutover(options(), ProgressListener.NONE).run())
                .isInstanceOf(InflightException.class).hasMessageContaining("no stream is running into")
                .satisfies(e -> assertThat(((InflightException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION));
        assertThatThrownBy(() -> Switchover.rollback(options(), ProgressListener.NONE).run())
                .isInstanceOf(InflightException.class).hasMessageContaining("nothing was cut over");

        Future<?>[] forward = new Future<?>[1];
        startStream(source, target, forward);
        awaitRunning(target);
        try (BouncerWriter writer = new BouncerWriter(bouncer, DB, APP, APP_PASSWORD)) {
            writer.awaitMore(300);
            // Refused until inflight verify has compared both sides and found them equal.
            assertThatThrownBy(() -> Switchover.cutover(options(), ProgressListener.NONE).run())
                    .isInstanceOf(InflightException.class).hasMessageContaining("run inflight verify first");
            // (a row rewritten every few milliseconds, like the counter, never holds still long enough for verify's
            // live re-check, so the writer holds while verify runs)
            writer.hold();
            VerifyResult verified = new VerifyJob(VerifyOptions.defaults(source.endpoint(DB), target.endpoint(DB)),
                    ProgressListener.NONE).run();
            writer.release();
            assertThat(verified.outcome()).as("verify: %s", verified.tables()).isEqualTo(VerifyResult.Outcome.EQUAL);
            // ... and a verify older than --verify-max-age does not count.
            target.execute(DB, "UPDATE inflight.verify_run SET finished_at = finished_at - interval '2 hours'");
            assertThatThrownBy(() -> Switchover.cutover(options().withVerifyCheck(true, Duration.ofHours(1)),
                    ProgressListener.NONE).run()).hasMessageContaining("more than --verify-max-age 1 h");
            target.execute(DB, "UPDATE inflight.verify_run SET finished_at = finished_at + interval '2 hours'");
            long lastIdBefore = writer.acked().last();
            writer.resetMaxLatency();

            SwitchResult cut = Switchover.cutover(options(), ProgressListener.NONE).run();
            forward[0].get(30, TimeUnit.SECONDS); // the stream process stopped when asked to
            assertThat(cut.steps().keySet()).containsExactlyInAnyOrderElementsOf(Switchover.STEPS);
            assertThat(cut.reverseSlot()).isEqualTo("inflight_reverse");

            writer.awaitMore(300);
            log.info("cutover: write pause {} ms, steps {}, client's slowest transaction {} ms, longest gap between"
                    + " commits {} ms", cut.writePause().toMillis(), cut.steps(), writer.maxLatencyMillis(),
                    writer.maxGapMillis());
            // the client waited through the pause instead of failing
            assertThat(writer.maxLatencyMillis()).isGreaterThan(cut.steps().get("flip").toMillis());
            assertThat(writer.failures()).isEmpty();
            // the writes after the flip went to the target, with ids that continue the source's
            assertThat(writer.acked().last()).isGreaterThan(lastIdBefore);
            try (Connection t = target.connect(DB); Connection s = source.connect(DB)) {
                long newest = writer.acked().last();
                assertThat(scalar(t, "SELECT count(*) FROM orders WHERE id = " + newest)).isEqualTo("1");
                assertThat(scalar(s, "SELECT count(*) FROM orders WHERE id = " + newest)).isEqualTo("0");
            }
            assertThatThrownBy(() -> new StreamJob(StreamOptions.defaults(source.endpoint(DB), target.endpoint(DB)),
                    ProgressListener.NONE, StreamListener.NONE).run())
                    .hasMessageContaining("the stream into it is retired");

            // the stream back (inflight stream --reverse) brings the old source up to date
            Future<?>[] reverse = new Future<?>[1];
            StreamJob back = startStream(target, source, reverse);
            awaitRunning(source);
            target.execute(DB, "INSERT INTO orders (client, n) VALUES ('direct-on-target', 1)");
            writer.hold();
            awaitCaughtUp(back, target, reverse[0]);
            try (Connection s = source.connect(DB)) {
                assertThat(scalar(s, "SELECT count(*) FROM orders WHERE client = 'direct-on-target'")).isEqualTo("1");
                s.createStatement().execute("DELETE FROM orders WHERE client = 'direct-on-target'");
            }
            target.execute(DB, "DELETE FROM orders WHERE client = 'direct-on-target'");
            writer.release();
            writer.hold();
            awaitCaughtUp(back, target, reverse[0]);
            assertSameRows(writer);
            writer.release();

            writer.awaitMore(300);
            long lastIdOnTarget = writer.acked().last();
            writer.resetMaxLatency();
            SwitchResult roll = Switchover.rollback(options(), ProgressListener.NONE).run();
            reverse[0].get(30, TimeUnit.SECONDS);
            assertThat(roll.reverseSlot()).isEqualTo("inflight"); // the original stream is reused
            writer.awaitMore(300);
            log.info("rollback: write pause {} ms, steps {}, client's slowest transaction {} ms, longest gap between"
                    + " commits {} ms", roll.writePause().toMillis(), roll.steps(), writer.maxLatencyMillis(),
                    writer.maxGapMillis());
            assertThat(writer.failures()).isEmpty();
            assertThat(writer.acked().last()).isGreaterThan(lastIdOnTarget);

            // forward again: it must leave out what the stream back applied to the source (its origin)
            StreamJob again = startStream(source, target, forward);
            awaitRunning(target);
            writer.hold();
            awaitCaughtUp(again, source, forward[0]);
            assertSameRows(writer);
            writer.release();
            writer.awaitMore(100);
            again.stop();
            forward[0].get(30, TimeUnit.SECONDS);
            assertThat(writer.failures()).isEmpty();
            assertThat(writer.crash()).isNull();
            assertThat(cut.writePause()).isLessThan(Duration.ofSeconds(10));
        }
    }
}
