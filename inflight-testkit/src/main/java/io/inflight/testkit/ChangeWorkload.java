package io.inflight.testkit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A write load that exercises what change data capture gets wrong: parents and children inserted in one
 * transaction, updates that leave TOASTed columns alone, primary-key changes, unique values swapped inside a
 * transaction, deletes, TRUNCATE, cyclic foreign keys checked at commit, a table with REPLICA IDENTITY FULL and
 * no key (duplicate rows), one with REPLICA IDENTITY USING INDEX, and medium-sized transactions.
 *
 * <p>{@link #start} runs it on background threads until {@link #close()}; transactions that fail (deadlock,
 * unique race between the writers) roll back and count as failed, like an application's would.
 */
public final class ChangeWorkload implements AutoCloseable {

    /** The schema, in the order to create it (in a database of its own). */
    public static final List<String> SCHEMA = List.of(
            "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, balance numeric(14,2) NOT NULL,"
                    + " doc text, flags boolean[], updated timestamptz NOT NULL DEFAULT now())",
            "CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts,"
                    + " total numeric(12,2), attrs jsonb, at date)",
            "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price double precision)",
            "CREATE TABLE ring_a (id int PRIMARY KEY, b_id int NOT NULL)",
            "CREATE TABLE ring_b (id int PRIMARY KEY, a_id int NOT NULL REFERENCES ring_a DEFERRABLE INITIALLY DEFERRED)",
            "ALTER TABLE ring_a ADD FOREIGN KEY (b_id) REFERENCES ring_b DEFERRABLE INITIALLY DEFERRED",
            "CREATE TABLE ledger (account text, amount numeric, note text)",
            "ALTER TABLE ledger REPLICA IDENTITY FULL",
            "CREATE TABLE codes (id int PRIMARY KEY, code text NOT NULL, v int)",
            "CREATE UNIQUE INDEX codes_code ON codes (code)",
            "ALTER TABLE codes REPLICA IDENTITY USING INDEX codes_code",
            "CREATE TABLE scratch (id int PRIMARY KEY, v text)",
            "CREATE TABLE bulk (id bigint PRIMARY KEY, v int, pad text)");

    /** Every table, schema-qualified, for comparing both sides. */
    public static final List<String> TABLES = List.of("public.accounts", "public.orders", "public.items",
            "public.ring_a", "public.ring_b", "public.ledger", "public.codes", "public.scratch", "public.bulk");

    private final PostgresServer server;
    private final String database;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong ids = new AtomicLong(10_000_000);
    private final List<Thread> threads = new ArrayList<>();
    private volatile Throwable fatal;

    private ChangeWorkload(PostgresServer server, String database) {
        this.server = server;
        this.database = database;
    }

    /** Creates the schema and a starting data set of {@code accounts} accounts (with orders, items, ...). */
    public static void create(PostgresServer server, String database, int accounts) {
        server.execute(database, SCHEMA.toArray(String[]::new));
        server.execute(database,
                "INSERT INTO accounts (id, email, balance, doc, flags) SELECT g, 'a' || g || '@example.com', g % 997,"
                        + " CASE WHEN g % 10 = 0 THEN (SELECT string_agg(md5(g::text || x::text), '')"
                        + " FROM generate_series(1, 400) x) END, ARRAY[g % 2 = 0, NULL] FROM generate_series(1, "
                        + accounts + ") g",
                "INSERT INTO orders SELECT g, 1 + g % " + accounts + ", g % 500 + 0.5, jsonb_build_object('n', g,"
                        + " 'tags', jsonb_build_array('x', g % 3)), date '2024-01-01' + g % 300"
                        + " FROM generate_series(1, " + (accounts * 3) + ") g",
                "INSERT INTO items SELECT g, 'item ' || g, g / 3.0 FROM generate_series(1, " + accounts + ") g",
                "BEGIN; INSERT INTO ring_a SELECT g, g FROM generate_series(1, 100) g;"
                        + " INSERT INTO ring_b SELECT g, g FROM generate_series(1, 100) g; COMMIT",
                "INSERT INTO ledger SELECT 'acc' || (g % 50), g % 7, CASE WHEN g % 3 = 0 THEN 'dup' END"
                        + " FROM generate_series(1, 2000) g",
                "INSERT INTO codes SELECT g, 'c' || g, g FROM generate_series(1, 1000) g",
                "INSERT INTO scratch SELECT g, 's' || g FROM generate_series(1, 500) g",
                "INSERT INTO bulk SELECT g, g, 'p' FROM generate_series(1, 5000) g",
                "ANALYZE");
    }

