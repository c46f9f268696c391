package io.inflight.postgres.check;

import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Large objects ({@code lo_create}, {@code pg_largeobject}) live outside tables: neither the clone nor
 * logical replication carries them. Counted from {@code pg_largeobject_metadata}, readable by any role.
 */
public final class LargeObjectCheck {

    private LargeObjectCheck() {
    }

    public static List<Finding> inspect(Connection c, PgConnector source) {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_largeobject_metadata")) {
            rs.next();
            long count = rs.getLong(1);
            if (count == 0) {
                return List.of();
            }
            return List.of(Finding.warning("large objects", "pg_largeobject", "the source database "
                    + source.endpoint().database() + " holds " + count + " large object(s): logical replication"
                    + " and the clone do not carry large objects, the target will not have them",
                    "Move them separately (pg_dump --large-objects --data-only -t none, then restore into the target)"
                            + " or store them in bytea columns"));
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "counting large objects");
        }
    }
}
