package io.inflight.postgres.cutover;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.postgres.checkpoint.StateStore;
import io.inflight.postgres.checkpoint.StreamPosition;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.snapshot.SnapshotSlot;
import io.inflight.postgres.stream.StreamJob;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;

/**
 * What must hold before a switch fences anything, each refused with what to do: the stream into the side writes
 * move to exists and its clone is done, its slot exists, a stream is running and is less than {@code maxLag} behind
 * (these two waived by {@code --force}), that side can be a logical replication source (the stream back needs it),
 * PgBouncer routes the database to the side writes leave, and (cutover only, waived by {@code --force} or
 * {@code --skip-verify-check}) a recent {@code inflight verify} after the clone found both sides equal. Reads only;
 * takes no lock.
 */
final class Preconditions {

    /** The migration record's slot and phase, read without the stream's lock. */
    record Stream(String slot, String publication, String phase, Lsn consistentLsn) {
    }

    private Preconditions() {
    }

    static Stream check(String kind, SwitchOptions o, PgConnector from, PgConnector to) {
        Stream stream = stream(kind, to);
        if ("promoted".equals(stream.phase())) {
            throw refuse(kind.equals("cutover") ? "writes were already cut over to " + to + "; to move them back run"
                    + " inflight rollback" : "writes were already rolled back to " + to);
        }
        if (!Set.of("cloned", "streaming").contains(stream.phase())) {
            throw refuse("the clone into " + to + " has not finished (phase '" + stream.phase() + "'); finish it with"
                    + " inflight clone, stream, then run inflight " + kind);
        }
        if (SnapshotSlot.find(from, stream.slot()).isEmpty()) {
            throw refuse("replication slot '" + stream.slot() + "' is missing on " + from + ", so changes written"
                    + " there cannot reach " + to + "; the " + kind + " cannot be done safely");
        }
        try (Connection t = to.open()) {
            String walLevel = scalar(t, "SHOW wal_level");
            if (!"logical".equals(walLevel)) {
                throw refuse(to + " has wal_level = " + walLevel + ": the stream back into " + from + " needs"
                        + " wal_level = logical there (set it and restart that server), so that " + from
                        + " stays a live fallback");
            }
            if (!o.force()) {
                if (!StateStore.isLocked(t)) {
                    throw refuse("no stream is running into " + to + " (" + streamCommand(kind) + " holds its lock"
                            + " while it runs); start it and let it catch up, or pass --force to let the " + kind
                            + " catch up by itself");
                }
                Lsn applied = StreamPosition.read(t).map(StreamPosition::appliedLsn).orElse(stream.consistentLsn());
                Lsn now = StreamJob.sourcePosition(from.endpoint());
                long lag = Math.max(0, now.bytesAfter(applied));
                if (lag > o.maxLag()) {
                    throw refuse("the stream into " + to + " is " + lag + " bytes behind " + from + " (applied "
                            + applied + ", source at " + now + "), more than --max-lag " + o.maxLag() + "; wait"
                            + " until it has caught up, or pass --force");
                }
            }
            if (kind.equals("cutover") && o.verifyCheck() && !o.force()) {
                verifiedClean(t, to, o.verifyMaxAge());
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, to, "checking the " + kind + " preconditions");
        }
        o.pgbouncer().ifPresent(pgb -> {
            try (PgBouncerAdmin admin = PgBouncerAdmin.connect(pgb)) {
                PgBouncerAdmin.Entry e = admin.requireEntry(pgb.database());
                boolean toFrom = e.host().equals(from.endpoint().host()) && e.port() == from.endpoint().port();
                boolean toTo = e.host().equals(to.endpoint().host()) && e.port() == to.endpoint().port();
                if (!toFrom && !toTo) {
                    throw refuse(pgb + " routes '" + pgb.database() + "' to " + e.host() + ":" + e.port() + ", which"
                            + " is neither " + from + " nor " + to + "; check --pgbouncer-database");
                }
            }
        });
        return stream;
    }