    /** Starts {@code writers} threads writing random transactions. */
    public static ChangeWorkload start(PostgresServer server, String database, int writers, long seed) {
        return start(server, database, writers, seed, 10_000_000);
    }

    /**
     * As {@link #start(PostgresServer, String, int, long)}, with new rows' ids counting up from {@code firstId}:
     * a workload started again on the same database after an earlier one stopped must not reuse its ids.
     */
    public static ChangeWorkload start(PostgresServer server, String database, int writers, long seed, long firstId) {
        ChangeWorkload w = new ChangeWorkload(server, database);
        w.ids.set(firstId);
        for (int i = 0; i < writers; i++) {
            Random random = new Random(seed + i);
            Thread t = new Thread(() -> w.loop(random), "workload-" + i);
            t.setDaemon(true);
            w.threads.add(t);
            t.start();
        }
        return w;
    }

    public long committed() {
        return committed.get();
    }

    public long failed() {
        return failed.get();
    }

    /** Waits until at least {@code n} transactions have committed. */
    public void awaitCommitted(long n) throws InterruptedException {
        while (committed.get() < n) {
            if (fatal != null) {
                throw new IllegalStateException("workload failed", fatal);
            }
            Thread.sleep(20);
        }
    }

    private void loop(Random random) {
        while (running.get()) {
            try (Connection c = server.connect(database)) {
                c.setAutoCommit(false);
                while (running.get()) {
                    try {
                        transaction(c, random);
                        c.commit();
                        committed.incrementAndGet();
                    } catch (SQLException e) {
                        c.rollback();
                        failed.incrementAndGet();
                    }
                }
            } catch (SQLException e) {
                // the server restarted under a fault test: reconnect and go on
                failed.incrementAndGet();
                sleepQuietly(200);
            } catch (RuntimeException e) {
                fatal = e;
                return;
            }
        }
    }

