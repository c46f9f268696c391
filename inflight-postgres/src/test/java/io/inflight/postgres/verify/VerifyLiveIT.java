package io.inflight.postgres.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.progress.ProgressListener;
import io.inflight.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Verify while the target is being replicated into and the source keeps taking writes: a real native logical
 * replication subscription 13 → 17 and a writer thread. Lag must never show as a difference; a difference
 * made on the target directly must, exactly.
 */
@Timeout(300)
class VerifyLiveIT {

    static PostgresServer source;
    static PostgresServer target;

    static final String[] SCHEMA = {
        "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text, touched timestamptz)",
        "CREATE TABLE events (id bigserial PRIMARY KEY, account int NOT NULL, amount int NOT NULL, at timestamptz)",
        "CREATE TABLE tallies (k text NOT NULL, n int NOT NULL)",
        "ALTER TABLE tallies REPLICA IDENTITY FULL",
    };

    final AtomicBoolean writing = new AtomicBoolean();
    final AtomicLong writes = new AtomicLong();
    final AtomicReference<Throwable> writerFailure = new AtomicReference<>();
    Thread writer;

    @BeforeAll
    static void start() throws Exception {
        source = PostgresServer.start(13);
        target = PostgresServer.start(17);
        source.createDatabase("live");
        target.createDatabase("live");
        source.execute("live", SCHEMA);
        target.execute("live", SCHEMA);
        source.execute("live",
                "INSERT INTO accounts SELECT g, g * 10, 'acct ' || g, now() FROM generate_series(1, 20000) g",
                "INSERT INTO events (account, amount, at) SELECT 1 + g % 20000, g % 1000, now()"
                        + " FROM generate_series(1, 30000) g",
                "INSERT INTO tallies SELECT 'k' || (g % 200), g % 7 FROM generate_series(1, 2000) g",
                "ANALYZE",
                "CREATE PUBLICATION pub FOR ALL TABLES");
        target.execute("live", "CREATE SUBSCRIPTION sub CONNECTION 'host=" + source.host() + " port=" + source.port()
                + " dbname=live user=" + PostgresServer.SUPERUSER + " password=" + source.password()
                + "' PUBLICATION pub");
        waitUntil(() -> count(target, "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate NOT IN ('r', 's')") == 0
                && count(target, "SELECT count(*) FROM pg_subscription_rel") == 3, Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (target != null) {
            target.execute("live", "DROP SUBSCRIPTION IF EXISTS sub");
            target.close();
        }
        if (source != null) {
            source.close();
        }
    }

    /** Writes to accounts 1..10000, events and tallies, one small transaction after another. */
    @BeforeEach
    void startWriting() {
        writing.set(true);
        writer = new Thread(() -> {
            try (Connection c = source.connect("live"); Statement s = c.createStatement()) {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                while (writing.get()) {
                    int account = 1 + r.nextInt(10_000);
                    switch (r.nextInt(5)) {
                        case 0, 1 -> s.execute("UPDATE accounts SET balance = balance + " + r.nextInt(100)
                                + ", touched = now() WHERE id = " + account);
                        case 2 -> s.execute("INSERT INTO events (account, amount, at) VALUES (" + account + ", "
                                + r.nextInt(1000) + ", now())");
                        case 3 -> s.execute("DELETE FROM events WHERE id = (SELECT min(id) FROM events)");
                        default -> s.execute("UPDATE tallies SET n = n + 1 WHERE ctid = (SELECT ctid FROM tallies"
                                + " WHERE k = 'k" + r.nextInt(200) + "' LIMIT 1)");
                    }
                    writes.incrementAndGet();
                    Thread.sleep(1);
                }
            } catch (Throwable t) {
                writerFailure.set(t);
            }
        }, "source-writer");
        writer.start();
    }

    @AfterEach
    void stopWriting() throws InterruptedException {
        writing.set(false);
        writer.join(10_000);
        assertThat(writerFailure.get()).as("the writer failed").isNull();
    }

    static VerifyResult verify(LiveMode mode) {
        return new VerifyJob(VerifyOptions.defaults(source.endpoint("live"), target.endpoint("live")).withJobs(2)
                .withLive(mode, Duration.ofSeconds(30)).withRestart(true), ProgressListener.NONE).run();
    }

    @Test
    void noFalseDifferencesWhileTheStreamRuns() throws Exception {
        waitUntil(() -> writes.get() > 300, Duration.ofSeconds(30));
        long resolved = 0;
        for (int round = 0; round < 3; round++) {
            long before = writes.get();
            VerifyResult r = verify(LiveMode.parse("subscription:sub"));
            assertThat(writes.get()).as("the source took writes during the verify").isGreaterThan(before);
            assertThat(r.live()).contains("subscription \"sub\"");
            assertThat(r.tables()).allSatisfy(t -> assertThat(t.differences()).as(t.table().toString()).isEmpty());
            assertThat(r.outcome()).isEqualTo(VerifyResult.Outcome.EQUAL);
            assertThat(r.rowsCompared()).isGreaterThan(50_000);
            resolved += r.resolvedByLag();
        }
        // Not asserted above zero: how much lag a run meets depends on timing; it is reported either way.
        assertThat(resolved).isNotNegative();
    }

    @Test
    void aRealDifferenceOnTheTargetIsReportedWhileTheStreamRuns() throws Exception {
        // Rows the writer never touches, changed behind the subscription's back.
        String row = text(source, "SELECT format('(%s, %s, %L, %L)', id, balance, note, touched) FROM accounts"
                + " WHERE id = 19999");
        target.execute("live", "DELETE FROM accounts WHERE id = 19999", "UPDATE accounts SET note = 'tampered' WHERE id = 15000");
        try {
            waitUntil(() -> writes.get() > 300, Duration.ofSeconds(30));
            VerifyResult r = verify(LiveMode.AUTO);
            assertThat(r.live()).as("auto finds the target's only subscription").contains("subscription \"sub\"");
            Map<String, TableReport> t = r.tables().stream().collect(Collectors.toMap(x -> x.table().name(), x -> x));
            assertThat(t.get("accounts").differences()).containsExactlyInAnyOrder(
                    new Difference(Difference.Kind.MISSING, List.of("19999"), List.of(), 1),
                    new Difference(Difference.Kind.DIFFERS, List.of("15000"), List.of("note"), 1));
            assertThat(t.get("events").differences()).isEmpty();
            assertThat(t.get("tallies").differences()).isEmpty();
            assertThat(r.outcome()).isEqualTo(VerifyResult.Outcome.DIFFERS);
        } finally {
            target.execute("live", "INSERT INTO accounts VALUES " + row,
                    "UPDATE accounts SET note = 'acct 15000' WHERE id = 15000");
        }
    }

    @Test
    void differencesThatAreOnlyLagResolveOnceTheSubscriptionCatchesUp() throws Exception {
        target.execute("live", "ALTER SUBSCRIPTION sub DISABLE");
        Thread enabler = null;
        try {
            // The target falls behind by a few hundred transactions.
            long from = writes.get();
            waitUntil(() -> writes.get() > from + 300, Duration.ofSeconds(30));
            VerifyResult asFound = verify(LiveMode.OFF);
            assertThat(asFound.outcome()).as("without live mode, lag shows as differences")
                    .isEqualTo(VerifyResult.Outcome.DIFFERS);
            assertThat(asFound.live()).isEmpty();

            enabler = new Thread(() -> {
                try {
                    Thread.sleep(1500);
                    target.execute("live", "ALTER SUBSCRIPTION sub ENABLE");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            enabler.start();
            VerifyResult live = verify(LiveMode.parse("subscription:sub"));
            assertThat(live.tables()).allSatisfy(t -> assertThat(t.differences()).as(t.table().toString()).isEmpty());
            assertThat(live.outcome()).isEqualTo(VerifyResult.Outcome.EQUAL);
            assertThat(live.resolvedByLag()).as("the differences the lag made were counted as resolved").isPositive();
        } finally {
            if (enabler != null) {
                enabler.join();
            }
            target.execute("live", "ALTER SUBSCRIPTION sub ENABLE");
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitUntil(Check check, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + limit);
            }
            Thread.sleep(100);
        }
    }

    static String text(PostgresServer pg, String sql) throws SQLException {
        try (Connection c = pg.connect("live"); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static long count(PostgresServer pg, String sql) throws SQLException {
        try (Connection c = pg.connect("live"); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
