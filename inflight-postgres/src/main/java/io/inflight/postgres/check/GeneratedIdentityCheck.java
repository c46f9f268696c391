package io.inflight.postgres.check;

import io.inflight.core.Identifiers;
import io.inflight.core.TableId;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.schema.SchemaFilter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Generated and identity columns are carried, but differently from plain ones, which a user should know:
 * stored generated columns are never copied (the target computes them), and identity columns draw from
 * sequences, whose positions are not replicated but set by Inflight at clone and at cutover.
 */
public final class GeneratedIdentityCheck {

    private GeneratedIdentityCheck() {
    }

    public static List<Finding> inspect(Connection c, PgConnector source, SchemaFilter schemas, int major) {
        String generated = major >= 12 ? "a.attgenerated = 's'" : "false";
        String sql = """
                SELECT n.nspname, cl.relname, a.attname, a.attidentity, %s
                  FROM pg_attribute a
                  JOIN pg_class cl ON cl.oid = a.attrelid
                  JOIN pg_namespace n ON n.oid = cl.relnamespace
                 WHERE cl.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
                   AND (a.attidentity <> '' OR %s) AND %s
                 ORDER BY 1, 2, a.attnum
                """.formatted(generated, generated, schemas.sqlCondition("n.nspname"));
        List<Finding> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                String column = TableId.of(rs.getString(1), rs.getString(2)) + "."
                        + Identifiers.quoteIfNeeded(rs.getString(3));
                if (rs.getBoolean(5)) {
                    out.add(Finding.info("generated column", column, "column " + column + " is GENERATED ALWAYS AS"
                            + " ... STORED: it is not copied or streamed, the target computes it from the other columns"));
                } else {
                    String kind = "a".equals(rs.getString(4)) ? "ALWAYS" : "BY DEFAULT";
                    out.add(Finding.info("identity column", column, "column " + column + " is GENERATED " + kind
                            + " AS IDENTITY: rows carry their values; its sequence does not replicate and is set to the"
                            + " source's position after the copy and again at cutover"));
                }
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "reading generated and identity columns");
        }
        return out;
    }
}
