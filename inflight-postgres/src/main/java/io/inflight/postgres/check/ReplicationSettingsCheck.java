package io.inflight.postgres.check;

import io.inflight.core.ErrorCode;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What creating a logical slot and streaming from it need on the source: {@code wal_level = logical},
 * a free replication slot and a free WAL sender. Each missing one is a separate blocker.
 */
public final class ReplicationSettingsCheck {

    private ReplicationSettingsCheck() {
    }

    public static List<Finding> inspect(Connection c, PgConnector source) {
        String where = "source " + source.endpoint().describe();
        List<Finding> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT current_setting('wal_level'),
                       current_setting('max_replication_slots')::int,
                       (SELECT count(*) FROM pg_replication_slots),
                       current_setting('max_wal_senders')::int,
                       (SELECT count(*) FROM pg_stat_replication)
                """)) {
            rs.next();
            String walLevel = rs.getString(1);
            if (!"logical".equals(walLevel)) {
                out.add(Finding.blocker(ErrorCode.LOGICAL_REPLICATION_DISABLED, "wal_level", "wal_level",
                        where + " has wal_level = " + walLevel + ": logical replication needs wal_level = logical",
                        "Run ALTER SYSTEM SET wal_level = logical; on the source and restart it (on managed services:"
                                + " set the parameter group's rds.logical_replication / cloudsql.logical_decoding flag)"));
            }
            int maxSlots = rs.getInt(2);
            long usedSlots = rs.getLong(3);
            if (usedSlots >= maxSlots) {
                out.add(Finding.blocker(ErrorCode.REPLICATION_SLOTS_EXHAUSTED, "replication slots",
                        "max_replication_slots", where + " has no free replication slot (max_replication_slots = "
                                + maxSlots + ", " + usedSlots + " in use)",
                        "Drop an unused one (SELECT slot_name, active FROM pg_replication_slots; SELECT"
                                + " pg_drop_replication_slot('name');) or raise max_replication_slots and restart the"
                                + " source"));
            } else {
                out.add(Finding.info("replication slots", "max_replication_slots", (maxSlots - usedSlots)
                        + " of " + maxSlots + " replication slots free on the source"));
            }
            int maxSenders = rs.getInt(4);
            long usedSenders = rs.getLong(5);
            if (usedSenders >= maxSenders) {
                out.add(Finding.blocker(ErrorCode.REPLICATION_SLOTS_EXHAUSTED, "wal senders", "max_wal_senders",
                        where + " has no free WAL sender (max_wal_senders = " + maxSenders + ", " + usedSenders
                                + " in use)", "Raise max_wal_senders and restart the source"));
            } else {
                out.add(Finding.info("wal senders", "max_wal_senders", (maxSenders - usedSenders) + " of "
                        + maxSenders + " WAL senders free on the source"));
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "checking replication settings");
        }
        return out;
    }
}
