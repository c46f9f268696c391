package io.inflight.postgres.apply;

import io.inflight.core.Identifiers;
import io.inflight.postgres.stream.TupleData;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Applies the {@link NetChanges} of one table in a few statements whatever their number: one DELETE and one
 * UPDATE per set of columns, each joining the table to arrays of text values unnested on the server, and one
 * {@code COPY} for the inserts. Values travel as the source's text output and are cast to the target column's
 * type on the server, as the ordered path's untyped parameters are.
 *
 * <p>Returns how many deletes and updates found no row (the target differs from the source there). Not
 * thread-safe; uses the applier's connection and transaction.
 */
final class SetWriter {

    /** Characters of COPY text sent at a time. */
    private static final int CHUNK_CHARS = 32 * 1024;

    private final Connection conn;
    private final CopyManager copy;

    SetWriter(Connection conn) throws SQLException {
        this.conn = conn;
        this.copy = conn.unwrap(PGConnection.class).getCopyAPI();
    }

    /** Applies the net changes in the order deletes, updates, inserts; returns the rows not found. */
    long apply(TableShape shape, NetChanges.Result net) throws SQLException {
        long missing = 0;
        if (!net.deletes().isEmpty()) {
            missing += net.deletes().size() - delete(shape, net.deletes());
        }
        for (Map.Entry<List<Integer>, List<TupleData>> u : net.updates().entrySet()) {
            missing += u.getValue().size() - update(shape, u.getKey(), u.getValue());
        }
        if (!net.inserts().isEmpty()) {
            insert(shape, net.inserts());
        }
        return missing;
    }

    private int delete(TableShape shape, List<TupleData> rows) throws SQLException {
        List<Integer> key = shape.key();
        String sql = "DELETE FROM " + shape.table().quoted() + " t USING " + unnest(key.size()) + " WHERE "
                + keyMatch(shape);
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            bindColumns(ps, 1, key, rows);
            return ps.executeUpdate();
        }
    }

    private int update(TableShape shape, List<Integer> set, List<TupleData> rows) throws SQLException {
        List<Integer> columns = new ArrayList<>(shape.key());
        StringJoiner assignments = new StringJoiner(", ");
        for (int c : set) {
            if (shape.key().contains(c)) {
                continue;
            }
            assignments.add(Identifiers.quote(shape.columns().get(c)) + " = u.c" + columns.size() + "::"
                    + shape.types().get(c));
            columns.add(c);
        }
        if (assignments.length() == 0) {
            return rows.size(); // only the key was sent, and the key is what identifies the row: nothing to set
        }
        String sql = "UPDATE " + shape.table().quoted() + " t SET " + assignments + " FROM " + unnest(columns.size())
                + " WHERE " + keyMatch(shape);
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            bindColumns(ps, 1, columns, rows);
            return ps.executeUpdate();
        }
    }

    private void insert(TableShape shape, List<TupleData> rows) throws SQLException {
        StringJoiner cols = new StringJoiner(", ");
        shape.columns().forEach(c -> cols.add(Identifiers.quote(c)));
        // Rows go out in chunks as they are written: a batch of big rows is never held twice in the heap.
        CopyIn in = copy.copyIn("COPY " + shape.table().quoted() + " (" + cols + ") FROM STDIN");
        try {
            StringBuilder chunk = new StringBuilder(CHUNK_CHARS + 16);
            for (TupleData row : rows) {
                for (int i = 0; i < row.size(); i++) {
                    if (i > 0) {
                        chunk.append('\t');
                    }
                    String value = Tuples.text(row.get(i));
                    if (value == null) {
                        chunk.append("\\N");
                        continue;
                    }
                    for (int from = 0; from < value.length(); ) {
                        int to = Math.min(value.length(), from + CHUNK_CHARS);
                        if (to < value.length() && Character.isHighSurrogate(value.charAt(to - 1))) {
                            to--;   // never split a surrogate pair between two chunks
                        }
                        appendCopyText(chunk, value, from, to);
                        from = to;
                        if (chunk.length() >= CHUNK_CHARS) {
                            send(in, chunk);
                        }
                    }
                }
                chunk.append('\n');
                if (chunk.length() >= CHUNK_CHARS) {
                    send(in, chunk);
                }
            }
            send(in, chunk);
            in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    private static void send(CopyIn in, StringBuilder chunk) throws SQLException {
        if (chunk.length() > 0) {
            byte[] bytes = chunk.toString().getBytes(StandardCharsets.UTF_8);
            in.writeToCopy(bytes, 0, bytes.length);
            chunk.setLength(0);
        }
    }

    /** A value in COPY's text format: {@code \N} for NULL, backslash escapes for the characters COPY reserves. */
    static void appendCopyText(StringBuilder out, String value) {
        if (value == null) {
            out.append("\\N");
            return;
        }
        appendCopyText(out, value, 0, value.length());
    }

    /** Characters {@code from} to {@code to} of a non-null value, escaped as {@link #appendCopyText} does. */
    private static void appendCopyText(StringBuilder out, String value, int from, int to) {
        for (int i = from; i < to; i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(ch);
            }
        }
    }

    /** {@code unnest(?::text[], ...) AS u(c0, c1, ...)}: parallel arrays as rows. */
    private static String unnest(int n) {
        StringJoiner params = new StringJoiner(", ");
        StringJoiner names = new StringJoiner(", ");
        for (int i = 0; i < n; i++) {
            params.add("?::text[]");
            names.add("c" + i);
        }
        return "unnest(" + params + ") AS u(" + names + ")";
    }

    /** The key columns (bound first, as c0..ck) equal to the table's. */
    private static String keyMatch(TableShape shape) {
        StringJoiner where = new StringJoiner(" AND ");
        for (int i = 0; i < shape.key().size(); i++) {
            int c = shape.key().get(i);
            where.add("t." + Identifiers.quote(shape.columns().get(c)) + " = u.c" + i + "::" + shape.types().get(c));
        }
        return where.toString();
    }

    private void bindColumns(PreparedStatement ps, int first, List<Integer> columns, List<TupleData> rows)
            throws SQLException {
        for (int i = 0; i < columns.size(); i++) {
            int c = columns.get(i);
            String[] values = new String[rows.size()];
            for (int r = 0; r < values.length; r++) {
                values[r] = Tuples.text(rows.get(r).get(c));
            }
            Array array = conn.createArrayOf("text", values);
            ps.setArray(first + i, array);
        }
    }
}
