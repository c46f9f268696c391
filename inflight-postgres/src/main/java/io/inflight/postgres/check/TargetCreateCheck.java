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
import java.util.TreeSet;

/**
 * The target role must create what the clone makes: schemas that do not exist yet need CREATE on the
 * database (so does Inflight's own state schema); tables in a schema that exists need CREATE on it.
 */
public final class TargetCreateCheck {

    static final String NAME = "create privilege";

    private TargetCreateCheck() {
    }

    public static List<Finding> inspect(Connection c, PgConnector target, List<TableInfo> tables) {
        String user = target.endpoint().user();
        String database = target.endpoint().database();
        List<Finding> out = new ArrayList<>();
        try {
            boolean onDatabase = scalar(c, "SELECT has_database_privilege(current_database(), 'CREATE')", null);
            TreeSet<String> missingSchemas = new TreeSet<>();
            for (String schema : new TreeSet<>(tables.stream().map(t -> t.id().schema()).toList())) {
                boolean exists = scalar(c, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = ?)", schema);
                if (!exists) {
                    missingSchemas.add(schema);
                } else if (!scalar(c, "SELECT has_schema_privilege(?, 'CREATE')", schema)) {
                    out.add(Finding.blocker(ErrorCode.INSUFFICIENT_PRIVILEGE, NAME, schema, "target role '" + user
                            + "' cannot create tables in schema " + Identifiers.quoteIfNeeded(schema)
                            + " on the target", "Run on the target: GRANT CREATE ON SCHEMA " + Identifiers.quote(schema)
                            + " TO " + Identifiers.quote(user) + ";"));
                }
            }
            if (!onDatabase) {
                String why = missingSchemas.isEmpty() ? "Inflight's state schema \"inflight\""
                        : "schema(s) " + missingSchemas + " and Inflight's state schema \"inflight\"";
                out.add(Finding.blocker(ErrorCode.INSUFFICIENT_PRIVILEGE, NAME, database, "target role '" + user
                        + "' lacks CREATE on database " + Identifiers.quoteIfNeeded(database) + ", needed to create "
                        + why, "Run on the target: GRANT CREATE ON DATABASE " + Identifiers.quote(database) + " TO "
                        + Identifiers.quote(user) + ";"));
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "checking CREATE privileges");
        }
        return out;
    }

    private static boolean scalar(Connection c, String sql, String parameter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (parameter != null) {
                ps.setString(1, parameter);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
