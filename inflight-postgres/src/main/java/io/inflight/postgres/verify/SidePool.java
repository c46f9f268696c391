package io.inflight.postgres.verify;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

/**
 * At most {@code size} connections to one side, opened on demand with {@link SessionSettings} applied, lent
 * out one task at a time. On the source every lease is a read-only transaction: verify never writes there.
 * Thread-safe.
 */
final class SidePool implements AutoCloseable {

    /** Work on one connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final PgConnector connector;
    private final boolean readOnly;
    private final Semaphore permits;
    private final ConcurrentLinkedQueue<Connection> idle = new ConcurrentLinkedQueue<>();
    private final List<Connection> all = new ArrayList<>();

    SidePool(PgConnector connector, int size, boolean readOnly) {
        this.connector = connector;
        this.readOnly = readOnly;
        this.permits = new Semaphore(size, true);
    }

    PgConnector connector() {
        return connector;
    }

    /**
     * Runs {@code work} in a transaction of its own (REPEATABLE READ, so every statement of it sees one
     * snapshot; READ ONLY on the source) and returns what it returned. Blocks while all connections are lent.
     */
    <T> T inTransaction(String doing, Work<T> work) {
        Connection c = borrow();
        boolean healthy = false;
        try {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ" + (readOnly ? ", READ ONLY" : ""));
            }
            T out = work.run(c);
            c.commit();
            c.setAutoCommit(true);
            healthy = true;
            return out;
        } catch (SQLException e) {
            throw PgErrors.translate(e, connector, doing);
        } finally {
            giveBack(c, healthy);
        }
    }

    private Connection borrow() {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InflightException(ErrorCode.INTERRUPTED, "verify was interrupted", e);
        }
        Connection c = idle.poll();
        if (c != null) {
            return c;
        }
        try {
            c = connector.open();
            SessionSettings.apply(c);
            synchronized (all) {
                all.add(c);
            }
            return c;
        } catch (SQLException e) {
            permits.release();
            throw PgErrors.translate(e, connector, "preparing a verify session");
        } catch (RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    private void giveBack(Connection c, boolean healthy) {
        if (healthy) {
            idle.add(c);
        } else {
            // A failed transaction or a broken connection: never lend it again.
            synchronized (all) {
                all.remove(c);
            }
            try {
                c.close();
            } catch (SQLException ignored) {
                // already broken
            }
        }
        permits.release();
    }

    @Override
    public void close() {
        synchronized (all) {
            for (Connection c : all) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // closing anyway
                }
            }
            all.clear();
        }
        idle.clear();
    }
}
