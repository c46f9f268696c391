package io.inflight.postgres.schema;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.TableId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * For {@code --schema existing}: checks that a schema the user made on the target can take the source's
 * rows. Every source table and column must exist on the target with the same type (as {@code format_type}
 * spells it, collation aside); a target column that is NOT NULL where the source's is nullable is a
 * mismatch too, as source rows could break it. Extra target tables and columns are fine.
 */
public final class ExistingSchemaCheck {

    private ExistingSchemaCheck() {
    }

    /** Throws one {@link InflightException} (SCHEMA_MISMATCH) listing every mismatch, one per line. */
    public static void check(Connection source, Connection target, SchemaFilter filter) {
        List<String> problems = mismatches(source, target, filter);
        if (!problems.isEmpty()) {
            throw new InflightException(ErrorCode.SCHEMA_MISMATCH, "the target schema does not match the source ("
                    + problems.size() + (problems.size() == 1 ? " difference" : " differences") + "):\n  - "
                    + String.join("\n  - ", problems)
                    + "\nFix the target schema (or let Inflight create it with --schema create) and rerun");
        }
    }

    static List<String> mismatches(Connection source, Connection target, SchemaFilter filter) {
        Map<TableId, Map<String, Col>> src = read(source, filter, "source");
        Map<TableId, Map<String, Col>> dst = read(target, filter, "target");
        List<String> problems = new ArrayList<>();
        src.forEach((table, columns) -> {
            Map<String, Col> other = dst.get(table);
            if (other == null) {
                problems.add(table + ": table missing on target");
                return;
            }
            columns.forEach((name, col) -> {
                Col t = other.get(name);
                String where = table + "." + io.inflight.core.Identifiers.quoteIfNeeded(name);
                if (t == null) {
                    problems.add(table + ": column " + io.inflight.core.Identifiers.quoteIfNeeded(name) + " missing on target");
                } else if (!t.type().equals(col.type())) {
                    problems.add(where + ": type " + col.type() + " on source, " + t.type() + " on target");
                } else if (t.notNull() && !col.notNull()) {
                    problems.add(where + ": NOT NULL on target but nullable on source");
                }
            });
        });
        return problems;
    }

    private record Col(String type, boolean notNull) {
    }

    private static Map<TableId, Map<String, Col>> read(Connection c, SchemaFilter filter, String side) {
        String sql = """
                SELECT n.nspname, k.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull
                  FROM pg_catalog.pg_class k JOIN pg_catalog.pg_namespace n ON n.oid = k.relnamespace
                  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = k.oid AND a.attnum > 0 AND NOT a.attisdropped
                 WHERE k.relkind IN ('r', 'p') AND %s
                 ORDER BY n.nspname, k.relname, a.attnum""".formatted(filter.sqlCondition("n.nspname"));
        Map<TableId, Map<String, Col>> out = new LinkedHashMap<>();
        try {
            String saved = SchemaReader.queryString(c, "SELECT current_setting('search_path')");
            // Types in other schemas come out qualified the same way on both sides.
            SchemaReader.exec(c, "SELECT pg_catalog.set_config('search_path', '', false)");
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    Map<String, Col> cols = out.computeIfAbsent(TableId.of(rs.getString(1), rs.getString(2)),
                            k -> new LinkedHashMap<>());
                    if (rs.getString(3) != null) {
                        cols.put(rs.getString(3), new Col(rs.getString(4), rs.getBoolean(5)));
                    }
                }
            } finally {
                SchemaReader.exec(c, "SELECT pg_catalog.set_config('search_path', "
                        + io.inflight.core.Identifiers.literal(saved) + ", false)");
            }
        } catch (SQLException e) {
            throw new InflightException(ErrorCode.INTERNAL, "reading the tables of the " + side + " failed: "
                    + e.getMessage(), e.getSQLState(), e);
        }
        return out;
    }
}