    /** One random transaction of the mix. */
    public void transaction(Connection c, Random r) throws SQLException {
        int kind = r.nextInt(100);
        try (Statement s = c.createStatement()) {
            if (kind < 20) {
                long id = ids.incrementAndGet();
                s.execute("INSERT INTO accounts (id, email, balance, flags) VALUES (" + id + ", 'n" + id
                        + "@example.com', " + r.nextInt(10_000) + ".25, ARRAY[true])");
                for (int i = 0; i < 1 + r.nextInt(3); i++) {
                    s.execute("INSERT INTO orders VALUES (" + ids.incrementAndGet() + ", " + id + ", " + r.nextInt(900)
                            + ".10, '{\"new\": true, \"n\": " + i + "}', current_date)");
                }
            } else if (kind < 40) {
                // leaves doc (TOASTed for every tenth account) unchanged: the stream sends it as "unchanged"
                s.execute("UPDATE accounts SET balance = balance + 1, updated = now() WHERE id = " + anyAccount(r));
            } else if (kind < 45) {
                s.execute("UPDATE accounts SET doc = (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 300))"
                        + " WHERE id = " + anyAccount(r));
            } else if (kind < 50) {
                // a unique column swapped between two rows in three steps, as an application would
                long a = anyAccount(r);
                long b = anyAccount(r);
                String ea = email(s, a);
                String eb = email(s, b);
                if (a != b && ea != null && eb != null) {
                    s.execute("UPDATE accounts SET email = 'swap-' || id WHERE id = " + a);
                    try (PreparedStatement ps = c.prepareStatement("UPDATE accounts SET email = ? WHERE id = ?")) {
                        ps.setString(1, ea);
                        ps.setLong(2, b);
                        ps.executeUpdate();
                        ps.setString(1, eb);
                        ps.setLong(2, a);
                        ps.executeUpdate();
                    }
                }
            } else if (kind < 58) {
                s.execute("DELETE FROM orders WHERE id = (SELECT id FROM orders WHERE id >= " + r.nextInt(40_000)
                        + " ORDER BY id LIMIT 1)");
            } else if (kind < 62) {
                long a = anyAccount(r);
                s.execute("DELETE FROM orders WHERE account_id = " + a);
                s.execute("DELETE FROM accounts WHERE id = " + a);
            } else if (kind < 68) {
                // primary key change
                s.execute("UPDATE items SET id = id + 1000000000, price = price * 2 WHERE id = (SELECT id FROM items"
                        + " WHERE id >= " + r.nextInt(20_000) + " AND id < 1000000000 ORDER BY id LIMIT 1)");
            } else if (kind < 72) {
                int id = 1000 + (int) (ids.incrementAndGet() % 1_000_000);
                s.execute("INSERT INTO ring_a VALUES (" + id + ", " + id + ") ON CONFLICT DO NOTHING");
                s.execute("INSERT INTO ring_b VALUES (" + id + ", " + id + ") ON CONFLICT DO NOTHING");
            } else if (kind < 80) {
                int op = r.nextInt(3);
                if (op == 0) {
                    s.execute("INSERT INTO ledger VALUES ('acc" + r.nextInt(50) + "', " + r.nextInt(7) + ", 'dup')");
                } else if (op == 1) {
                    s.execute("UPDATE ledger SET note = 'seen' WHERE ctid = (SELECT ctid FROM ledger WHERE account = 'acc"
                            + r.nextInt(50) + "' LIMIT 1)");
                } else {
                    s.execute("DELETE FROM ledger WHERE ctid = (SELECT ctid FROM ledger WHERE account = 'acc"
                            + r.nextInt(50) + "' LIMIT 1)");
                }
            } else if (kind < 88) {
                int id = 1 + r.nextInt(1000);
                s.execute("UPDATE codes SET code = 'c" + id + "-" + r.nextInt(1_000_000) + "', v = v + 1 WHERE id = " + id);
            } else if (kind < 90) {
                s.execute("TRUNCATE scratch");
                s.execute("INSERT INTO scratch SELECT g, md5(random()::text) FROM generate_series(1, " + r.nextInt(50)
                        + ") g");
            } else if (kind < 96) {
                s.execute("INSERT INTO scratch VALUES (" + (100_000 + ids.incrementAndGet() % 1_000_000)
                        + ", 'x') ON CONFLICT (id) DO UPDATE SET v = excluded.v || '+'");
            } else {
                long base = ids.addAndGet(2000);
                // Set-sized runs (COPY, array parameters), some values holding what COPY escapes and multi-byte text
                s.execute("INSERT INTO bulk SELECT " + base + " + g, g, repeat('b', g % 50) || CASE WHEN g % 7 = 0"
                        + " THEN E'\\t tab \\n nl \\r cr \\\\ bs \\\\N ä日😀' ELSE '' END FROM generate_series(1, 1500) g");
                s.execute("UPDATE bulk SET v = v + 1, pad = CASE WHEN v % 5 = 0 THEN pad || E'\\\\\\t' ELSE pad END"
                        + " WHERE id BETWEEN " + (base + 1) + " AND " + (base + 500));
                s.execute("DELETE FROM bulk WHERE id BETWEEN " + (base + 1000) + " AND " + (base + 1100));
            }
        }
    }

    private static String email(Statement s, long id) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT email FROM accounts WHERE id = " + id)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static long anyAccount(Random r) {
        return 1 + r.nextInt(5000);
    }

    /** {@code table -> fingerprint} of every workload table on one side. */
    public static Map<String, String> fingerprints(Connection c) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String t : TABLES) {
            out.put(t, TableContents.fingerprint(c, t));
        }
        return out;
    }

    /** Stops the writers and waits for them. */
    @Override
    public void close() {
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
