package io.inflight.postgres.stream;

import static io.inflight.testkit.TableContents.fingerprint;
import static io.inflight.testkit.TableContents.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.clone.CloneJob;
import io.inflight.postgres.clone.CloneOptions;
import io.inflight.testkit.ChangeWorkload;
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

/**
 * The stream after a clone, 13 → 17, under a concurrent write load: every kind of change the workload makes
 * (see {@link ChangeWorkload}) must arrive exactly once, in order, with nothing confirmed to the source that the
 * target does not hold.
 */
@Timeout(600)
class StreamJobIT {

    static PostgresServer source;
    static PostgresServer target;
    static final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeAll
    static void start() {
        source = PostgresServer.start(13);
        target = PostgresServer.start(17);
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
        if (source != null) {
            source.close();
        }
        if (target != null) {
            target.close();
        }
    }

    /** A source database with the workload's schema and data, and an empty target database of the same name. */
    private static void prepare(String db) {
        source.createDatabase(db);
        target.createDatabase(db);
        ChangeWorkload.create(source, db, 5000);
    }

    private static void cloneInto(String db) {
        new CloneJob(CloneOptions.defaults(source.endpoint(db), target.endpoint(db)).withJobs(2).withSlot(db, db),
                ProgressListener.NONE).run();
    }

    private static StreamOptions streamOptions(String db) {
        return StreamOptions.defaults(source.endpoint(db), target.endpoint(db)).withReconnectFor(Duration.ofMinutes(2));
    }

    private static Lsn sourceLsn(String db) throws Exception {
        try (Connection c = source.connect(db)) {
            return Lsn.parse(scalar(c, "SELECT pg_current_wal_insert_lsn()"));
        }
    }

