package io.inflight.cli.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.cli.Cloning;
import io.inflight.cli.Streaming;
import io.inflight.postgres.clone.CloneOptions;
import io.inflight.postgres.stream.StreamJob;
import io.inflight.postgres.stream.StreamOptions;
import io.inflight.testkit.PostgresServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Prometheus endpoint while a real clone and stream run: counts match what was done, no secret leaks. */
@Timeout(300)
class MetricsServerIT {

    @Test
    void exposesCopyAndApplyCountersAndLag() throws Exception {
        try (PostgresServer source = PostgresServer.start(13); PostgresServer target = PostgresServer.start(17);
             MetricsServer metrics = MetricsServer.start("127.0.0.1", 0)) {
            source.createDatabase("app");
            target.createDatabase("app");
            source.execute("app", "CREATE TABLE items (id int PRIMARY KEY, v text)",
                    "INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 2500) g");
            PrintWriter err = new PrintWriter(new StringWriter());
            Cloning.run(CloneOptions.defaults(source.endpoint("app"), target.endpoint("app")).withJobs(2), true, err,
                    Optional.of(metrics));
            source.execute("app", "INSERT INTO items SELECT g, 'new' FROM generate_series(3001, 3400) g",
                    "UPDATE items SET v = 'changed' WHERE id <= 100");
            StreamOptions options = StreamOptions.defaults(source.endpoint("app"), target.endpoint("app"))
                    .withStopAt(StreamJob.sourcePosition(source.endpoint("app")));
            Streaming.run(options, true, err, job -> { }, result -> { }, Optional.of(metrics));

            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + metrics.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(value(body, "inflight_copy_rows_total")).isEqualTo(2500);
            assertThat(value(body, "inflight_apply_changes_total")).isEqualTo(500);
            assertThat(value(body, "inflight_apply_transactions_total")).isGreaterThanOrEqualTo(2);
            assertThat(value(body, "inflight_apply_batch_changes_sum")).as(body).isEqualTo(500);
            assertThat(value(body, "inflight_apply_batch_changes_count")).isGreaterThanOrEqualTo(1);
            assertThat(body).contains("inflight_stream_lag_bytes", "inflight_stream_lag_seconds",
                    "inflight_slot_retained_wal_bytes");
            assertThat(body).doesNotContain(source.password()).doesNotContain(target.password());
        }
    }

    private static double value(String body, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(body);
        assertThat(m.find()).as(name + " in\n" + body).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
