package io.inflight.postgres.check;

import io.inflight.core.ErrorCode;
import io.inflight.core.Identifiers;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.schema.TableInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The source role must read every migrated table: one blocker per table it cannot, with its GRANT. */
public final class SelectPrivilegeCheck {

    static final String NAME = "select privilege";

    private SelectPrivilegeCheck() {
    }

    public static List<Finding> inspect(Connection c, PgConnector source, List<TableInfo> tables) {
        String user = source.endpoint().user();
        List<Finding> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT has_table_privilege(?::regclass, 'SELECT')")) {
            for (TableInfo t : tables) {
                ps.setString(1, t.id().quoted());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        out.add(Finding.blocker(ErrorCode.INSUFFICIENT_PRIVILEGE, NAME, t.id().toString(),
                                "source role '" + user + "' cannot read table " + t.id(),
                                "GRANT SELECT ON " + t.id().quoted() + " TO " + Identifiers.quote(user) + ";"));
                    }
                }
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "checking SELECT privileges");
        }
        return out;
    }
}
