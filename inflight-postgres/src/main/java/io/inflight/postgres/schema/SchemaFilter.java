package io.inflight.postgres.schema;

import java.util.List;
import java.util.Set;

/**
 * Which schemas (namespaces) a migration covers. System schemas and Inflight's own state schema on
 * the target are never included.
 */
public record SchemaFilter(List<String> include, List<String> exclude) {

    /** Schemas never migrated, whatever the user asks. */
    public static final Set<String> NEVER = Set.of("pg_catalog", "information_schema", "pg_toast", "inflight");

    public SchemaFilter {
        include = include == null ? List.of() : List.copyOf(include);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
    }

    /** Every user schema. */
    public static SchemaFilter all() {
        return new SchemaFilter(List.of(), List.of());
    }

    public static SchemaFilter only(String... schemas) {
        return new SchemaFilter(List.of(schemas), List.of());
    }

    public boolean includes(String schema) {
        if (NEVER.contains(schema) || schema.startsWith("pg_temp") || schema.startsWith("pg_toast")) {
            return false;
        }
        return (include.isEmpty() || include.contains(schema)) && !exclude.contains(schema);
    }

    /**
     * A SQL condition on a namespace name column (e.g. {@code n.nspname}) equivalent to
     * {@link #includes}; names are passed as literals, quoting doubled.
     */
    public String sqlCondition(String column) {
        StringBuilder sb = new StringBuilder("(" + column + " NOT IN ('pg_catalog','information_schema','inflight')"
                + " AND " + column + " NOT LIKE 'pg\\_toast%' AND " + column + " NOT LIKE 'pg\\_temp%'");
        if (!include.isEmpty()) {
            sb.append(" AND ").append(column).append(" IN (").append(literals(include)).append(')');
        }
        if (!exclude.isEmpty()) {
            sb.append(" AND ").append(column).append(" NOT IN (").append(literals(exclude)).append(')');
        }
        return sb.append(')').toString();
    }

    private static String literals(List<String> names) {
        return String.join(",", names.stream().map(io.inflight.core.Identifiers::literal).toList());
    }
}
