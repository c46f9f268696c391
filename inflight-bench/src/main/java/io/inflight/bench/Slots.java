package io.inflight.bench;

import io.inflight.core.Identifiers;
import io.inflight.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/** Replication slots on the source, as the benchmark watches them. */
final class Slots {

    private static final Duration INACTIVE_LIMIT = Duration.ofSeconds(60);

    private Slots() {
    }

    /** Waits until no walsender holds {@code slot}: its applier has really stopped reading. */
    static void awaitInactive(PostgresServer source, String database, String slot) {
        long deadline = System.nanoTime() + INACTIVE_LIMIT.toNanos();
        try (Connection c = source.connect(database); Statement s = c.createStatement()) {
            while (true) {
                try (ResultSet rs = s.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = "
                        + Identifiers.literal(slot))) {
                    if (!rs.next()) {
                        throw new IllegalStateException("slot " + slot + " does not exist on the source");
                    }
                    if (!rs.getBoolean(1)) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("slot " + slot + " is still in use " + INACTIVE_LIMIT.toSeconds()
                            + " s after its applier was stopped");
                }
                Thread.sleep(50);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("watching slot " + slot + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
