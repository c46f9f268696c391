package io.inflight.postgres.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.clone.CloneJob;
import io.inflight.postgres.clone.CloneOptions;
import io.inflight.postgres.stream.StreamJob;
import io.inflight.postgres.stream.StreamListener;
import io.inflight.postgres.stream.StreamOptions;
import io.inflight.postgres.stream.StreamResult;
import io.inflight.testkit.ChangeWorkload;
import io.inflight.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Verify while Inflight's own stream applies a live workload (13 → 17): no false difference from lag, and a
 * difference made on the target behind the stream's back is reported exactly, while writes go on.
 */
@Timeout(300)
class VerifyDuringStreamIT {

    /** Accounts the workload never touches (it picks among 1..5000): one is deleted behind the stream's back. */
    static final int ACCOUNTS = 5100;

    @Test
    void liveVerifyAgainstTheRunningStreamReportsOnlyRealDifferences() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (PostgresServer source = PostgresServer.start(13); PostgresServer target = PostgresServer.start(17)) {
            source.createDatabase("app");
            target.createDatabase("app");
            ChangeWorkload.create(source, "app", ACCOUNTS);
            source.execute("app", "CREATE TABLE reference (id int PRIMARY KEY, name text, weight double precision)",
                    "INSERT INTO reference SELECT g, 'ref ' || g, g / 7.0 FROM generate_series(1, 2000) g");
            new CloneJob(CloneOptions.defaults(source.endpoint("app"), target.endpoint("app")).withJobs(2),
                    ProgressListener.NONE).run();
            StreamJob stream = new StreamJob(StreamOptions.defaults(source.endpoint("app"), target.endpoint("app")),
                    ProgressListener.NONE, StreamListener.NONE);
            Future<StreamResult> running = pool.submit(stream::run);
            VerifyOptions options = VerifyOptions.defaults(source.endpoint("app"), target.endpoint("app"))
                    .withJobs(2).withRestart(true).withLive(LiveMode.AUTO, Duration.ofSeconds(60));
            try (ChangeWorkload load = ChangeWorkload.start(source, "app", 2, 5)) {
                load.awaitCommitted(300);
                long before = load.committed();
                VerifyResult clean = new VerifyJob(options, ProgressListener.NONE).run();
                assertThat(load.committed()).as("the workload wrote during the verify").isGreaterThan(before + 100);
                assertThat(clean.live()).hasValueSatisfying(l -> assertThat(l).contains("inflight.stream_position"));
                assertThat(clean.tables()).allSatisfy(t -> assertThat(t.differences()).as(t.toString()).isEmpty());
                assertThat(clean.outcome()).isEqualTo(VerifyResult.Outcome.EQUAL);
                assertThat(running.isDone()).isFalse();

                // Behind the stream's back, with the workload writing on: an account the workload never touches
                // lost (replica role: its orders' foreign key does not object), a reference row changed.
                target.execute("app", "SET session_replication_role = replica",
                        "DELETE FROM accounts WHERE id = 5050",
                        "UPDATE reference SET name = 'tampered' WHERE id = 1234");
                VerifyResult tampered = new VerifyJob(options, ProgressListener.NONE).run();
                Map<String, TableReport> byName = tampered.tables().stream()
                        .collect(Collectors.toMap(t -> t.table().name(), t -> t));
                assertThat(byName.get("accounts").differences()).containsExactly(
                        new Difference(Difference.Kind.MISSING, List.of("5050"), List.of(), 1));
                assertThat(byName.get("reference").differences()).containsExactly(
                        new Difference(Difference.Kind.DIFFERS, List.of("1234"), List.of("name"), 1));
                assertThat(tampered.tables()).filteredOn(t -> !List.of("accounts", "reference").contains(t.table().name()))
                        .allSatisfy(t -> assertThat(t.differences()).as(t.toString()).isEmpty());
                assertThat(tampered.outcome()).isEqualTo(VerifyResult.Outcome.DIFFERS);
                assertThat(running.isDone()).isFalse();

                // scratch is truncated and refilled many times a second: the target is always somewhat behind it,
                // so each verify meets differences that were only lag, counts them, and records the counts.
                assertThat(clean.resolvedByLag() + tampered.resolvedByLag()).isPositive();
                for (VerifyResult r : List.of(clean, tampered)) {
                    assertThat(recordedResolvedByLag(target, r.runId())).isEqualTo(r.resolvedByLag());
                }
            }
            stream.stop();
            running.get(2, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long recordedResolvedByLag(PostgresServer target, long runId) throws Exception {
        try (Connection c = target.connect("app"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT sum(resolved_by_lag) FROM inflight.verify_table WHERE run_id = "
                     + runId)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
