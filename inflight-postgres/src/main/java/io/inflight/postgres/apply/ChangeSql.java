package io.inflight.postgres.apply;

import io.inflight.core.Identifiers;
import java.util.List;
import java.util.StringJoiner;
import java.util.stream.IntStream;

/**
 * SQL text for applying one row change. Parameters are bound as untyped text (the server infers each from the
 * column it meets), so the source's text output goes straight into the target's input functions. Pure.
 *
 * <p>Rows of keyed tables are found by key ({@code "k" = ?}, served by the key's index). Rows of keyless tables
 * are found by comparing every column's text form with {@code IS NOT DISTINCT FROM} (types such as json have no
 * equality operator), and only one of several identical rows is changed, as on the source.
 */
final class ChangeSql {

    private ChangeSql() {
    }

    /** {@code INSERT} of the columns at {@code present}, in that order. */
    static String insert(TableShape shape, List<Integer> present) {
        StringJoiner cols = new StringJoiner(", ");
        StringJoiner params = new StringJoiner(", ");
        for (int c : present) {
            cols.add(Identifiers.quote(shape.columns().get(c)));
            params.add("?");
        }
        return "INSERT INTO " + shape.table().quoted() + " (" + cols + ") VALUES (" + params + ")";
    }

    /**
     * {@code UPDATE} setting the columns at {@code set}, then matching the row: parameters are the new values
     * of {@code set} followed by the identity values ({@link #identityPositions}).
     */
    static String update(TableShape shape, List<Integer> set) {
        StringJoiner assignments = new StringJoiner(", ");
        for (int c : set) {
            assignments.add(Identifiers.quote(shape.columns().get(c)) + " = ?");
        }
        return "UPDATE " + shape.table().quoted() + " SET " + assignments + " WHERE " + match(shape);
    }

    /** {@code DELETE} of the row matched by the identity values. */
    static String delete(TableShape shape) {
        return "DELETE FROM " + shape.table().quoted() + " WHERE " + match(shape);
    }

    /** The positions whose identity values are bound, in parameter order. */
    static List<Integer> identityPositions(TableShape shape) {
        if (!shape.keyless()) {
            return shape.key();
        }
        return IntStream.range(0, shape.columns().size()).boxed().toList();
    }

    private static String match(TableShape shape) {
        if (!shape.keyless()) {
            StringJoiner where = new StringJoiner(" AND ");
            for (String k : shape.keyColumns()) {
                where.add(Identifiers.quote(k) + " = ?");
            }
            return where.toString();
        }
        StringJoiner where = new StringJoiner(" AND ");
        for (String c : shape.columns()) {
            where.add(Identifiers.quote(c) + "::text IS NOT DISTINCT FROM ?");
        }
        return "ctid = (SELECT ctid FROM " + shape.table().quoted() + " WHERE " + where + " LIMIT 1)";
    }
}
