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
        String sql = """
                SELECT greatest(
                         (SELECT max(latest_end_lsn) FROM pg_stat_subscription st WHERE st.subid = s.oid AND st.relid IS NULL),
                         (SELECT remote_lsn FROM pg_replication_origin_status o WHERE o.external_id = 'pg_' || s.oid))::text
                  FROM pg_subscription s WHERE s.subname = ?
                   AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                """;
        try (PreparedStatement ps = target.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    return Optional.empty();
                }
                return Optional.of(Lsn.parse(rs.getString(1)));
            }
        }
    }

    @Override
    public String describe() {
        return "subscription " + Identifiers.quote(name);
    }
}
