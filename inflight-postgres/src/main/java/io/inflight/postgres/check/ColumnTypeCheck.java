package io.inflight.postgres.check;

import io.inflight.core.ErrorCode;
import io.inflight.core.Identifiers;
import io.inflight.core.TableId;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.schema.SchemaFilter;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Built-in column types the target does not have (a type added in a newer major version than the
 * target's, or removed since the source's). User-defined types are recreated by the clone and types of
 * extensions come with the extension ({@link ExtensionCheck}), so only {@code pg_catalog} types are looked
 * at here; arrays and domains are judged by their element and base types.
 */
public final class ColumnTypeCheck {

    static final String NAME = "column types";

    private ColumnTypeCheck() {
    }

    public static List<Finding> inspect(Connection src, PgConnector source, Connection tgt, PgConnector target,
                                        SchemaFilter schemas) {
        Map<String, List<String>> columnsByType = new LinkedHashMap<>();
        String sql = """
                WITH RECURSIVE base(attrelid, attnum, typid, depth) AS (
                    SELECT a.attrelid, a.attnum, a.atttypid, 0
                      FROM pg_attribute a
                      JOIN pg_class cl ON cl.oid = a.attrelid
                      JOIN pg_namespace n ON n.oid = cl.relnamespace
                     WHERE cl.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND %s
                    UNION ALL
                    SELECT b.attrelid, b.attnum,
                           CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.typelem END, b.depth + 1
                      FROM base b JOIN pg_type t ON t.oid = b.typid
                     WHERE (t.typtype = 'd' OR (t.typelem <> 0 AND t.typlen = -1)) AND b.depth < 10)
                SELECT t.typname, n.nspname, cl.relname, a.attname
                  FROM base b
                  JOIN pg_type t ON t.oid = b.typid
                  JOIN pg_attribute a ON a.attrelid = b.attrelid AND a.attnum = b.attnum
                  JOIN pg_class cl ON cl.oid = b.attrelid
                  JOIN pg_namespace n ON n.oid = cl.relnamespace
                 WHERE t.typnamespace = 'pg_catalog'::regnamespace
                 ORDER BY 1, 2, 3, a.attnum
                """.formatted(schemas.sqlCondition("n.nspname"));
        try (Statement s = src.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                String column = TableId.of(rs.getString(2), rs.getString(3)) + "."
                        + Identifiers.quoteIfNeeded(rs.getString(4));
                List<String> columns = columnsByType.computeIfAbsent(rs.getString(1), k -> new ArrayList<>());
                if (!columns.contains(column)) {
                    columns.add(column);
                }
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "reading column types");
        }
        if (columnsByType.isEmpty()) {
            return List.of();
        }
        Set<String> known = new HashSet<>();
        try (PreparedStatement ps = tgt.prepareStatement("SELECT typname FROM pg_type WHERE typnamespace ="
                + " 'pg_catalog'::regnamespace AND typname = ANY (?)")) {
            Array names = tgt.createArrayOf("text", columnsByType.keySet().toArray());
            ps.setArray(1, names);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    known.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "looking up column types");
        }
        List<Finding> out = new ArrayList<>();
        columnsByType.forEach((type, columns) -> {
            if (!known.contains(type)) {
                out.add(Finding.blocker(ErrorCode.UNSUPPORTED, NAME, type, "the target has no type " + type
                        + ", used by column(s) " + String.join(", ", columns),
                        "Use a target version that has it, or change those columns to a type both sides know"));
            }
        });
        return out;
    }
}
