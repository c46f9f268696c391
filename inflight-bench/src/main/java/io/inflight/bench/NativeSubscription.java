package io.inflight.bench;

import io.inflight.core.Identifiers;
import io.inflight.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * PostgreSQL's own logical replication of the pgbench tables into a second target database: a publication
 * on the source, {@code CREATE SUBSCRIPTION} (copy_data = true, every other option at its default) on the
 * target, enabled and disabled with {@code ALTER SUBSCRIPTION}. Its slot on the source is named after the
 * subscription.
 */
final class NativeSubscription {

    static final String NAME = "native_sub";
    private static final String PUBLICATION = "native_pub";
    private static final Duration READY_LIMIT = Duration.ofMinutes(30);

    private final PostgresServer source;
    private final String sourceDatabase;
    private final PostgresServer target;
    private final String targetDatabase;

    NativeSubscription(PostgresServer source, String sourceDatabase, PostgresServer target, String targetDatabase) {
        this.source = source;
        this.sourceDatabase = sourceDatabase;
        this.target = target;
        this.targetDatabase = targetDatabase;
    }

    /** Publishes the four pgbench tables, subscribes, and waits until the initial copy of each is done ('r'). */
    void createAndSync() {
        source.execute(sourceDatabase, "CREATE PUBLICATION " + Identifiers.quote(PUBLICATION) + " FOR TABLE "
                + String.join(", ", PgBench.TABLES.stream().map(Identifiers::quote).toList()));
        String conninfo = "host=" + source.host() + " port=" + source.port() + " dbname=" + sourceDatabase + " user="
                + PostgresServer.SUPERUSER + " password=" + source.password();
        target.execute(targetDatabase, "CREATE SUBSCRIPTION " + Identifiers.quote(NAME) + " CONNECTION "
                + Identifiers.literal(conninfo) + " PUBLICATION " + Identifiers.quote(PUBLICATION) + " WITH (copy_data = true)");
        long deadline = System.nanoTime() + READY_LIMIT.toNanos();
        try (Connection c = target.connect(targetDatabase); Statement s = c.createStatement()) {
            while (true) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE srsubstate <> 'r'), count(*) FROM pg_subscription_rel"
                        + " WHERE srsubid = (SELECT oid FROM pg_subscription WHERE subname = " + Identifiers.literal(NAME) + ")")) {
                    rs.next();
                    if (rs.getLong(1) == 0 && rs.getLong(2) == PgBench.TABLES.size()) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the subscription's initial copy did not finish within "
                            + READY_LIMIT.toMinutes() + " min");
                }
                Thread.sleep(200);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("waiting for the subscription's initial copy: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    void enable() {
        target.execute(targetDatabase, "ALTER SUBSCRIPTION " + Identifiers.quote(NAME) + " ENABLE");
    }

    /** Disables the subscription and waits until its apply worker let go of the slot. */
    void disable() {
        target.execute(targetDatabase, "ALTER SUBSCRIPTION " + Identifiers.quote(NAME) + " DISABLE");
        Slots.awaitInactive(source, sourceDatabase, NAME);
    }

    /** Drops the subscription, and with it its slot on the source. */
    void drop() {
        target.execute(targetDatabase, "DROP SUBSCRIPTION IF EXISTS " + Identifiers.quote(NAME));
    }

    /** SQL on the target giving the end LSN of the last source transaction the subscription committed. */
    static String appliedLsnQuery() {
        return "SELECT remote_lsn::text FROM pg_replication_origin_status WHERE external_id = 'pg_' || "
                + "(SELECT oid FROM pg_subscription WHERE subname = " + Identifiers.literal(NAME) + ")";
    }
}
