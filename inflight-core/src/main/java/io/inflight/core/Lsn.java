package io.inflight.core;

import java.util.Locale;

/**
 * A position in the source's write-ahead log, ordered. The text form is PostgreSQL's {@code X/Y}
 * (high and low 32 bits in hex), which is also what {@code pg_lsn} columns accept.
 */
public record Lsn(long value) implements Comparable<Lsn> {

    /** No position: what PostgreSQL reports as {@code 0/0}. */
    public static final Lsn INVALID = new Lsn(0);

    public static Lsn valueOf(long value) {
        return value == 0 ? INVALID : new Lsn(value);
    }

    /** Parses {@code 16/B374D848}; rejects anything else with a message naming the text. */
    public static Lsn parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new IllegalArgumentException("not an LSN (expected X/Y in hex): '" + text + "'");
        }
        try {
            long hi = Long.parseUnsignedLong(text.substring(0, slash), 16);
            long lo = Long.parseUnsignedLong(text.substring(slash + 1), 16);
            if (hi > 0xFFFF_FFFFL || lo > 0xFFFF_FFFFL) {
                throw new NumberFormatException("part exceeds 32 bits");
            }
            return valueOf(hi << 32 | lo);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an LSN (expected X/Y in hex): '" + text + "'", e);
        }
    }

    public boolean isValid() {
        return value != 0;
    }

    /** Bytes of WAL from {@code earlier} to this position, never negative. */
    public long bytesAfter(Lsn earlier) {
        return Math.max(0, Long.compareUnsigned(value, earlier.value) > 0 ? value - earlier.value : 0);
    }

    public boolean isAfter(Lsn other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%X/%X", value >>> 32, value & 0xFFFF_FFFFL);
    }
}
