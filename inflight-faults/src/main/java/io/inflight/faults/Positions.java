package io.inflight.faults;

import io.inflight.core.Identifiers;
import io.inflight.core.Lsn;
import io.inflight.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * What the suite reads straight from the databases, never through Inflight: the migration's phase and the
 * position the target holds (on the target), the WAL position and the slot's confirmed position (on the source).
 * A database that cannot be reached at the moment (restarting under a fault) reads as empty.
 */
final class Positions {

    private Positions() {
    }

    /** {@code inflight.migration.phase}, empty before the migration is recorded. */
    static Optional<String> phase(PostgresServer target, String db) {
        return query(target, db, "SELECT phase FROM inflight.migration");
    }

    /**
     * The source position the target holds every change up to: the stream's stored position, else (before the
     * stream's first commit) the clone's consistent point; empty while no consistent point is recorded.
     */
    static Optional<Lsn> held(PostgresServer target, String db) {
        return query(target, db, "SELECT coalesce((SELECT applied_lsn FROM inflight.stream_position),"
                + " (SELECT nullif(consistent_lsn, '0/0') FROM inflight.migration))::text").map(Lsn::parse);
    }

    /** The stream's stored position alone. */
    static Optional<Lsn> applied(PostgresServer target, String db) {
        return query(target, db, "SELECT applied_lsn::text FROM inflight.stream_position").map(Lsn::parse);
    }

    /** The slot's {@code confirmed_flush_lsn} on {@code server}, empty when there is no such slot. */
    static Optional<Lsn> confirmed(PostgresServer server, String db, String slot) {
        return query(server, db, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots"
                + " WHERE slot_name = " + Identifiers.literal(slot)).map(Lsn::parse);
    }

    /** Whether a query on the target database says true (false when it cannot be asked). */
    static boolean holds(PostgresServer target, String db, String sql) {
        return query(target, db, sql).map("t"::equals).orElse(false);
    }

    /** {@code pg_current_wal_insert_lsn()} of the server the flow's writes go to. */
    static Lsn insertPosition(PostgresServer server, String db) throws SQLException {
        try (Connection c = server.connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    private static Optional<String> query(PostgresServer server, String db, String sql) {
        try (Connection c = server.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
        } catch (SQLException e) {
            return Optional.empty();
        }
    }
}
