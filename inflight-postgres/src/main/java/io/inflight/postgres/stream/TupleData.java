package io.inflight.postgres.stream;

import java.util.Arrays;
import java.util.List;

/**
 * One row as pgoutput sends it: a value per column of the relation, in the column order of the latest
 * {@link PgOutputMessage.Relation} for it. Values are kept exactly as the wire gives them; nothing is converted
 * to Java types here. Immutable.
 */
public record TupleData(List<Value> values) {

    public TupleData {
        values = List.copyOf(values);
    }

    public static TupleData of(Value... values) {
        return new TupleData(List.of(values));
    }

    public int size() {
        return values.size();
    }

    public Value get(int column) {
        return values.get(column);
    }

    /** True when some column is {@link Value#UNCHANGED_TOAST}: such a row cannot be written as a whole. */
    public boolean hasUnchangedToast() {
        return values.stream().anyMatch(v -> v instanceof UnchangedToast);
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

    /** The value in the type's text output form ({@code 't'}). */
    public record Text(String text) implements Value {
        public Text {
            if (text == null) {
                throw new IllegalArgumentException("a text value is never null; use Value.NULL");
            }
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
