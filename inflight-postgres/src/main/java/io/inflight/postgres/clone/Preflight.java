package io.inflight.postgres.clone;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.TableId;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.schema.TableInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks a clone makes before it changes anything, each failing with its own {@link ErrorCode} and
 * the statement or setting that fixes it. Checks that can list several culprits (tables lacking SELECT)
 * list them all at once, so a user fixes everything in one round.
 */
final class Preflight {

    private Preflight() {
    }

    /** Facts about a server the rest of the clone needs. */
    record ServerInfo(int major, String version, long systemIdentifier) {
    }

    static ServerInfo server(Connection c, PgConnector on) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT current_setting('server_version_num')::int / 10000, current_setting('server_version'),"
                        + " (SELECT system_identifier FROM pg_control_system())")) {
            rs.next();
            return new ServerInfo(rs.getInt(1), rs.getString(2), rs.getLong(3));
        } catch (SQLException e) {
            throw PgErrors.translate(e, on, "reading the server version");
        }
    }

    static void versions(ServerInfo source, ServerInfo target) {
        if (source.major() < 10) {
            throw new InflightException(ErrorCode.UNSUPPORTED, "source PostgreSQL " + source.version()
                    + " is too old: logical replication with pgoutput needs 10 or newer (13+ is tested)");
        }
        if (target.major() < source.major()) {
            throw new InflightException(ErrorCode.UNSUPPORTED, "target PostgreSQL " + target.version()
                    + " is older than the source's " + source.version()
                    + ": Inflight migrates to the same or a newer major version only");
        }
    }

    /** wal_level, free slots and senders, the REPLICATION attribute: what creating the slot needs. */
    static void replication(Connection c, PgConnector source) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT current_setting('wal_level'),
                       current_setting('max_replication_slots')::int,
                       (SELECT count(*) FROM pg_replication_slots),
                       current_setting('max_wal_senders')::int,
                       (SELECT count(*) FROM pg_stat_replication),
                       (SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user)
                """)) {
            rs.next();
            String walLevel = rs.getString(1);
            if (!"logical".equals(walLevel)) {
                throw new InflightException(ErrorCode.LOGICAL_REPLICATION_DISABLED, "source "
                        + source.endpoint().describe() + " has wal_level = " + walLevel
                        + ": logical replication needs wal_level = logical. Run ALTER SYSTEM SET wal_level = logical;"
                        + " on the source and restart it (on managed services: set the parameter group's"
                        + " rds.logical_replication / cloudsql.logical_decoding flag)");
            }
            int maxSlots = rs.getInt(2);
            long usedSlots = rs.getLong(3);
            if (usedSlots >= maxSlots) {
                throw new InflightException(ErrorCode.REPLICATION_SLOTS_EXHAUSTED, "source "
                        + source.endpoint().describe() + " has no free replication slot (max_replication_slots = "
                        + maxSlots + ", " + usedSlots + " in use). Drop an unused one (SELECT slot_name, active FROM"
                        + " pg_replication_slots; SELECT pg_drop_replication_slot('name');) or raise"
                        + " max_replication_slots and restart the source");
            }
            int maxSenders = rs.getInt(4);
            long usedSenders = rs.getLong(5);
            if (usedSenders >= maxSenders) {
                throw new InflightException(ErrorCode.REPLICATION_SLOTS_EXHAUSTED, "source "
                        + source.endpoint().describe() + " has no free WAL sender (max_wal_senders = " + maxSenders
                        + ", " + usedSenders + " in use): raise max_wal_senders and restart the source");
            }
            if (!rs.getBoolean(6)) {
                throw new InflightException(ErrorCode.INSUFFICIENT_PRIVILEGE, "source role '"
                        + source.endpoint().user() + "' lacks the REPLICATION attribute needed to create the"
                        + " replication slot. Run on the source: ALTER ROLE \""
                        + source.endpoint().user().replace("\"", "\"\"") + "\" WITH REPLICATION;");
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "checking replication settings");
        }
    }

    /** Every table must be readable; lists all that are not, with the GRANT to run. */
    static void selectPrivileges(Connection c, PgConnector source, List<TableInfo> tables) {
        List<TableId> denied = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT has_table_privilege(?::regclass, 'SELECT')")) {
            for (TableInfo t : tables) {
                ps.setString(1, t.id().quoted());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        denied.add(t.id());
                    }
                }
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "checking SELECT privileges");
        }
        if (!denied.isEmpty()) {
            StringBuilder sb = new StringBuilder("source role '" + source.endpoint().user() + "' cannot read "
                    + denied.size() + " table(s): " + denied + ". Run on the source:");
            for (TableId t : denied) {
                sb.append("\n  GRANT SELECT ON ").append(t.quoted()).append(" TO \"")
                        .append(source.endpoint().user().replace("\"", "\"\"")).append("\";");
            }
            throw new InflightException(ErrorCode.INSUFFICIENT_PRIVILEGE, sb.toString());
        }
    }
}
