package io.inflight.faults;

import io.inflight.testkit.ChangeWorkload;
import io.inflight.testkit.PgBouncer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The workload's transactions written the way an application behind PgBouncer writes them: each writer a client
 * connection through PgBouncer, so that a cutover's fence and flip act on it. Conflicts between the writers
 * themselves (deadlock, unique or foreign-key race: SQLSTATE classes 40 and 23) roll back as the application's
 * would; every other failure (a lost connection, a refused or timed-out query, a read-only side) is what a cutover
 * must never cause, and is recorded. Thread-safe to read while it runs.
 */
final class BouncedWriters implements AutoCloseable {

    /** Longer than PgBouncer's own query_wait_timeout (120 s): a query held by a pause fails there first. */
    private static final int SOCKET_TIMEOUT_S = 150;
    private static final int KEPT_MESSAGES = 5;

    private final PgBouncer bouncer;
    private final String database;
    private final String user;
    private final String password;
    /** Only its transactions and its id counter are used: the writers here are this class's own threads. */
    private final ChangeWorkload mix;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> threads = new ArrayList<>();

    private BouncedWriters(PgBouncer bouncer, String database, String user, String password, ChangeWorkload mix) {
        this.bouncer = bouncer;
        this.database = database;
        this.user = user;
        this.password = password;
        this.mix = mix;
    }

    /** Starts {@code writers} client threads through {@code bouncer}'s entry {@code database}. */
    static BouncedWriters start(Workload.Route route, ChangeWorkload mix, int writers, long seed) {
        BouncedWriters w = new BouncedWriters(route.bouncer(), route.database(), route.user(), route.password(), mix);
        for (int i = 0; i < writers; i++) {
            Random random = new Random(seed + i);
            Thread t = new Thread(() -> w.loop(random), "bounced-writer-" + i);
            t.setDaemon(true);
            w.threads.add(t);
            t.start();
        }
        return w;
    }

    long committed() {
        return committed.get();
    }

    /** Client transactions that failed for a reason other than a conflict between the writers. */
    long failed() {
        return failed.get();
    }

    /** The first few of those failures, SQLSTATE and message. */
    List<String> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    private void loop(Random random) {
        while (running.get()) {
            try (Connection c = connect()) {
                c.setAutoCommit(false);
                while (running.get()) {
                    try {
                        mix.transaction(c, random);
                        c.commit();
                        committed.incrementAndGet();
                    } catch (SQLException e) {
                        rollbackQuietly(c);
                        if (!conflict(e)) {
                            fail("a transaction", e);
                            if (c.isClosed() || !c.isValid(5)) {
                                break;
                            }
                        }
                    }
                }
            } catch (SQLException e) {
                fail("connecting", e);
                Pause.millis(200);
            }
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("prepareThreshold", "0"); // transaction pooling: no server-side prepared statements
        p.setProperty("connectTimeout", "10");
        p.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_S));
        return DriverManager.getConnection("jdbc:postgresql://" + bouncer.host() + ":" + bouncer.port() + "/"
                + database, p);
    }

    private static boolean conflict(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("40") || state.startsWith("23"));
    }

    private void fail(String what, SQLException e) {
        failed.incrementAndGet();
        synchronized (failures) {
            if (failures.size() < KEPT_MESSAGES) {
                failures.add(what + ": " + e.getSQLState() + " " + e.getMessage());
            }
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is gone; the loop notices
        }
    }

    /** Stops the writers and waits for them. */
    @Override
    public void close() {
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join(SOCKET_TIMEOUT_S * 1000L + 10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