    /** Waits until the running job has applied everything the source wrote up to now. */
    private static void awaitCaughtUp(StreamJob job, String db, Future<StreamResult> run) throws Exception {
        Lsn end = sourceLsn(db);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (job.stats().appliedLsn().compareTo(end) < 0) {
            if (run.isDone()) {
                run.get(); // surfaces the failure
                throw new AssertionError("the stream stopped before catching up to " + end);
            }
            assertThat(System.nanoTime()).as("caught up to %s (applied %s)", end, job.stats().appliedLsn())
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static void assertSameRows(String db) throws Exception {
        try (Connection s = source.connect(db); Connection t = target.connect(db)) {
            assertThat(ChangeWorkload.fingerprints(t)).isEqualTo(ChangeWorkload.fingerprints(s));
        }
    }

    /** The slot never claims more than the target holds: a crash right now could not lose a change. */
    private static void assertConfirmedNotAheadOfTarget(String db) throws Exception {
        Lsn confirmed;
        try (Connection s = source.connect(db)) {
            confirmed = confirmed(s, db);
        }
        try (Connection t = target.connect(db)) {
            assertThat(confirmed).isLessThanOrEqualTo(stored(t));
        }
    }

    /** The slot's {@code confirmed_flush_lsn}; the slot is named after the database. */
    private static Lsn confirmed(Connection onSource, String db) throws Exception {
        return Lsn.parse(scalar(onSource, "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '"
                + db + "'"));
    }

    /** The position the target stored with its last commit. */
    private static Lsn stored(Connection onTarget) throws Exception {
        return Lsn.parse(scalar(onTarget, "SELECT applied_lsn FROM inflight.stream_position"));
    }

    /**
     * While the stream runs, the source hears of what the target holds (its status updates), so that the slot
     * lets go of that WAL without waiting for a stop.
     */
    private static void awaitConfirmedWhileRunning(String db, Lsn applied) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (Connection s = source.connect(db)) {
            while (true) {
                Lsn confirmed = confirmed(s, db);
                if (confirmed.compareTo(applied) >= 0) {
                    return;
                }
                assertThat(System.nanoTime()).as("slot confirmed %s, the target holds %s", confirmed, applied)
                        .isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }

    @Test
    void streamsAConcurrentWorkloadExactlyOnce() throws Exception {
        String db = "concurrent";
        prepare(db);
        StreamJob job = new StreamJob(streamOptions(db), ProgressListener.NONE, StreamListener.NONE);
        Future<StreamResult> run;
        try (ChangeWorkload load = ChangeWorkload.start(source, db, 2, 7)) {
            load.awaitCommitted(200);
            cloneInto(db);                      // the load keeps writing during the clone...
            run = pool.submit(job::run);
            load.awaitCommitted(load.committed() + 3000);   // ...and while streaming
        }
        awaitCaughtUp(job, db, run);
        assertConfirmedNotAheadOfTarget(db);
        awaitConfirmedWhileRunning(db, job.stats().appliedLsn());
        job.stop();
        StreamResult result = run.get(1, TimeUnit.MINUTES);
        assertThat(result.changes()).isGreaterThan(3000);
        assertThat(result.missingRows()).isZero();
        assertSameRows(db);
        // every kind of change happened and arrived
        assertThat(job.stats().tables()).containsKeys(io.inflight.core.TableId.of("public", "ledger"),
                io.inflight.core.TableId.of("public", "codes"), io.inflight.core.TableId.of("public", "items"));
        assertThat(job.stats().tables().get(io.inflight.core.TableId.of("public", "scratch")).truncates()).isPositive();
    }

    /**
     * WAL the stream gets nothing for (here another database's) makes the source report its position in
     * keepalives. The slot must still confirm only what the target stored: pgjdbc, left to itself, moved the
     * flushed position to each keepalive's WAL end and reported it at once, ahead of the target's record of it
     * (seen by the fault suite after a kill: the slot claimed positions the target did not hold).
     */
    @Test
    void keepalivesNeverMoveTheConfirmedPositionPastWhatTheTargetStored() throws Exception {
        String db = "keepalive";
        prepare(db);
        cloneInto(db);
        source.execute("postgres", "CREATE TABLE IF NOT EXISTS wal_elsewhere (n int)");
        StreamJob job = new StreamJob(streamOptions(db), ProgressListener.NONE, StreamListener.NONE);
        Future<StreamResult> run = pool.submit(job::run);
        source.execute(db, "INSERT INTO items VALUES (900201, 'confirmed first', 1)");
        awaitCaughtUp(job, db, run);
        awaitConfirmedWhileRunning(db, job.stats().appliedLsn());
        try (Connection s = source.connect(db); Connection t = target.connect(db)) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            while (System.nanoTime() < end) {
                source.execute("postgres", "INSERT INTO wal_elsewhere VALUES (1)");
                // the confirmed position first: the stored one only grows, so it must be at least as far later
                Lsn confirmed = confirmed(s, db);
                assertThat(confirmed).as("the slot's confirmed position against the target's")
                        .isLessThanOrEqualTo(stored(t));
                Thread.sleep(10);
            }
        }
        job.stop();
        run.get(1, TimeUnit.MINUTES);
        assertSameRows(db);
    }

    @Test
    void appliesABacklogThroughNetChangesAndInOrderWhereAUniqueSwapNeedsIt() throws Exception {
        String db = "backlog";
        prepare(db);
        cloneInto(db);
        try (ChangeWorkload load = ChangeWorkload.start(source, db, 2, 23)) {
            load.awaitCommitted(4000);      // the stream is not running: all of it waits in the slot
        }
        StreamJob job = new StreamJob(streamOptions(db).withStopAt(sourceLsn(db)), ProgressListener.NONE,
                StreamListener.NONE);
        StreamResult result = job.run();
        assertThat(result.missingRows()).isZero();
        assertSameRows(db);
        assertConfirmedNotAheadOfTarget(db);
        assertThat(job.stats().setChanges()).as("changes applied as net sets").isGreaterThan(result.changes() / 2);
        assertThat(job.stats().orderedFallbacks()).as("email swaps applied in order").isPositive();
    }

    @Test
    void aColumnAddedOnTheSourceStopsTheStreamUntilTheTargetHasIt() throws Exception {
        String db = "ddl";
        prepare(db);
        cloneInto(db);
        source.execute(db, "INSERT INTO items VALUES (900001, 'before', 1)",
                "ALTER TABLE items ADD COLUMN colour text DEFAULT 'red'",
                "INSERT INTO items VALUES (900002, 'after', 2, 'blue')");

        StreamJob first = new StreamJob(streamOptions(db), ProgressListener.NONE, StreamListener.NONE);
        assertThatThrownBy(first::run).isInstanceOfSatisfying(InflightException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.SCHEMA_MISMATCH);
            assertThat(e.getMessage()).contains("\"colour\"", "public.items",
                    "ALTER TABLE \"public\".\"items\" ADD COLUMN \"colour\" text DEFAULT 'red'::text");
        });
        try (Connection t = target.connect(db)) {
            // the row before the change is applied at most up to a whole transaction; the one after is not
            assertThat(scalar(t, "SELECT count(*) FROM items WHERE id = 900002")).isEqualTo("0");
        }
        target.execute(db, "ALTER TABLE items ADD COLUMN colour text DEFAULT 'red'");

        StreamJob second = new StreamJob(streamOptions(db), ProgressListener.NONE, StreamListener.NONE);
        Future<StreamResult> run = pool.submit(second::run);
        awaitCaughtUp(second, db, run);
        second.stop();
        run.get(1, TimeUnit.MINUTES);
        assertSameRows(db);
        try (Connection t = target.connect(db)) {
            assertThat(scalar(t, "SELECT colour FROM items WHERE id = 900002")).isEqualTo("blue");
        }
    }

