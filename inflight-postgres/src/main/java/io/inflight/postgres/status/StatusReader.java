package io.inflight.postgres.status;

import io.inflight.core.Endpoint;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.postgres.checkpoint.StreamPosition;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.connect.Side;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a {@link MigrationStatus} without taking the migration's lock, so it works while a run holds it. The
 * target must be reachable (the state is there); the source is optional.
 */
public final class StatusReader {

    private StatusReader() {
    }

    public static MigrationStatus read(Endpoint source, Endpoint target) {
        PgConnector tgt = new PgConnector(Side.TARGET, target);
        try (Connection c = tgt.open()) {
            if (!stateExists(c)) {
                return none();
            }
            try (Statement s = c.createStatement();
                 ResultSet m = s.executeQuery("SELECT phase, slot_name, publication, consistent_lsn::text, started_at,"
                         + " updated_at FROM inflight.migration")) {
                if (!m.next()) {
                    return none();
                }
                String slot = m.getString(2);
                Optional<StreamPosition> position = StreamPosition.read(c);
                Optional<MigrationStatus.SourceSide> src = Optional.empty();
                Optional<String> srcError = Optional.empty();
                try {
                    src = Optional.of(source(new PgConnector(Side.SOURCE, source), slot));
                } catch (InflightException e) {
                    srcError = Optional.of(e.getMessage());
                }
                return new MigrationStatus(true, m.getString(1), slot, m.getString(3), Lsn.parse(m.getString(4)),
                        instant(m, 5), instant(m, 6), tables(c), position.map(StreamPosition::appliedLsn),
                        position.flatMap(StreamPosition::appliedCommitTime), position.map(StreamPosition::updatedAt),
                        src, srcError, lastVerify(c), position.map(StreamPosition::changesApplied).orElse(0L),
                        position.flatMap(StreamPosition::changesPerSecond));
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, tgt, "reading the migration state");
        }
    }

    private static MigrationStatus none() {
        return new MigrationStatus(false, "none", null, null, Lsn.INVALID, null, null, List.of(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 0,
                Optional.empty());
    }

    private static Optional<MigrationStatus.VerifySummary> lastVerify(Connection c) throws SQLException {
        String sql = """
                SELECT r.run_id, r.started_at, r.finished_at, count(t.table_name)::int,
                       (count(*) FILTER (WHERE t.status = 'DIFFERS'))::int,
                       (count(*) FILTER (WHERE t.status = 'NOT_COMPARED'))::int,
                       coalesce(sum(t.missing), 0)::bigint, coalesce(sum(t.extra), 0)::bigint,
                       coalesce(sum(t.differing), 0)::bigint, coalesce(sum(t.resolved_by_lag), 0)::bigint
                FROM inflight.verify_run r LEFT JOIN inflight.verify_table t USING (run_id)
                WHERE r.run_id = (SELECT max(run_id) FROM inflight.verify_run)
                GROUP BY r.run_id, r.started_at, r.finished_at""";
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT to_regclass('inflight.verify_table') IS NOT NULL")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return Optional.empty();
                }
            }
            try (ResultSet rs = s.executeQuery(sql)) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new MigrationStatus.VerifySummary(rs.getLong(1), instant(rs, 2),
                        Optional.ofNullable(instant(rs, 3)), rs.getInt(4), rs.getInt(5), rs.getInt(6), rs.getLong(7),
                        rs.getLong(8), rs.getLong(9), rs.getLong(10)));
            }
        }
    }

    private static boolean stateExists(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT to_regclass('inflight.migration') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static List<MigrationStatus.TableCopy> tables(Connection c) throws SQLException {
        List<MigrationStatus.TableCopy> out = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT format('%I.%I', schema_name, table_name), status, rows_copied,"
                     + " bytes_copied, attempts, started_at FROM inflight.table_state ORDER BY schema_name, table_name")) {
            while (rs.next()) {
                out.add(new MigrationStatus.TableCopy(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                        rs.getInt(5), Optional.ofNullable(instant(rs, 6))));
            }
        }
        return out;
    }

    private static MigrationStatus.SourceSide source(PgConnector source, String slot) {
        String sql = "SELECT pg_current_wal_insert_lsn()::text, s.slot_name IS NOT NULL, coalesce(s.active, false),"
                + " s.confirmed_flush_lsn::text,"
                + " coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn), 0)::bigint"
                + " FROM (SELECT 1) one LEFT JOIN pg_replication_slots s ON s.slot_name = ?";
        try (Connection c = source.open(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new MigrationStatus.SourceSide(Lsn.parse(rs.getString(1)), rs.getBoolean(2), rs.getBoolean(3),
                        Optional.ofNullable(rs.getString(4)).map(Lsn::parse), rs.getLong(5));
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "reading the slot's position");
        }
    }

    private static Instant instant(ResultSet rs, int col) throws SQLException {
        OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
