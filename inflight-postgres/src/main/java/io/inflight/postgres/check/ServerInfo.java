package io.inflight.postgres.check;

import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Facts about a server that checks and the clone need: its major version, full version and system id. */
public record ServerInfo(int major, String version, long systemIdentifier) {

    /** Reads them; works for a role with no special privilege. */
    public static ServerInfo read(Connection c, PgConnector on) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT current_setting('server_version_num')::int / 10000, current_setting('server_version'),"
                        + " (SELECT system_identifier FROM pg_control_system())")) {
            rs.next();
            return new ServerInfo(rs.getInt(1), rs.getString(2), rs.getLong(3));
        } catch (SQLException e) {
            throw PgErrors.translate(e, on, "reading the server version");
        }
    }
}
