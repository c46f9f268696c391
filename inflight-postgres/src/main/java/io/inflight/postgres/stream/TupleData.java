package io.inflight.postgres.stream;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One row as pgoutput sends it: a value per column of the relation, in the column order of the latest
 * {@link PgOutputMessage.Relation} for it. Values are kept exactly as the wire gives them; nothing is converted
 * to Java types here. Immutable.
 *
 * <p>A text value is a slice of the message it came in, not a copy: catching up a backlog reads a million rows in
 * seconds, and turning each value into a {@code String} and back into bytes for the target was most of the
 * client's work and most of what its garbage collector had to move.
 */
public final class TupleData {

    /** Heap bytes a value costs besides its content: its object and its slot in the array, roughly. */
    private static final int VALUE_OVERHEAD_BYTES = 48;

    private final Value[] values;
    /** Worked out once, where the values are made: every batch bound asks for it. */
    private final long approxBytes;
    private final boolean unchangedToast;

    public TupleData(List<Value> values) {
        this(values.toArray(new Value[0]));
    }

    private TupleData(Value[] values) {
        long bytes = 0;
        boolean toast = false;
        for (int i = 0; i < values.length; i++) {
            Value v = values[i];
            if (v == null) {
                throw new IllegalArgumentException("column " + (i + 1) + " has no value; use Value.NULL");
            }
            bytes += contentBytes(v);
            toast |= v instanceof UnchangedToast;
        }
        this.values = values;
        this.approxBytes = bytes + (long) VALUE_OVERHEAD_BYTES * values.length;
        this.unchangedToast = toast;
    }

    private TupleData(Value[] values, long contentBytes, boolean unchangedToast) {
        this.values = values;
        this.approxBytes = contentBytes + (long) VALUE_OVERHEAD_BYTES * values.length;
        this.unchangedToast = unchangedToast;
    }

    private static int contentBytes(Value v) {
        if (v instanceof Text t) {
            return t.length();
        }
        return v instanceof Binary b ? b.bytes.length : 0;
    }

    public static TupleData of(Value... values) {
        return new TupleData(values.clone());
    }

    /**
     * Takes the array as it is: for the decoder, which hands it over and never touches it again, and which
     * counted the values' bytes and unchanged TOAST values as it read them.
     */
    static TupleData owning(Value[] values, long contentBytes, boolean unchangedToast) {
        return new TupleData(values, contentBytes, unchangedToast);
    }

    public int size() {
        return values.length;
    }

    public Value get(int column) {
        return values[column];
    }

    /** The values, as an unmodifiable list. */
    public List<Value> values() {
        return Collections.unmodifiableList(Arrays.asList(values));
    }

    /** A copy of the values, for a caller that builds a changed row from them. */
    public Value[] toArray() {
        return values.clone();
    }

    /** True when some column is {@link Value#UNCHANGED_TOAST}: such a row cannot be written as a whole. */
    public boolean hasUnchangedToast() {
        return unchangedToast;
    }

    /** Roughly how much heap the row holds: its values' bytes and objects. For bounding batches. */
    public long approxBytes() {
        return approxBytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TupleData other && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "TupleData" + Arrays.toString(values);
    }

    /** One column's value. */
    public sealed interface Value permits Null, UnchangedToast, Text, Binary {

        Null NULL = new Null();

        /**
         * The column holds an out-of-line (TOASTed) value that the change did not touch, and the server did not
         * send it. It is NOT a value: writing it anywhere would destroy the real one.
         */
        UnchangedToast UNCHANGED_TOAST = new UnchangedToast();

        static Text text(String text) {
            return new Text(text);
        }
    }

    /** SQL NULL ({@code 'n'} on the wire). */
    public record Null() implements Value {
        @Override
        public String toString() {
            return "NULL";
        }
    }

    /** An unchanged TOASTed value that was not sent ({@code 'u'}). */
    public record UnchangedToast() implements Value {
        @Override
        public String toString() {
            return "UNCHANGED_TOAST";
        }
    }

    /**
     * The value in the type's text output form ({@code 't'}): its UTF-8 bytes, read in place from the message
     * that carried them (which the value keeps alive). Two values are equal when their bytes are.
     */
    public static final class Text implements Value {
        private static final int CACHED_TEXT_MAX_BYTES = 64 * 1024;
        private final byte[] bytes;
        private final int offset;
        private final int length;
        /** Decoded on first use; a race decodes twice to equal strings, which is harmless. */
        private String text;
        private int hash;

        public Text(String text) {
            if (text == null) {
                throw new IllegalArgumentException("a text value is never null; use Value.NULL");
            }
            this.bytes = text.getBytes(StandardCharsets.UTF_8);
            this.offset = 0;
            this.length = bytes.length;
            this.text = text;
        }

        private Text(byte[] bytes, int offset, int length) {
            this.bytes = bytes;
            this.offset = offset;
            this.length = length;
        }

        /** Bytes {@code offset} to {@code offset + length} of {@code message}, which nobody may change after. */
        static Text slice(byte[] message, int offset, int length) {
            return new Text(message, offset, length);
        }

        public String text() {
            String s = text;
            if (s == null) {
                s = new String(bytes, offset, length, StandardCharsets.UTF_8);
                if (length <= CACHED_TEXT_MAX_BYTES) {
                    text = s; // a huge value's string would double what the value holds for as long as it lives
                }
            }
            return s;
        }

        /** The length in bytes (UTF-8). */
        public int length() {
            return length;
        }

        public byte byteAt(int index) {
            // the array holds the whole message: past this value's end lie other values' bytes
            return bytes[offset + Objects.checkIndex(index, length)];
        }

        /** Copies bytes {@code from} to {@code from + count} of the value into {@code dst} at {@code at}. */
        public void copyTo(int from, byte[] dst, int at, int count) {
            if (from < 0 || count < 0 || from + count > length) {
                throw new IndexOutOfBoundsException("bytes " + from + ".." + (from + count) + " of " + length);
            }
            System.arraycopy(bytes, offset + from, dst, at, count);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Text other
                    && Arrays.equals(bytes, offset, offset + length, other.bytes, other.offset,
                    other.offset + other.length);
        }

        @Override
        public int hashCode() {
            int h = hash;
            if (h == 0) {
                h = 1;
                for (int i = offset, end = offset + length; i < end; i++) {
                    h = 31 * h + bytes[i];
                }
                hash = h;
            }
            return h;
        }

        @Override
        public String toString() {
            return "Text[" + text() + "]";
        }
    }

    /** The value in the type's binary send form ({@code 'b'}; only when the binary option is on, PG14+). */
    public record Binary(byte[] bytes) implements Value {

        public Binary {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Binary other && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Binary[" + bytes.length + " bytes]";
        }
    }
}
