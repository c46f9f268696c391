package io.inflight.cli;

import static io.inflight.testkit.TableContents.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.Lsn;
import io.inflight.testkit.ChangeWorkload;
import io.inflight.testkit.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the real {@code inflight stream} process, again and again, while the source takes a
 * concurrent write load (every tricky kind of change, see {@link ChangeWorkload}), once in the middle of
 * applying a large source transaction. After every kill the slot has confirmed nothing the target does not hold;
 * at the end the target equals the source row for row: every change applied exactly once, none lost.
 */
@Timeout(600)
class StreamCrashIT {

    private static final String DB = "shop";
    private static final String SLOT = "inflight";
    private static final int KILLS = 5;
    /** Rows of the large source transaction killed mid-apply. */
    private static final int LARGE_ROWS = 200_000;

    static PostgresServer source;
    static PostgresServer target;

    @TempDir
    Path temp;

    @BeforeAll
    static void servers() {
        source = PostgresServer.start(13);
        target = PostgresServer.start(17);
        source.createDatabase(DB);
        target.createDatabase(DB);
        ChangeWorkload.create(source, DB, 5000);
        // a table of its own for the large transaction, so its apply can be recognised on the target
        source.execute(DB, "CREATE TABLE big (id bigint PRIMARY KEY, n int NOT NULL, pad text NOT NULL)");
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

    @Test
    void killedAtRandomAndDuringALargeTransactionTheStreamStillAppliesEveryChangeExactlyOnce() throws Exception {
        long seed = Long.getLong("inflight.crash.seed", System.nanoTime());
        System.out.println("StreamCrashIT seed " + seed + " (rerun with -Dinflight.crash.seed=" + seed + ")");
        Random random = new Random(seed);
        int run = 0;
        try (ChangeWorkload load = ChangeWorkload.start(source, DB, 2, seed)) {
            load.awaitCommitted(200);
            start("clone", "clone.log", "--jobs", "2").awaitSuccess(180);

            boolean largePending = false;
            InflightProcess restarted = null;
            for (int kill = 0; kill < KILLS; kill++) {
                String before = storedPosition();
                InflightProcess stream = restarted != null ? restarted : start("stream", "stream-" + run++ + ".log");
                restarted = null;
                if (largePending) {
                    // the rerun applies the large transaction again, whole, before the next random kill
                    awaitTarget("SELECT count(*) = " + LARGE_ROWS + " FROM big", stream);
                    largePending = false;
                } else if (kill > 0) {
                    // the first kill may land while the process starts; the others while it applies batches
                    awaitTarget("SELECT coalesce((SELECT applied_lsn::text FROM inflight.stream_position), '')"
                            + " <> '" + before + "'", stream);
                }
                long after = (kill == 0 ? 1000 : 0) + random.nextInt(2000);
                Thread.sleep(after);
                assertThat(stream.isAlive()).as("stream still running before kill %d:\n%s", kill, stream.output())
                        .isTrue();
                stream.kill9();
                System.out.println("StreamCrashIT kill " + kill + " " + after + " ms after " + (kill == 0 ? "start"
                        : "its first commit"));
                if (kill == KILLS - 2) {
                    // as a supervisor would: restart at once, while the killed process's sessions may linger
                    restarted = start("stream", "stream-" + run++ + "-restarted.log");
                    assertConfirmedNotAheadOfTarget(false);
                } else {
                    assertConfirmedNotAheadOfTarget(true);
                }
                if (kill == 1) {
                    killDuringLargeTransaction(run++, random);
                    largePending = true;
                }
            }
            load.awaitCommitted(load.committed() + 200);
            System.out.println("StreamCrashIT workload: " + load.committed() + " committed, " + load.failed()
                    + " rolled back");
        }

        long t0 = System.nanoTime();
        InflightProcess last = start("stream", "stream-final.log", "--until-caught-up");
        last.awaitSuccess(240);
        System.out.printf("StreamCrashIT final catch-up took %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertConfirmedNotAheadOfTarget(true);
        try (Connection s = source.connect(DB); Connection t = target.connect(DB)) {
            assertThat(ChangeWorkload.fingerprints(t)).isEqualTo(ChangeWorkload.fingerprints(s));
            assertThat(io.inflight.testkit.TableContents.fingerprint(t, "public.big"))
                    .isEqualTo(io.inflight.testkit.TableContents.fingerprint(s, "public.big"));
            assertThat(scalar(t, "SELECT count(*) FROM big")).isEqualTo(String.valueOf(LARGE_ROWS));
        }
    }

    /**
     * Commits a {@value #LARGE_ROWS}-row transaction on the source while a stream runs and kills the stream
     * while that transaction's rows are being written on the target; the target must then hold none of them.
     */
    private void killDuringLargeTransaction(int run, Random random) throws Exception {
        InflightProcess stream = start("stream", "stream-" + run + "-large.log");
        awaitTarget("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'client backend'"
                + " AND datname = current_database() AND query LIKE 'INSERT INTO%')", stream);
        CompletableFuture<Void> large = CompletableFuture.runAsync(() -> {
            try (Connection c = source.connect(DB); Statement s = c.createStatement()) {
                s.execute("INSERT INTO big SELECT g, g % 1000, repeat(md5(g::text), 2) FROM generate_series(1, "
                        + LARGE_ROWS + ") g");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        large.get(120, TimeUnit.SECONDS);
        // the apply session is writing rows of "big": the target transaction holding them is open
        awaitTarget("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'client backend'"
                + " AND datname = current_database() AND state <> 'idle' AND query LIKE '%\"big\"%')", stream);
        Thread.sleep(random.nextInt(500));
        stream.kill9();
        awaitGone();
        try (Connection t = target.connect(DB)) {
            assertThat(scalar(t, "SELECT count(*) FROM big")).as("rows of the large transaction after a kill"
                    + " during its apply: none, its target transaction was never committed").isEqualTo("0");
        }
        assertConfirmedNotAheadOfTarget(true);
        System.out.println("StreamCrashIT killed during the apply of the " + LARGE_ROWS + "-row transaction");
    }

    /**
     * The slot's confirmed position never passes what the target holds: a crash at any moment loses no change.
     * Read once both sessions of the killed process are gone (a commit already sent may still complete), or while
     * a restarted stream runs.
     */
    private void assertConfirmedNotAheadOfTarget(boolean afterSessionsEnded) throws Exception {
        if (afterSessionsEnded) {
            awaitGone();
        }
        // the confirmed position first: the stored one only grows, so a stream running meanwhile cannot make
        // a sound state look unsound
        Lsn confirmed;
        try (Connection s = source.connect(DB)) {
            confirmed = Lsn.parse(scalar(s, "SELECT confirmed_flush_lsn FROM pg_replication_slots"
                    + " WHERE slot_name = '" + SLOT + "'"));
        }
        Lsn stored;
        try (Connection t = target.connect(DB)) {
            // before the stream's first commit the target holds exactly the clone, up to the consistent point
            stored = Lsn.parse(scalar(t, "SELECT coalesce((SELECT applied_lsn FROM inflight.stream_position),"
                    + " (SELECT consistent_lsn FROM inflight.migration))"));
        }
        System.out.println("StreamCrashIT slot confirmed " + confirmed + ", target holds " + stored);
        assertThat(confirmed).as("slot confirmed_flush_lsn vs target applied_lsn").isLessThanOrEqualTo(stored);
    }

    /** The applied position stored on the target, empty before the stream's first commit. */
    private static String storedPosition() throws SQLException {
        try (Connection t = target.connect(DB)) {
            String lsn = scalar(t, "SELECT coalesce((SELECT applied_lsn::text FROM inflight.stream_position), '')");
            return lsn == null ? "" : lsn;
        }
    }

    /** Waits until the killed process's sessions have ended on both servers. */
    private void awaitGone() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Connection s = source.connect(DB); Connection t = target.connect(DB)) {
                boolean slotFree = "f".equals(scalar(s, "SELECT active FROM pg_replication_slots WHERE slot_name = '"
                        + SLOT + "'"));
                boolean targetFree = "0".equals(scalar(t, "SELECT count(*) FROM pg_stat_activity"
                        + " WHERE backend_type = 'client backend' AND datname = current_database()"
                        + " AND pid <> pg_backend_pid()"));
                if (slotFree && targetFree) {
                    return;
                }
            }
            assertThat(System.nanoTime()).as("sessions of the killed process ended").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private void awaitTarget(String sql, InflightProcess running) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            assertThat(running.isAlive()).as("inflight still running while waiting for %s:\n%s", sql,
                    running.output()).isTrue();
            try (Connection t = target.connect(DB)) {
                if ("t".equals(scalar(t, sql))) {
                    return;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("timed out waiting for: " + sql + "\n" + running.output());
    }

    private InflightProcess start(String command, String log, String... args) throws Exception {
        return InflightProcess.start(source, DB, target, DB, temp.resolve(log), List.of("-Xmx256m"), command, args);
    }
}
