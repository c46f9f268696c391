package io.inflight.cli.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application the demo keeps running on the source: each transaction places an order with one to
 * three items, moves money on an account with a ledger entry, and now and then ships an older order.
 *
 * <p>Runs on its own thread until {@link #stop()}; counters are safe to read from any thread.
 */
final class SourceWriter implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(SourceWriter.class);

    private final Supplier<Connection> connections;
    private final ShopSchema.Size size;
    private final long pauseMicros;
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong inserts = new AtomicLong();
    private final AtomicLong updates = new AtomicLong();
    private final AtomicLong ordersPlaced = new AtomicLong();
    /** The longest time between two commits, and when the last one was: the write pause the application saw. */
    private final AtomicLong maxGapNanos = new AtomicLong();
    private volatile long lastCommitNanos;
    private volatile boolean running = true;
    private volatile Exception failure;
    private Thread thread;

    SourceWriter(Supplier<Connection> connections, ShopSchema.Size size, long pauseMicros) {
        this.connections = connections;
        this.size = size;
        this.pauseMicros = pauseMicros;
    }

    /** The counters at one instant. */
    record Counts(long transactions, long inserts, long updates, long ordersPlaced) {
        Counts minus(Counts earlier) {
            return new Counts(transactions - earlier.transactions, inserts - earlier.inserts,
                    updates - earlier.updates, ordersPlaced - earlier.ordersPlaced);
        }
    }

    void start() {
        thread = new Thread(this, "demo-writer");
        thread.setDaemon(true);
        thread.start();
    }

    Counts counts() {
        return new Counts(transactions.get(), inserts.get(), updates.get(), ordersPlaced.get());
    }

    /** Forgets the longest gap so far: {@link #longestGap} then covers what happens from now on. */
    void resetLongestGap() {
        maxGapNanos.set(0);
    }

    /** The longest time between two of its commits since {@link #resetLongestGap}. */
    java.time.Duration longestGap() {
        return java.time.Duration.ofNanos(maxGapNanos.get());
    }

    /** Stops after the transaction in flight and waits for the thread; rethrows what stopped it early. */
    Counts stop() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        if (failure != null) {
            throw new IllegalStateException("the demo's writer failed: " + failure.getMessage(), failure);
        }
        return counts();
    }

    @Override
    public void run() {
        try (Connection c = connections.get();
             PreparedStatement order = c.prepareStatement("INSERT INTO shop.orders (customer_id, status, total_cents) "
                     + "VALUES (?, 'pending', 0) RETURNING id");
             PreparedStatement item = c.prepareStatement("INSERT INTO shop.order_items "
                     + "(order_id, line_no, product_id, qty, unit_price) "
                     + "SELECT ?, ?, p.id, ?, p.price FROM shop.products p WHERE p.id = ?");
             PreparedStatement total = c.prepareStatement("UPDATE shop.orders SET total_cents = "
                     + "(SELECT (sum(qty * unit_price) * 100)::bigint FROM shop.order_items WHERE order_id = ?) WHERE id = ?");
             PreparedStatement account = c.prepareStatement(
                     "UPDATE shop.accounts SET balance = balance + ? WHERE id = ?");
             PreparedStatement ledger = c.prepareStatement("INSERT INTO shop.ledger_entries "
                     + "(account_id, booked_at, amount, memo) VALUES (?, timestamptz '2024-06-15' + ? * interval '1 second', ?, 'live')");
             PreparedStatement ship = c.prepareStatement(
                     "UPDATE shop.orders SET status = 'shipped' WHERE id = ? AND status = 'paid'")) {
            c.setAutoCommit(false);
            while (running) {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                long customer = 1 + r.nextLong(size.customers());
                order.setLong(1, customer);
                long orderId;
                try (ResultSet rs = order.executeQuery()) {
                    rs.next();
                    orderId = rs.getLong(1);
                }
                int lines = 1 + r.nextInt(3);
                for (int line = 1; line <= lines; line++) {
                    item.setLong(1, orderId);
                    item.setInt(2, line);
                    item.setInt(3, 1 + r.nextInt(5));
                    item.setInt(4, 1 + r.nextInt(size.products()));
                    item.executeUpdate();
                }
                total.setLong(1, orderId);
                total.setLong(2, orderId);
                total.executeUpdate();
                java.math.BigDecimal amount = java.math.BigDecimal.valueOf(1 + r.nextInt(9999), 2);
                account.setBigDecimal(1, amount);
                account.setLong(2, customer);
                account.executeUpdate();
                ledger.setLong(1, customer);
                ledger.setLong(2, r.nextLong(86_400));
                ledger.setBigDecimal(3, amount);
                ledger.executeUpdate();
                ship.setLong(1, 1 + r.nextLong(size.orders()));
                int shipped = ship.executeUpdate();
                c.commit();
                long now = System.nanoTime();
                if (lastCommitNanos != 0) {
                    maxGapNanos.accumulateAndGet(now - lastCommitNanos, Math::max);
                }
                lastCommitNanos = now;
                transactions.incrementAndGet();
                ordersPlaced.incrementAndGet();
                inserts.addAndGet(2L + lines);
                updates.addAndGet(2L + shipped);
                if (pauseMicros > 0) {
                    TimeUnit.MICROSECONDS.sleep(pauseMicros);
                }
            }
        } catch (SQLException | RuntimeException e) {
            failure = e;
            log.warn("the demo's writer stopped: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
