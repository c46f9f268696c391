package io.inflight.postgres.checkpoint;

import io.inflight.core.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * How far the stream has applied the source: the end LSN of the last source transaction whose changes are
 * committed on the target, and that transaction's commit time on the source. Written in the same target
 * transaction as the rows it covers, so after any crash it says exactly which source transactions the
 * target holds.
 *
 * <p>Reading takes no lock, so another process (verify, status, cutover) may read it while a stream runs.
 *
 * @param changesApplied   row changes the stream has applied since the migration began
 * @param changesPerSecond the stream's apply rate over its last seconds, as of {@code updatedAt}
 */
public record StreamPosition(Lsn appliedLsn, Optional<Instant> appliedCommitTime, Instant updatedAt,
                             long changesApplied, Optional<Double> changesPerSecond) {

    /** The position stored on the target, empty before the stream's first commit or before any migration. */
    public static Optional<StreamPosition> read(Connection target) throws SQLException {
        String sql = "SELECT applied_lsn::text, applied_commit_time, updated_at, changes_applied, changes_per_second"
                + " FROM inflight.stream_position";
        try (Statement s = target.createStatement()) {
            try (ResultSet exists = s.executeQuery("SELECT to_regclass('inflight.stream_position') IS NOT NULL")) {
                exists.next();
                if (!exists.getBoolean(1)) {
                    return Optional.empty();
                }
            }
            try (ResultSet rs = s.executeQuery(sql)) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                OffsetDateTime commit = rs.getObject(2, OffsetDateTime.class);
                double rate = rs.getDouble(5);
                Optional<Double> perSecond = rs.wasNull() ? Optional.empty() : Optional.of(rate);
                return Optional.of(new StreamPosition(Lsn.parse(rs.getString(1)),
                        Optional.ofNullable(commit).map(OffsetDateTime::toInstant),
                        rs.getObject(3, OffsetDateTime.class).toInstant(), rs.getLong(4), perSecond));
            }
        }
    }

    /**
     * In the caller's transaction, the one holding the rows of the source transactions up to
     * {@code appliedLsn}: records the new position, adds the transaction's {@code changes} to the total and
     * notes the current rate.
     */
    public static void write(Connection tx, Lsn appliedLsn, Instant commitTime, long changes, double perSecond)
            throws SQLException {
        try (PreparedStatement ps = tx.prepareStatement("INSERT INTO inflight.stream_position"
                + " (applied_lsn, applied_commit_time, changes_applied, changes_per_second) VALUES (?::pg_lsn, ?, ?, ?)"
                + " ON CONFLICT (singleton) DO UPDATE SET applied_lsn = excluded.applied_lsn,"
                + " applied_commit_time = excluded.applied_commit_time,"
                + " changes_applied = inflight.stream_position.changes_applied + excluded.changes_applied,"
                + " changes_per_second = excluded.changes_per_second, updated_at = now()")) {
            ps.setString(1, appliedLsn.toString());
            ps.setObject(2, commitTime == null ? null : OffsetDateTime.ofInstant(commitTime, ZoneOffset.UTC));
            ps.setLong(3, changes);
            ps.setDouble(4, perSecond);
            ps.executeUpdate();
        }
    }
}
