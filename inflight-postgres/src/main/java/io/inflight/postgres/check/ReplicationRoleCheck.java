package io.inflight.postgres.check;

import io.inflight.core.ErrorCode;
import io.inflight.core.Identifiers;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** The source role needs the REPLICATION attribute (or superuser) to create the slot and stream from it. */
public final class ReplicationRoleCheck {

    private ReplicationRoleCheck() {
    }

    public static List<Finding> inspect(Connection c, PgConnector source) {
        String user = source.endpoint().user();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user")) {
            if (rs.next() && rs.getBoolean(1)) {
                return List.of(Finding.info("replication privilege", user,
                        "source role '" + user + "' may create replication slots"));
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "checking the REPLICATION attribute");
        }
        return List.of(Finding.blocker(ErrorCode.INSUFFICIENT_PRIVILEGE, "replication privilege", user,
                "source role '" + user + "' lacks the REPLICATION attribute needed to create the replication slot",
                "Run on the source: ALTER ROLE " + Identifiers.quote(user) + " WITH REPLICATION;"));
    }
}
