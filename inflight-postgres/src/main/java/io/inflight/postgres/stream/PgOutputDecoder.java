package io.inflight.postgres.stream;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.postgres.stream.PgOutputMessage.Begin;
import io.inflight.postgres.stream.PgOutputMessage.Commit;
import io.inflight.postgres.stream.PgOutputMessage.Delete;
import io.inflight.postgres.stream.PgOutputMessage.Insert;
import io.inflight.postgres.stream.PgOutputMessage.LogicalMessage;
import io.inflight.postgres.stream.PgOutputMessage.OldKind;
import io.inflight.postgres.stream.PgOutputMessage.OldTuple;
import io.inflight.postgres.stream.PgOutputMessage.Origin;
import io.inflight.postgres.stream.PgOutputMessage.Relation;
import io.inflight.postgres.stream.PgOutputMessage.StreamAbort;
import io.inflight.postgres.stream.PgOutputMessage.StreamCommit;
import io.inflight.postgres.stream.PgOutputMessage.StreamStart;
import io.inflight.postgres.stream.PgOutputMessage.StreamStop;
import io.inflight.postgres.stream.PgOutputMessage.Streamed;
import io.inflight.postgres.stream.PgOutputMessage.Truncate;
import io.inflight.postgres.stream.PgOutputMessage.Type;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decodes the messages of the {@code pgoutput} plugin (PostgreSQL's "Logical Replication Message Formats"),
 * one message per buffer, for protocol version 1 (PostgreSQL 10+) or 2 (streamed in-progress transactions,
 * PostgreSQL 14+). Pure: no I/O.
 *
 * <p>With protocol 2, whether a change carries a transaction id depends on whether it falls between a Stream
 * Start and a Stream Stop, so a decoder holds that one bit of state: use one instance per replication stream,
 * from one thread at a time, feeding it every message in order.
 *
 * <p>Text (strings and {@code 't'} values) is decoded as UTF-8: the source database must use that encoding.
 */
public final class PgOutputDecoder {

    private static final int TRUNCATE_CASCADE = 1;
    private static final int TRUNCATE_RESTART_IDENTITY = 2;

    private final int protocolVersion;
    private boolean inStream;

    /** @param protocolVersion the {@code proto_version} the stream was started with: 1 or 2 */
    public PgOutputDecoder(int protocolVersion) {
        if (protocolVersion < 1 || protocolVersion > 2) {
            throw new InflightException(ErrorCode.UNSUPPORTED, "pgoutput protocol version " + protocolVersion
                    + " is not supported; Inflight reads proto_version 1 or 2.");
        }
        this.protocolVersion = protocolVersion;
    }

    /** A protocol-1 decoder, which needs no state; the same as {@code new PgOutputDecoder(1)}. */
    public static PgOutputDecoder protocol1() {
        return new PgOutputDecoder(1);
    }

    /**
     * Decodes the one message between the buffer's position and limit; the buffer itself is not moved. Text
     * values refer to the buffer's array instead of copying it: its content must not change afterwards.
     *
     * @throws InflightException ({@link ErrorCode#INTERNAL}) for an unknown message type, a truncated message or
     *                           trailing bytes, naming the message type and offset
     */
    public PgOutputMessage decode(ByteBuffer message) {
        if (!message.hasArray() || message.isReadOnly()) {
            byte[] copy = new byte[message.remaining()];
            message.duplicate().get(copy);
            return decode(copy);
        }
        // pgjdbc hands each message over in an array of its own, never reused: values may point into it.
        int from = message.arrayOffset() + message.position();
        return decode(message.array(), from, from + message.remaining());
    }

    /** Decodes one message held in a byte array (as {@code pg_logical_slot_get_binary_changes} returns it). */
    public PgOutputMessage decode(byte[] message) {
        return decode(message, 0, message.length);
    }

    private PgOutputMessage decode(byte[] message, int from, int limit) {
        WireReader in = new WireReader(message, from, limit);
        PgOutputMessage decoded = decodeOne(in);
        in.expectEnd();
        return decoded;
    }

    private PgOutputMessage decodeOne(WireReader in) {
        char type = in.type();
        switch (type) {
            case 'B':
                return new Begin(in.lsn(), in.timestamp(), in.uint32());
            case 'C':
                return new Commit(in.byte1(), in.lsn(), in.lsn(), in.timestamp());
            case 'O':
                return new Origin(in.lsn(), in.cstring());
            case 'S':
                requireProtocol2(in);
                inStream = true;
                return new StreamStart(in.uint32(), in.byte1() == 1);
            case 'E':
                requireProtocol2(in);
                inStream = false;
                return new StreamStop();
            case 'c':
                requireProtocol2(in);
                return new StreamCommit(in.uint32(), in.byte1(), in.lsn(), in.lsn(), in.timestamp());
            case 'A':
                requireProtocol2(in);
                return new StreamAbort(in.uint32(), in.uint32());
            case 'R', 'Y', 'I', 'U', 'D', 'T', 'M':
                if (inStream) {
                    long xid = in.uint32();
                    return new Streamed(xid, change(type, in));
                }
                return change(type, in);
            default:
                throw in.fail("unknown message type");
        }
    }

    /** The messages that carry a transaction id first when they are part of a streamed transaction. */
    private static PgOutputMessage change(char type, WireReader in) {
        return switch (type) {
            case 'R' -> relation(in);
            case 'Y' -> new Type(in.int32(), in.cstring(), in.cstring());
            case 'I' -> insert(in);
            case 'U' -> update(in);
            case 'D' -> delete(in);
            case 'T' -> truncate(in);
            case 'M' -> logicalMessage(in);
            default -> throw new IllegalStateException("not a change message: " + type);
        };
    }

    private static Relation relation(WireReader in) {
        int relationId = in.int32();
        String namespace = in.cstring();
        String name = in.cstring();
        char replicaIdentity = (char) in.byte1();
        int count = in.int16();
        if (count < 0) {
            throw in.fail("negative column count " + count);
        }
        List<Relation.Column> columns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            boolean key = (in.byte1() & 1) != 0;
            columns.add(new Relation.Column(key, in.cstring(), in.int32(), in.int32()));
        }
        return new Relation(relationId, namespace, name, replicaIdentity, columns);
    }

    private static Insert insert(WireReader in) {
        int relationId = in.int32();
        expect(in, 'N');
        return new Insert(relationId, tuple(in));
    }

    private static PgOutputMessage.Update update(WireReader in) {
        int relationId = in.int32();
        int marker = in.byte1();
        Optional<OldTuple> old = Optional.empty();
        if (marker == 'K' || marker == 'O') {
            old = Optional.of(new OldTuple(marker == 'K' ? OldKind.KEY : OldKind.FULL, tuple(in)));
            marker = in.byte1();
        }
        if (marker != 'N') {
            throw in.fail("expected 'N' (new tuple) but found byte " + marker);
        }
        return new PgOutputMessage.Update(relationId, old, tuple(in));
    }

    private static Delete delete(WireReader in) {
        int relationId = in.int32();
        int marker = in.byte1();
        if (marker != 'K' && marker != 'O') {
            throw in.fail("expected 'K' or 'O' (old tuple) but found byte " + marker);
        }
        return new Delete(relationId, new OldTuple(marker == 'K' ? OldKind.KEY : OldKind.FULL, tuple(in)));
    }

    private static Truncate truncate(WireReader in) {
        int count = in.int32();
        if (count < 0) {
            throw in.fail("negative relation count " + count);
        }
        int options = in.byte1();
        List<Integer> ids = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            ids.add(in.int32());
        }
        return new Truncate((options & TRUNCATE_CASCADE) != 0, (options & TRUNCATE_RESTART_IDENTITY) != 0, ids);
    }

    private static LogicalMessage logicalMessage(WireReader in) {
        boolean transactional = (in.byte1() & 1) != 0;
        return new LogicalMessage(transactional, in.lsn(), in.cstring(), in.bytes(in.int32()));
    }

    private static TupleData tuple(WireReader in) {
        int count = in.int16();
        if (count < 0) {
            throw in.fail("negative column count " + count);
        }
        TupleData.Value[] values = new TupleData.Value[count];
        long bytes = 0;
        boolean unchangedToast = false;
        for (int i = 0; i < count; i++) {
            int kind = in.byte1();
            switch (kind) {
                case 'n' -> values[i] = TupleData.Value.NULL;
                case 'u' -> {
                    values[i] = TupleData.Value.UNCHANGED_TOAST;
                    unchangedToast = true;
                }
                case 't' -> {
                    int length = in.int32();
                    values[i] = in.text(length);
                    bytes += length;
                }
                case 'b' -> {
                    int length = in.int32();
                    values[i] = new TupleData.Binary(in.bytes(length));
                    bytes += length;
                }
                default -> throw in.fail("unknown kind " + kind + " for column " + (i + 1) + " of a tuple");
            }
        }
        return TupleData.owning(values, bytes, unchangedToast);
    }

    private static void expect(WireReader in, char marker) {
        int found = in.byte1();
        if (found != marker) {
            throw in.fail("expected '" + marker + "' but found byte " + found);
        }
    }

    private void requireProtocol2(WireReader in) {
        if (protocolVersion < 2) {
            throw in.fail("streaming message in a protocol version " + protocolVersion + " stream");
        }
    }
}
