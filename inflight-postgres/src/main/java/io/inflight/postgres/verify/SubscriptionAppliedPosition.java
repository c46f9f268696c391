package io.inflight.postgres.verify;

import io.inflight.core.Identifiers;
import io.inflight.core.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A native logical replication subscription on the target. The larger of two positions: the end LSN of the
 * last source transaction the apply worker committed ({@code pg_replication_origin_status.remote_lsn}), and
 * the WAL position the source last reported in a keepalive that the worker processed after applying
 * everything before it ({@code pg_stat_subscription.latest_end_lsn}), which moves on while the source writes
 * nothing the subscription publishes.
 */
final class SubscriptionAppliedPosition implements AppliedPosition {

    private final String name;

    SubscriptionAppliedPosition(String name) {
        this.name = name;
    }

    @Override
    public Optional<Lsn> appliedLsn(Connection target) throws SQLException {
        Optional<Lsn> reported = lsn(target, """
                SELECT max(st.latest_end_lsn)::text FROM pg_stat_subscription st
                  JOIN pg_subscription s ON s.oid = st.subid
                 WHERE s.subname = ? AND st.relid IS NULL
                   AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                """);
        // Only superusers (or roles granted it) may read the origin's position; the keepalive one suffices.
        if (!mayReadOrigins(target)) {
            return reported;
        }
        Optional<Lsn> committed = lsn(target, """
                SELECT o.remote_lsn::text FROM pg_replication_origin_status o
                  JOIN pg_subscription s ON o.external_id = 'pg_' || s.oid
                 WHERE s.subname = ? AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                """);
        if (reported.isEmpty()) {
            return committed;
        }
        return committed.filter(c -> c.compareTo(reported.get()) > 0).or(() -> reported);
    }

    private static boolean mayReadOrigins(Connection target) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement(
                "SELECT has_table_privilege('pg_catalog.pg_replication_origin_status', 'SELECT')");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private Optional<Lsn> lsn(Connection target, String sql) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1) != null ? Optional.of(Lsn.parse(rs.getString(1))) : Optional.empty();
            }
        }
    }

    @Override
    public String describe() {
        return "subscription " + Identifiers.quote(name);
    }
}
