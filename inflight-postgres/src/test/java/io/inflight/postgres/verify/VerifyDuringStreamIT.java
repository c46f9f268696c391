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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Verify while Inflight's own stream applies a live workload (13 → 17): no false difference from lag, and a
 * difference made on the target behind the stream's back is reported exactly, while writes go on.
 */
@Timeout(600)
class VerifyDuringStreamIT {

    @Test
    void liveVerifyAgainstTheRunningStreamReportsOnlyRealDifferences() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (PostgresServer source = PostgresServer.start(13); PostgresServer target = PostgresServer.start(17)) {
            source.createDatabase("app");
            target.createDatabase("app");
            ChangeWorkload.create(source, "app", 3000);
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
                for (int round = 0; round < 2; round++) {
                    VerifyResult r = new VerifyJob(options, ProgressListener.NONE).run();
                    assertThat(r.live()).hasValueSatisfying(l -> assertThat(l).contains("inflight.stream_position"));
                    assertThat(r.tables()).allSatisfy(t -> assertThat(t.differences()).as(t.toString()).isEmpty());
                    assertThat(r.outcome()).isEqualTo(VerifyResult.Outcome.EQUAL);
                    assertThat(running.isDone()).isFalse();
                }
                // Behind the stream's back: a row lost and a row changed on the target.
                target.execute("app", "DELETE FROM reference WHERE id = 17",
                        "UPDATE reference SET name = 'tampered' WHERE id = 1234");
                VerifyResult tampered = new VerifyJob(options, ProgressListener.NONE).run();
                assertThat(tampered.outcome()).isEqualTo(VerifyResult.Outcome.DIFFERS);
                List<TableReport> differing = tampered.tables().stream()
                        .filter(t -> !t.differences().isEmpty()).toList();
                assertThat(differing).singleElement().satisfies(t -> {
                    assertThat(t.table().toString()).isEqualTo("public.reference");
                    assertThat(t.differences()).hasSize(2);
                    assertThat(t.differences().toString()).contains("17", "1234", "name");
                });
            }
            stream.stop();
            running.get(2, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
    }
}
