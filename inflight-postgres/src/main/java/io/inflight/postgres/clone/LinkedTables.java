package io.inflight.postgres.clone;

import io.inflight.core.TableId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tables that must be copied under one snapshot: those a foreign key links, directly or through other tables
 * (partitions count as linked to their parent). Rows of two linked tables copied under two snapshots need not
 * satisfy the key between them: a child row copied later may reference a parent row the earlier copy never saw,
 * and validating the key then fails.
 */
final class LinkedTables {

    private static final String EDGES = """
            SELECT na.nspname, ca.relname, nb.nspname, cb.relname
              FROM (SELECT conrelid AS a, confrelid AS b FROM pg_catalog.pg_constraint WHERE contype = 'f'
                    UNION SELECT inhrelid, inhparent FROM pg_catalog.pg_inherits) e
              JOIN pg_catalog.pg_class ca ON ca.oid = e.a
              JOIN pg_catalog.pg_namespace na ON na.oid = ca.relnamespace
              JOIN pg_catalog.pg_class cb ON cb.oid = e.b
              JOIN pg_catalog.pg_namespace nb ON nb.oid = cb.relnamespace""";

    private LinkedTables() {
    }

    /** {@code seeds} and every table linked to one of them on the source, transitively. */
    static Set<TableId> closure(Connection source, Collection<TableId> seeds) throws SQLException {
        Map<TableId, List<TableId>> edges = new HashMap<>();
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery(EDGES)) {
            while (rs.next()) {
                TableId a = TableId.of(rs.getString(1), rs.getString(2));
                TableId b = TableId.of(rs.getString(3), rs.getString(4));
                edges.computeIfAbsent(a, k -> new ArrayList<>()).add(b);
                edges.computeIfAbsent(b, k -> new ArrayList<>()).add(a);
            }
        }
        Set<TableId> out = new HashSet<>(seeds);
        Deque<TableId> todo = new ArrayDeque<>(seeds);
        while (!todo.isEmpty()) {
            for (TableId next : edges.getOrDefault(todo.pop(), List.of())) {
                if (out.add(next)) {
                    todo.push(next);
                }
            }
        }
        return out;
    }
}
