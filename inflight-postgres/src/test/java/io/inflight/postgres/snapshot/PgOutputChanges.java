package io.inflight.postgres.snapshot;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test helper: peeks a slot's pgoutput (protocol 1) messages and decodes row changes, enough to replay
 * them onto the copied rows and compare with the source.
 */
final class PgOutputChanges {

    /** One decoded row change; {@code values} is the new tuple (insert, update) or the key (delete). */
    record Change(char kind, String table, List<String> values) {
    }

    private PgOutputChanges() {
    }

    static List<Change> peek(Connection c, String slot, String publication) throws SQLException {
        List<Change> out = new ArrayList<>();
        Map<Integer, String> relations = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT data FROM pg_logical_slot_peek_binary_changes(?, NULL,"
                + " NULL, 'proto_version', '1', 'publication_names', ?)")) {
            ps.setString(1, slot);
            ps.setString(2, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    decode(ByteBuffer.wrap(rs.getBytes(1)), relations, out);
                }
            }
        }
        return out;
    }

    private static void decode(ByteBuffer b, Map<Integer, String> relations, List<Change> out) {
        char kind = (char) b.get();
        switch (kind) {
            case 'R' -> {
                int relid = b.getInt();
                String schema = cstring(b);
                String name = cstring(b);
                relations.put(relid, schema + "." + name);
            }
            case 'I' -> {
                String rel = relations.get(b.getInt());
                b.get(); // 'N'
                out.add(new Change('I', rel, tuple(b)));
            }
            case 'U' -> {
                String rel = relations.get(b.getInt());
                char next = (char) b.get();
                if (next == 'K' || next == 'O') {
                    tuple(b);
                    b.get(); // 'N'
                }
                out.add(new Change('U', rel, tuple(b)));
            }
            case 'D' -> {
                String rel = relations.get(b.getInt());
                b.get(); // 'K' or 'O'
                out.add(new Change('D', rel, tuple(b)));
            }
            default -> {
                // begin, commit, origin, type, truncate: nothing to replay in these tests
            }
        }
    }

    private static List<String> tuple(ByteBuffer b) {
        int n = b.getShort();
        List<String> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            char k = (char) b.get();
            if (k == 't') {
                byte[] v = new byte[b.getInt()];
                b.get(v);
                values.add(new String(v, StandardCharsets.UTF_8));
            } else {
                values.add(null);
            }
        }
        return values;
    }

    private static String cstring(ByteBuffer b) {
        int start = b.position();
        while (b.get() != 0) {
            // scan to the terminator
        }
        return new String(b.array(), start, b.position() - start - 1, StandardCharsets.UTF_8);
    }
}