    /**
     * A cutover needs {@code inflight verify} to have compared both sides, after the clone, within {@code maxAge},
     * and found no difference: its last finished run in {@code inflight.verify_run} on the target.
     */
    static void verifiedClean(Connection t, PgConnector to, Duration maxAge) throws SQLException {
        String advice = "; run inflight verify first (with the stream running), or pass --skip-verify-check (or"
                + " --force) to cut over without it";
        if (!"t".equals(scalar(t, "SELECT (to_regclass('inflight.verify_run') IS NOT NULL)::text").substring(0, 1))) {
            throw refuse("no inflight verify has compared " + to + " with its source" + advice);
        }
        String sql = """
                SELECT r.run_id, r.finished_at::text,
                       extract(epoch FROM now() - r.finished_at)::bigint,
                       r.started_at >= coalesce((SELECT max(finished_at) FROM inflight.table_state), '-infinity'),
                       (SELECT count(*) FROM inflight.verify_table v WHERE v.run_id = r.run_id),
                       (SELECT count(*) FROM inflight.verify_table v WHERE v.run_id = r.run_id
                           AND v.status <> 'EQUAL'),
                       (SELECT string_agg(format('%I.%I', v.schema_name, v.table_name), ', ')
                          FROM inflight.verify_table v WHERE v.run_id = r.run_id AND v.status <> 'EQUAL')
                  FROM inflight.verify_run r WHERE r.finished_at IS NOT NULL
                 ORDER BY r.run_id DESC LIMIT 1""";
        try (Statement s = t.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw refuse("no inflight verify of " + to + " has finished" + advice);
            }
            long run = rs.getLong(1);
            String when = rs.getString(2);
            long ageSeconds = rs.getLong(3);
            if (!rs.getBoolean(4)) {
                throw refuse("the last inflight verify of " + to + " (run " + run + ", finished " + when + ") began"
                        + " before the clone finished copying" + advice);
            }
            if (ageSeconds > maxAge.toSeconds()) {
                throw refuse("the last inflight verify of " + to + " (run " + run + ") finished " + when + ", more"
                        + " than --verify-max-age " + maxAge.toHours() + " h (" + maxAge.toSeconds() + " s) ago"
                        + advice);
            }
            if (rs.getLong(5) == 0) {
                throw refuse("the last inflight verify of " + to + " (run " + run + ") compared no table" + advice);
            }
            if (rs.getLong(6) > 0) {
                throw refuse("the last inflight verify of " + to + " (run " + run + ", finished " + when + ") found"
                        + " differences or left tables uncompared: " + rs.getString(7) + "; fix them and run"
                        + " inflight verify again, or pass --skip-verify-check (or --force) to cut over anyway");
            }
        }
    }

    /** The stream into {@code to}: its migration record, read without its lock. */
    static Stream stream(String kind, PgConnector to) {
        try (Connection c = to.open()) {
            if (!"t".equals(scalar(c, "SELECT (to_regclass('inflight.migration') IS NOT NULL)::text")
                    .substring(0, 1))) {
                throw refuse(kind.equals("cutover") ? to + " holds no migration: run inflight clone (and stream)"
                        + " first" : to + " holds no stream back from the new primary: nothing was cut over, so there"
                        + " is nothing to roll back");
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT slot_name, publication,"
                    + " phase, consistent_lsn::text FROM inflight.migration")) {
                if (!rs.next()) {
                    throw refuse(to + " holds no migration record: run inflight clone first");
                }
                return new Stream(rs.getString(1), rs.getString(2), rs.getString(3), Lsn.parse(rs.getString(4)));
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, to, "reading the migration record");
        }
    }

    private static String streamCommand(String kind) {
        return kind.equals("cutover") ? "inflight stream" : "inflight stream --reverse";
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static InflightException refuse(String message) {
        return new InflightException(ErrorCode.INVALID_CONFIGURATION, message);
    }
}