    @Test
    void aTableAddedToThePublicationIsCopiedThenStreamed() throws Exception {
        String db = "newtable";
        prepare(db);
        cloneInto(db);
        StreamJob job = new StreamJob(streamOptions(db), ProgressListener.NONE, StreamListener.NONE);
        Future<StreamResult> run = pool.submit(job::run);
        String create = "CREATE TABLE late (id int PRIMARY KEY, v text)";
        target.execute(db, create);
        source.execute(db, create, "INSERT INTO late SELECT g, 'v' || g FROM generate_series(1, 5000) g",
                "ALTER PUBLICATION " + db + " ADD TABLE late");
        source.execute(db, "UPDATE late SET v = 'changed' WHERE id <= 10", "DELETE FROM late WHERE id > 4990",
                "INSERT INTO late VALUES (6000, 'new')");
        awaitCaughtUp(job, db, run);
        job.stop();
        run.get(1, TimeUnit.MINUTES);
        try (Connection s = source.connect(db); Connection t = target.connect(db)) {
            assertThat(fingerprint(t, "late")).isEqualTo(fingerprint(s, "late"));
        }
        assertSameRows(db);
    }

    @Test
    void survivesTheWalsenderBeingTerminated() throws Exception {
        String db = "reconnect";
        prepare(db);
        cloneInto(db);
        StreamJob job = new StreamJob(streamOptions(db), ProgressListener.NONE, StreamListener.NONE);
        Future<StreamResult> run = pool.submit(job::run);
        try (ChangeWorkload load = ChangeWorkload.start(source, db, 1, 11)) {
            load.awaitCommitted(500);
            source.execute(db, "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                    + " WHERE slot_name = '" + db + "' AND active_pid IS NOT NULL");
            load.awaitCommitted(load.committed() + 1000);
        }
        awaitCaughtUp(job, db, run);
        job.stop();
        StreamResult result = run.get(1, TimeUnit.MINUTES);
        assertThat(result.reconnects()).isPositive();
        assertSameRows(db);
    }

    /** Sessions Inflight holds in {@code db} (the walsender's included) and whether the slot is in use. */
    private static String openOnSource(String db) throws Exception {
        try (Connection s = source.connect(db)) {
            return scalar(s, "SELECT (SELECT count(*) FROM pg_stat_activity WHERE application_name = 'inflight'"
                    + " AND datname = '" + db + "') || ' sessions, slot active: ' || coalesce((SELECT active::text"
                    + " FROM pg_replication_slots WHERE slot_name = '" + db + "'), 'no slot')");
        }
    }

    private static String openOnTarget(String db) throws Exception {
        try (Connection t = target.connect(db)) {
            return scalar(t, "SELECT count(*) || ' sessions' FROM pg_stat_activity WHERE application_name = 'inflight'"
                    + " AND datname = '" + db + "'");
        }
    }

    /**
     * Nothing of the stream is left open on either side. A closed connection's server process ends a moment after
     * the client let go, so this waits a little; a leaked one would stay.
     */
    private static void assertNothingLeftOpen(String db, String slotState) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((!openOnSource(db).equals("0 sessions, slot active: " + slotState)
                || !openOnTarget(db).equals("0 sessions")) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(openOnSource(db)).isEqualTo("0 sessions, slot active: " + slotState);
        assertThat(openOnTarget(db)).isEqualTo("0 sessions");
    }

    /**
     * The walsender starts decoding only once the stream has asked for the slot, so the stream asks before the
     * target's apply session is ready. First that session is held up (another session locks the catalog of
     * replication origins, which it registers its origin in), yet the slot is in use meanwhile, and once the lock
     * goes the stream applies as usual. Then the apply session cannot be set up at all (another session holds the
     * origin): every connection the stream had opened on either side is closed again and the slot is free.
     */
    @Test
    void startsStreamingBeforeTheApplySessionAndReleasesEverythingWhenItCannotOpen() throws Exception {
        String db = "opening";
        prepare(db);
        cloneInto(db);
        String origin = StreamJob.originName(db);
        try (Connection locker = target.connect(db)) {
            locker.setAutoCommit(false);
            locker.createStatement().execute("LOCK TABLE pg_replication_origin IN EXCLUSIVE MODE");
            StreamJob job = new StreamJob(streamOptions(db), ProgressListener.NONE, StreamListener.NONE);
            Future<StreamResult> run = pool.submit(job::run);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!openOnSource(db).endsWith("slot active: true")) {
                assertThat(run.isDone()).as("the stream ended before the slot was in use").isFalse();
                assertThat(System.nanoTime()).as("slot in use").isLessThan(deadline);
                Thread.sleep(20);
            }
            Thread.sleep(200);
            try (Connection t = target.connect(db)) {
                assertThat(scalar(t, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'inflight'"
                        + " AND wait_event_type = 'Lock' AND query LIKE '%pg_replication_origin_create%'"))
                        .as("the apply session still waits for the lock").isEqualTo("1");
            }
            assertThat(run.isDone()).isFalse();
            locker.rollback();
            source.execute(db, "INSERT INTO items VALUES (900101, 'after the lock', 1)");
            awaitCaughtUp(job, db, run);
            job.stop();
            run.get(1, TimeUnit.MINUTES);
            assertSameRows(db);
        }
        assertNothingLeftOpen(db, "false");

        try (Connection holder = target.connect(db)) {
            holder.createStatement().execute("SELECT pg_replication_origin_session_setup('" + origin + "')");
            StreamJob job = new StreamJob(streamOptions(db), ProgressListener.NONE, StreamListener.NONE);
            assertThatThrownBy(job::run).isInstanceOf(InflightException.class).hasMessageContaining("origin");
            assertNothingLeftOpen(db, "false");
        }
    }

