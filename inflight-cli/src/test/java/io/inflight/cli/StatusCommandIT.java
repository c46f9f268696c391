package io.inflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.clone.CloneJob;
import io.inflight.postgres.clone.CloneOptions;
import io.inflight.postgres.stream.StreamJob;
import io.inflight.postgres.stream.StreamListener;
import io.inflight.postgres.stream.StreamOptions;
import io.inflight.testkit.PostgresServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code inflight status} against real servers: before a migration, after the clone, after streaming. */
@Timeout(300)
class StatusCommandIT {

    static PostgresServer source;
    static PostgresServer target;

    @BeforeAll
    static void servers() {
        source = PostgresServer.start(13);
        target = PostgresServer.start(17);
        source.createDatabase("app");
        target.createDatabase("app");
        source.execute("app", "CREATE TABLE items (id int PRIMARY KEY, v text)",
                "INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 3000) g");
    }

    @AfterAll
    static void stop() {
        if (source != null) {
            source.close();
        }
        if (target != null) {
            target.close();
        }
    }

    private static MainTest.Run status(String... extra) {
        return statusOf("app", extra);
    }

    @Test
    void reportsNothingThenTheCloneThenTheStreamPosition() {
        MainTest.Run none = status();
        assertThat(none.code()).as(none.err()).isZero();
        assertThat(none.out()).contains("no migration on the target");

        new CloneJob(CloneOptions.defaults(source.endpoint("app"), target.endpoint("app")).withJobs(2),
                ProgressListener.NONE).run();
        MainTest.Run cloned = status();
        assertThat(cloned.out()).contains("phase cloned", "1/1 tables copied, 3,000 rows", "stream: not started",
                "slot idle");

        source.execute("app", "INSERT INTO items VALUES (5000, 'late')");
        StreamOptions options = StreamOptions.defaults(source.endpoint("app"), target.endpoint("app"));
        new StreamJob(options.withStopAt(StreamJob.sourcePosition(source.endpoint("app"))), ProgressListener.NONE,
                StreamListener.NONE).run();
        MainTest.Run streamed = status("--json");
        assertThat(streamed.code()).as(streamed.err()).isZero();
        String json = streamed.out().strip();
        assertThat(json).startsWith("{").endsWith("}").contains("\"phase\":\"streaming\"", "\"tablesCopied\":1",
                "\"sourceReachable\":true", "\"slotExists\":true").containsPattern("\"appliedLsn\":\"[0-9A-F]+/[0-9A-F]+\"");
        assertThat(json).contains("\"lastVerify\":null", "\"changesApplied\":1,").containsPattern(
                "\"changesPerSecond\":[0-9.]+");
        assertThat(streamed.out() + streamed.err()).doesNotContain(source.password()).doesNotContain(target.password());
    }

    @Test
    void showsTheLastVerifyResult() {
        target.createDatabase("verified");
        new CloneJob(CloneOptions.defaults(source.endpoint("app"), target.endpoint("verified")).withJobs(2)
                .withSlot("verified", "verified"), ProgressListener.NONE).run();
        MainTest.Run before = statusOf("verified");
        assertThat(before.out()).contains("verify: never run");

        MainTest.Run equal = verifyOf("verified");
        assertThat(equal.code()).as(equal.err()).isZero();
        assertThat(statusOf("verified").out()).containsPattern("verify: equal · 1 tables · finished [0-9.]+ s ago");

        target.execute("verified", "DELETE FROM items WHERE id = 17");
        MainTest.Run differs = verifyOf("verified");
        assertThat(differs.code()).as(differs.err()).isEqualTo(22);
        MainTest.Run after = statusOf("verified");
        assertThat(after.out()).contains("verify: DIFFERS · 1 of 1 tables (1 missing, 0 extra, 0 differing rows)");
        assertThat(statusOf("verified", "--json").out()).contains("\"clean\":false", "\"missing\":1",
                "\"tablesDiffering\":1");
    }

    private static MainTest.Run verifyOf(String targetDb) {
        return MainTest.run(Map.of(Passwords.variableFor("source"), source.password(),
                        Passwords.variableFor("target"), target.password()), "verify",
                "--source=postgresql://" + PostgresServer.SUPERUSER + "@" + source.host() + ":" + source.port() + "/app",
                "--target=postgresql://" + PostgresServer.SUPERUSER + "@" + target.host() + ":" + target.port() + "/"
                        + targetDb, "--live=off", "--quiet");
    }

    private static MainTest.Run statusOf(String targetDb, String... extra) {
        String[] args = new String[4 + extra.length];
        args[0] = "status";
        args[1] = "--source=postgresql://" + PostgresServer.SUPERUSER + "@" + source.host() + ":" + source.port() + "/app";
        args[2] = "--target=postgresql://" + PostgresServer.SUPERUSER + "@" + target.host() + ":" + target.port() + "/"
                + targetDb;
        args[3] = "--quiet";
        System.arraycopy(extra, 0, args, 4, extra.length);
        return MainTest.run(Map.of(Passwords.variableFor("source"), source.password(),
                Passwords.variableFor("target"), target.password()), args);
    }
}
