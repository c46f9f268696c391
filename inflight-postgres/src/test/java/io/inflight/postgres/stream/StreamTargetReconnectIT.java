package io.inflight.postgres.stream;

import static io.inflight.testkit.TableContents.scalar;
import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Found by the fault suite: after the target dropped every connection of the stream (a restart, a network cut),
 * the stream reconnected its apply session but kept reading its state through the dead state-store connection, and
 * so "reconnected" until {@code --reconnect-for} ran out. It must resume within seconds and apply everything.
 */
class StreamTargetReconnectIT {

    @Test
    @Timeout(300)
    void resumesAfterTheTargetDroppedAllItsConnections() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (PostgresServer source = PostgresServer.start(13); PostgresServer target = PostgresServer.start(17)) {
            String db = "shop";
            source.createDatabase(db);
            target.createDatabase(db);
            ChangeWorkload.create(source, db, 1000);
            new CloneJob(CloneOptions.defaults(source.endpoint(db), target.endpoint(db)).withJobs(2), ProgressListener.NONE)
                    .run();
            StreamJob job = new StreamJob(StreamOptions.defaults(source.endpoint(db), target.endpoint(db))
                    .withReconnectFor(Duration.ofMinutes(2)), ProgressListener.NONE, StreamListener.NONE);
            Future<StreamResult> run = pool.submit(job::run);
            source.execute(db, "UPDATE items SET price = price + 1 WHERE id < 100");
            awaitApplied(job, source, db, run);

            // every session of the stream on the target ends at once, the state store's included
            target.execute("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'shop'"
                    + " AND backend_type = 'client backend'");
            source.execute(db, "UPDATE items SET price = price + 1 WHERE id < 200");
            awaitApplied(job, source, db, run);
            job.stop();
            run.get(1, TimeUnit.MINUTES);
            try (Connection s = source.connect(db); Connection t = target.connect(db)) {
                assertThat(ChangeWorkload.fingerprints(t)).isEqualTo(ChangeWorkload.fingerprints(s));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits (at most 60 s: well under --reconnect-for) until the job has applied all the source wrote so far. */
    private static void awaitApplied(StreamJob job, PostgresServer source, String db, Future<StreamResult> run)
            throws Exception {
        Lsn end;
        try (Connection c = source.connect(db)) {
            end = Lsn.parse(scalar(c, "SELECT pg_current_wal_insert_lsn()"));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (job.stats().appliedLsn().compareTo(end) < 0) {
            if (run.isDone()) {
                run.get();
                throw new AssertionError("the stream ended before applying up to " + end);
            }
            assertThat(System.nanoTime()).as("applied up to %s within 60 s (applied %s)", end,
                    job.stats().appliedLsn()).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