    /** No separate lookup of the slot any more: starting the stream on a dropped one says what was lost. */
    @Test
    void aDroppedSlotStopsTheStreamWithWhatToDoAndLeavesNothingOpen() throws Exception {
        String db = "noslot";
        prepare(db);
        cloneInto(db);
        source.execute(db, "SELECT pg_drop_replication_slot('" + db + "')");
        StreamJob job = new StreamJob(streamOptions(db), ProgressListener.NONE, StreamListener.NONE);
        assertThatThrownBy(job::run).isInstanceOfSatisfying(InflightException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CONFLICT);
            assertThat(e.getMessage()).contains("replication slot '" + db + "' of this migration no longer exists on"
                    + " the source", "changes made since the last applied position are lost to the stream",
                    "Start over: drop the cloned tables and schema inflight on the target, then run inflight clone"
                            + " again");
        });
        assertNothingLeftOpen(db, "no slot");
    }

    @Test
    void refusesToStreamBeforeTheCloneFinished() {
        String db = "noclone";
        source.createDatabase(db);
        target.createDatabase(db);
        StreamJob job = new StreamJob(streamOptions(db), ProgressListener.NONE, StreamListener.NONE);
        assertThatThrownBy(job::run).isInstanceOfSatisfying(InflightException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
            assertThat(e.getMessage()).contains("holds no migration", "inflight clone");
        });
    }
}
