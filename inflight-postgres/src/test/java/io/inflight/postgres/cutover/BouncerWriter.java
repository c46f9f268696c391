package io.inflight.postgres.cutover;

import io.inflight.testkit.PgBouncer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An application client writing continuously through PgBouncer: each transaction inserts an order and, every
 * third one, also bumps a counter in the same transaction. Keeps the ids it was told were committed, every failure,
 * and how long its slowest transaction took (the write pause it saw).
 */
final class BouncerWriter implements AutoCloseable {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BouncerWriter.class);

    private final PgBouncer bouncer;
    private final String db;
    private final String user;
    private final String password;
    private final Thread thread;
    private final ConcurrentSkipListSet<Long> acked = new ConcurrentSkipListSet<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final AtomicLong maxLatencyNanos = new AtomicLong();
    /** The longest time between two successful commits: the write pause as the application sees it. */
    private final AtomicLong maxGapNanos = new AtomicLong();
    private volatile long lastCommitNanos;
    private final AtomicLong counterBumps = new AtomicLong();
    private final AtomicReference<Throwable> crash = new AtomicReference<>();
    private volatile boolean held;
    private volatile boolean idle;
    private volatile boolean stop;

    BouncerWriter(PgBouncer bouncer, String db, String user, String password) {
        this.bouncer = bouncer;
        this.db = db;
        this.user = user;
        this.password = password;
        this.thread = new Thread(this::loop, "bouncer-writer");
        thread.start();
    }

    private void loop() {
        try (Connection c = bouncer.connect(db, user, password)) {
            long k = 0;
            while (!stop) {
                if (held) {
                    idle = true;
                    Thread.sleep(5);
                    continue;
                }
                idle = false;
                k++;
                long t0 = System.nanoTime();
                try {
                    boolean bump = k % 3 == 0;
                    c.setAutoCommit(!bump);
                    long id;
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (client, n, note) VALUES"
                            + " ('writer', ?, repeat('x', 50)) RETURNING id")) {
                        ps.setLong(1, k);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            id = rs.getLong(1);
                        }
                    }
                    if (bump) {
                        try (Statement s = c.createStatement()) {
                            s.executeUpdate("UPDATE counters SET total = total + 1 WHERE client = 'writer'");
                        }
                        c.commit();
                        counterBumps.incrementAndGet();
                    }
                    acked.add(id);
                    long now = System.nanoTime();
                    if (lastCommitNanos != 0) {
                        maxGapNanos.accumulateAndGet(now - lastCommitNanos, Math::max);
                        if (now - lastCommitNanos > 200_000_000L) {
                            log.info("no commit for {} ms until now", (now - lastCommitNanos) / 1_000_000);
                        }
                    }
                    lastCommitNanos = now;
                } catch (SQLException e) {
                    failures.add(e.getSQLState() + " " + e.getMessage());
                    try {
                        if (!c.getAutoCommit()) {
                            c.rollback();
                        }
                    } catch (SQLException ignored) {
                        // the failure is what counts
                    }
                }
                long took = System.nanoTime() - t0;
                maxLatencyNanos.accumulateAndGet(took, Math::max);

                Thread.sleep(1);
            }
        } catch (Throwable t) {
            crash.set(t);
        }
    }

    /** Stops writing after the current transaction and waits until it ended. */
    void hold() throws InterruptedException {
        held = true;
        while (!idle && thread.isAlive()) {
            Thread.sleep(2);
        }
    }

    void release() {
        lastCommitNanos = 0; // a hold is no pause
        idle = false;
        held = false;
    }

    void awaitMore(int n) throws InterruptedException {
        int want = acked.size() + n;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (acked.size() < want) {
            if (System.nanoTime() > deadline || !thread.isAlive()) {
                throw new AssertionError("the writer committed " + acked.size() + " of " + want + " transactions;"
                        + " failures " + failures + ", crash " + crash.get());
            }
            Thread.sleep(5);
        }
    }

    void resetMaxLatency() {
        maxLatencyNanos.set(0);
        maxGapNanos.set(0);
    }

    long maxGapMillis() {
        return maxGapNanos.get() / 1_000_000;
    }

    long maxLatencyMillis() {
        return maxLatencyNanos.get() / 1_000_000;
    }

    ConcurrentSkipListSet<Long> acked() {
        return acked;
    }

    long counterBumps() {
        return counterBumps.get();
    }

    List<String> failures() {
        return failures;
    }

    Throwable crash() {
        return crash.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        held = false;
        thread.join(30_000);
    }
}
