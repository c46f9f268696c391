package io.inflight.postgres.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.Lsn;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.checkpoint.StateStore;
import io.inflight.postgres.checkpoint.StreamPosition;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.Side;
import io.inflight.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Live mode against Inflight's own stream position: a stand-in applier (the real one is built elsewhere)
 * replays the source's transactions on the target in order, each in one target transaction with
 * {@link StreamPosition#write}, exactly the contract the stream keeps. Verify (live auto) must find the
 * position, wait for it, and report lag as resolved, not as differences.
 */
@Timeout(120)
class VerifyStreamPositionIT {

    static PostgresServer source;
    static PostgresServer target;

    /** One source transaction: the new value of a row, and the source WAL position right after its commit. */
    record Change(int id, long value, Lsn after) {
    }

    @BeforeAll
    static void start() {
        source = PostgresServer.start(13);
        target = PostgresServer.start(17);
        for (PostgresServer pg : new PostgresServer[] {source, target}) {
            pg.createDatabase("kv");
            pg.execute("kv", "CREATE TABLE kv (id int PRIMARY KEY, v bigint NOT NULL)",
                    "INSERT INTO kv SELECT g, g FROM generate_series(1, 5000) g", "ANALYZE");
        }
        StateStore.open(new PgConnector(Side.TARGET, target.endpoint("kv"))).close();
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

    @Test
    void lagBehindTheStreamPositionResolvesAndIsCounted() throws Exception {
        LinkedBlockingQueue<Change> queue = new LinkedBlockingQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicBoolean applying = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (Connection c = source.connect("kv"); Statement s = c.createStatement()) {
                while (running.get()) {
                    int id = 1 + ThreadLocalRandom.current().nextInt(5000);
                    long v;
                    try (ResultSet rs = s.executeQuery("UPDATE kv SET v = v + 1 WHERE id = " + id + " RETURNING v")) {
                        rs.next();
                        v = rs.getLong(1);
                    }
                    try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
                        rs.next();
                        queue.add(new Change(id, v, Lsn.parse(rs.getString(1))));
                    }
                    Thread.sleep(2);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        Thread applier = new Thread(() -> {
            try (Connection c = target.connect("kv"); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                while (running.get() || !queue.isEmpty()) {
                    if (!applying.get()) {
                        Thread.sleep(20);
                        continue;
                    }
                    Change ch = queue.poll(50, java.util.concurrent.TimeUnit.MILLISECONDS);
                    if (ch != null) {
                        s.executeUpdate("UPDATE kv SET v = " + ch.value() + " WHERE id = " + ch.id());
                        StreamPosition.write(c, ch.after(), Instant.now(), 1, 0);
                        c.commit();
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        writer.start();
        applier.start();
        try {
            Thread.sleep(500);
            applying.set(false);
            Thread.sleep(1000);
            VerifyOptions opts = VerifyOptions.defaults(source.endpoint("kv"), target.endpoint("kv")).withJobs(2)
                    .withRestart(true);
            VerifyResult behind = new VerifyJob(opts.withLive(LiveMode.OFF, Duration.ZERO), ProgressListener.NONE).run();
            assertThat(behind.outcome()).as("the paused applier left the target behind").isEqualTo(VerifyResult.Outcome.DIFFERS);

            Thread resume = new Thread(() -> {
                try {
                    Thread.sleep(1500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                applying.set(true);
            });
            resume.start();
            VerifyResult live = new VerifyJob(opts.withLive(LiveMode.AUTO, Duration.ofSeconds(30)),
                    ProgressListener.NONE).run();
            resume.join();
            assertThat(live.live()).as("auto finds the stream's position").hasValueSatisfying(
                    l -> assertThat(l).contains("inflight.stream_position"));
            assertThat(live.tables()).allSatisfy(t -> assertThat(t.differences()).isEmpty());
            assertThat(live.outcome()).isEqualTo(VerifyResult.Outcome.EQUAL);
            assertThat(live.resolvedByLag()).isPositive();
        } finally {
            running.set(false);
            applying.set(true);
            writer.join(10_000);
            applier.join(10_000);
        }
        assertThat(failure.get()).isNull();
    }
}
