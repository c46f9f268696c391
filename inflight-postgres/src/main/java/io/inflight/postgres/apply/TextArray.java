package io.inflight.postgres.apply;

import io.inflight.postgres.stream.TupleData;
import io.inflight.postgres.stream.TupleData.Value;
import java.util.List;
import org.postgresql.util.PGBinaryObject;
import org.postgresql.util.PGobject;

/**
 * One column of many rows as a {@code text[]} bind parameter in PostgreSQL's binary array format, written from
 * the values' UTF-8 bytes as the stream received them. pgjdbc sends a {@link PGBinaryObject} as it is; building
 * the array through {@code createArrayOf} instead would decode every value to a string and encode it back.
 *
 * <p>The format ({@code array_recv}): dimensions (1), a has-nulls flag, the element type's OID, the length and
 * lower bound of the one dimension, then each element as a 4-byte length (-1 for NULL) and its bytes.
 */
final class TextArray extends PGobject implements PGBinaryObject {

    private static final long serialVersionUID = 1L;
    private static final int TEXT_OID = 25;
    private static final int HEADER_BYTES = 5 * 4;

    private final transient List<TupleData> rows;
    private final int column;

    /** Column {@code column} of {@code rows}; each value must be text or NULL. */
    TextArray(List<TupleData> rows, int column) {
        this.rows = rows;
        this.column = column;
        setType("text[]");
    }

    @Override
    public void setByteValue(byte[] value, int offset) {
        throw new UnsupportedOperationException("a text[] parameter is only ever sent, never read");
    }

    @Override
    public int lengthInBytes() {
        int n = HEADER_BYTES;
        for (TupleData row : rows) {
            Value v = row.get(column);
            n += 4 + (v instanceof TupleData.Text t ? t.length() : 0);
        }
        return n;
    }

    @Override
    public void toBytes(byte[] out, int offset) {
        int at = offset;
        boolean nulls = false;
        for (TupleData row : rows) {
            nulls |= Tuples.textOrNull(row.get(column)) == null;
        }
        at = int32(out, at, 1);
        at = int32(out, at, nulls ? 1 : 0);
        at = int32(out, at, TEXT_OID);
        at = int32(out, at, rows.size());
        at = int32(out, at, 1);
        for (TupleData row : rows) {
            TupleData.Text t = Tuples.textOrNull(row.get(column));
            if (t == null) {
                at = int32(out, at, -1);
            } else {
                at = int32(out, at, t.length());
                t.copyTo(0, out, at, t.length());
                at += t.length();
            }
        }
    }

    private static int int32(byte[] out, int at, int v) {
        out[at] = (byte) (v >>> 24);
        out[at + 1] = (byte) (v >>> 16);
        out[at + 2] = (byte) (v >>> 8);
        out[at + 3] = (byte) v;
        return at + 4;
    }

    @Override
    public String getValue() {
        // Only reached if the connection did not send text[] in binary: then the array literal, quoted.
        StringBuilder b = new StringBuilder("{");
        for (int r = 0; r < rows.size(); r++) {
            b.append(r == 0 ? "" : ",");
            TupleData.Text t = Tuples.textOrNull(rows.get(r).get(column));
            if (t == null) {
                b.append("NULL");
                continue;
            }
            b.append('"');
            String s = t.text();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') {
                    b.append('\\');
                }
                b.append(c);
            }
            b.append('"');
        }
        return b.append('}').toString();
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
