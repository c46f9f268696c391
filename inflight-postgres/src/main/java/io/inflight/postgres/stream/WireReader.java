package io.inflight.postgres.stream;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reads the protocol's big-endian fields from one message, failing with an error that names the message type and
 * the offset (from the message's first byte) where the bytes ran out or made no sense.
 */
final class WireReader {

    /** Seconds from the Unix epoch to PostgreSQL's, 2000-01-01T00:00:00Z. */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;

    private final byte[] buf;
    private final int start;
    private final int limit;
    private int pos;
    private char type = '?';

    /**
     * Reads {@code buf[from..limit)} in place. Text values keep referring to {@code buf}, so its owner must not
     * change it afterwards.
     */
    WireReader(byte[] buf, int from, int limit) {
        this.buf = buf;
        this.start = from;
        this.pos = from;
        this.limit = limit;
    }

    char type() {
        type = (char) byte1();
        return type;
    }

    int offset() {
        return pos - start;
    }

    private int remaining() {
        return limit - pos;
    }

    int byte1() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    short int16() {
        need(2);
        int v = (buf[pos] & 0xFF) << 8 | buf[pos + 1] & 0xFF;
        pos += 2;
        return (short) v;
    }

    int int32() {
        need(4);
        int v = (buf[pos] & 0xFF) << 24 | (buf[pos + 1] & 0xFF) << 16 | (buf[pos + 2] & 0xFF) << 8
                | buf[pos + 3] & 0xFF;
        pos += 4;
        return v;
    }

    /** An unsigned 32-bit field such as a transaction id. */
    long uint32() {
        return Integer.toUnsignedLong(int32());
    }

    long int64() {
        long high = Integer.toUnsignedLong(int32());
        return high << 32 | Integer.toUnsignedLong(int32());
    }

    Lsn lsn() {
        return Lsn.valueOf(int64());
    }

    /** A timestamp in microseconds since the PostgreSQL epoch. */
    Instant timestamp() {
        long micros = int64();
        return Instant.ofEpochSecond(PG_EPOCH_SECONDS + Math.floorDiv(micros, 1_000_000L),
                Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    /** A NUL-terminated string. The database encoding is assumed to be UTF-8. */
    String cstring() {
        for (int i = pos; i < limit; i++) {
            if (buf[i] == 0) {
                String s = new String(buf, pos, i - pos, StandardCharsets.UTF_8);
                pos = i + 1; // past the terminator
                return s;
            }
        }
        throw fail("string without its NUL terminator");
    }

    /** {@code length} bytes of UTF-8 text, left in the message: a 100 MB value is never copied on its way. */
    TupleData.Text text(int length) {
        checkLength(length);
        TupleData.Text t = TupleData.Text.slice(buf, pos, length);
        pos += length;
        return t;
    }

    /** {@code length} bytes; the length was read from the wire and is checked before allocating. */
    byte[] bytes(int length) {
        checkLength(length);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + length);
        pos += length;
        return out;
    }

    private void checkLength(int length) {
        if (length < 0) {
            throw fail("negative length " + length);
        }
        need(length);
    }

    void expectEnd() {
        if (remaining() > 0) {
            throw fail(remaining() + " unexpected trailing bytes");
        }
    }

    InflightException fail(String what) {
        return new InflightException(ErrorCode.INTERNAL, "Cannot decode pgoutput message '" + printable(type)
                + "' at offset " + offset() + ": " + what + ". The replication stream is not in the expected"
                + " pgoutput format (protocol version mismatch?); this is a bug in Inflight, please report it.");
    }

    private void need(int n) {
        if (remaining() < n) {
            throw fail("truncated, needed " + n + " more bytes but only " + remaining() + " remain");
        }
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format(Locale.ROOT, "0x%02X", (int) c);
    }
}
