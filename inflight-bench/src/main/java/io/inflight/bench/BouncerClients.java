package io.inflight.bench;

import io.inflight.testkit.PgBouncer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The application of the cutover benchmark: {@code clients} threads, each with one connection through PgBouncer,
 * committing pgbench-like transactions back to back (an order inserted, an account's balance moved, in one
 * transaction). Each client notes the longest time between two of its commits within a window: that is the write
 * pause as the application sees it. Counters are thread-safe.
 */
final class BouncerClients implements AutoCloseable {

    static final String SCHEMA = """
            CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
            CREATE TABLE orders (id bigserial PRIMARY KEY, client int NOT NULL, account int NOT NULL,
                                 amount bigint NOT NULL, placed_at timestamptz NOT NULL DEFAULT now());
            """;

    private final PgBouncer bouncer;
    private final String database;
    private final String user;
    private final String password;
    private final int accounts;
    private final List<Thread> threads = new ArrayList<>();
    private final long[] longestGapNanos;
    private final long[] lastCommitNanos;
    private final AtomicLong commits = new AtomicLong();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    BouncerClients(PgBouncer bouncer, String database, String user, String password, int clients, int accounts) {
        this.bouncer = bouncer;
        this.database = database;
        this.user = user;
        this.password = password;
        this.accounts = accounts;
        this.longestGapNanos = new long[clients];
        this.lastCommitNanos = new long[clients];
        for (int i = 0; i < clients; i++) {
            int client = i;
            Thread t = new Thread(() -> loop(client), "bench-client-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    private void loop(int client) {
        try (Connection c = bouncer.connect(database, user, password);
             PreparedStatement order = c.prepareStatement("INSERT INTO orders (client, account, amount)"
                     + " VALUES (?, ?, ?)");
             PreparedStatement move = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
            c.setAutoCommit(false);
            while (running) {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                int account = 1 + r.nextInt(accounts);
                long amount = r.nextLong(-5000, 5000);
                try {
                    order.setInt(1, client);
                    order.setInt(2, account);
                    order.setLong(3, amount);
                    order.executeUpdate();
                    move.setLong(1, amount);
                    move.setInt(2, account);
                    move.executeUpdate();
                    c.commit();
                    long now = System.nanoTime();
                    synchronized (this) {
                        if (lastCommitNanos[client] != 0) {
                            longestGapNanos[client] = Math.max(longestGapNanos[client], now - lastCommitNanos[client]);
                        }
                        lastCommitNanos[client] = now;
                    }
                    commits.incrementAndGet();
                } catch (SQLException e) {
                    failures.add(e.getSQLState() + " " + e.getMessage());
                    try {
                        c.rollback();
                    } catch (SQLException ignored) {
                        // the failure is counted
                    }
                }
            }
        } catch (SQLException e) {
            failures.add("connection: " + e.getSQLState() + " " + e.getMessage());
        }
    }

    /** Starts a window: the longest gaps are forgotten. */
    synchronized void resetGaps() {
        java.util.Arrays.fill(longestGapNanos, 0);
    }

    /** Each client's longest time between two commits since {@link #resetGaps}, in milliseconds. */
    synchronized List<Double> longestGapsMillis() {
        List<Double> out = new ArrayList<>();
        for (long g : longestGapNanos) {
            out.add(g / 1e6);
        }
        return out;
    }

    long commits() {
        return commits.get();
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    /** How many orders the clients were told were committed, by a count on {@code c} of the rows they wrote. */
    static long orders(Connection c) throws SQLException {
        try (var s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Stops after each client's transaction in flight. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(30_000);
        }
    }
}
