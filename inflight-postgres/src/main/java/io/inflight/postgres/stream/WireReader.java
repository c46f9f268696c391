package io.inflight.postgres.stream;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * Reads the protocol's big-endian fields from one message, failing with an error that names the message type and
 * the offset (from the message's first byte) where the bytes ran out or made no sense.
 */
final class WireReader {

    /** Seconds from the Unix epoch to PostgreSQL's, 2000-01-01T00:00:00Z. */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;

    private final ByteBuffer buf;
    private final int start;
    private char type = '?';

    WireReader(ByteBuffer buf) {
        // Big-endian is the buffer default, but a caller's buffer may have been switched.
        this.buf = buf.duplicate().order(ByteOrder.BIG_ENDIAN);
        this.start = this.buf.position();
    }

    char type() {
        type = (char) byte1();
        return type;
    }

    int offset() {
        return buf.position() - start;
    }

    int byte1() {
        need(1);
        return buf.get() & 0xFF;
    }

    short int16() {
        need(2);
        return buf.getShort();
    }

    int int32() {
        need(4);
        return buf.getInt();
    }

    /** An unsigned 32-bit field such as a transaction id. */
    long uint32() {
        return Integer.toUnsignedLong(int32());
    }

    long int64() {
        need(8);
        return buf.getLong();
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
        int from = buf.position();
        for (int i = from; i < buf.limit(); i++) {
            if (buf.get(i) == 0) {
                byte[] bytes = new byte[i - from];
                buf.get(bytes);
                buf.get(); // the terminator
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }
        throw fail("string without its NUL terminator");
    }

    /**
     * {@code length} bytes of UTF-8 as a string, decoded straight from the message: a 100 MB value must not be
     * copied once more on its way (the heap holds the message and the string, nothing else).
     */
    String utf8(int length) {
        if (length < 0) {
            throw fail("negative length " + length);
        }
        need(length);
        if (!buf.hasArray()) {
            return new String(bytes(length), StandardCharsets.UTF_8);
        }
        String s = new String(buf.array(), buf.arrayOffset() + buf.position(), length, StandardCharsets.UTF_8);
        buf.position(buf.position() + length);
        return s;
    }

    /** {@code length} bytes; the length was read from the wire and is checked before allocating. */
    byte[] bytes(int length) {
        if (length < 0) {
            throw fail("negative length " + length);
        }
        need(length);
        byte[] out = new byte[length];
        buf.get(out);
        return out;
    }

    void expectEnd() {
        if (buf.hasRemaining()) {
            throw fail(buf.remaining() + " unexpected trailing bytes");
        }
    }

    InflightException fail(String what) {
        return new InflightException(ErrorCode.INTERNAL, "Cannot decode pgoutput message '" + printable(type)
                + "' at offset " + offset() + ": " + what + ". The replication stream is not in the expected"
                + " pgoutput format (protocol version mismatch?); this is a bug in Inflight, please report it.");
    }

    private void need(int n) {
        if (buf.remaining() < n) {
            throw fail("truncated, needed " + n + " more bytes but only " + buf.remaining() + " remain");
        }
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format(Locale.ROOT, "0x%02X", (int) c);
    }
}
