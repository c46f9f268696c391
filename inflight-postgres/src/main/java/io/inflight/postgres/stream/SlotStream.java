package io.inflight.postgres.stream;

import io.inflight.core.ErrorCode;
import io.inflight.core.Identifiers;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.postgres.checkpoint.StateStore;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * The source's change stream from the migration's slot: {@code pgoutput}, protocol 1 (every PostgreSQL from
 * 10 on speaks it), the publication's tables only. Reading never blocks, so the caller can commit a batch as
 * soon as the stream runs dry.
 *
 * <p>Positions: {@link #confirm} says which source position the target holds durably; only that is reported to
 * the source as flushed, so the source keeps every change not yet applied and resends it after a reconnect.
 * pgjdbc answers every keepalive of the server with a status update carrying only that position (its own
 * advancing of it on keepalives is off); the reader sends one besides every
 * {@value #STATUS_INTERVAL_MS} ms ({@link #sendStatus}). pgjdbc's own timer is off: it read the clock for every
 * message, on a machine where that was a tenth of the reading thread's work. Not thread-safe: one thread reads
 * and confirms.
 */
public final class SlotStream implements AutoCloseable {

    static final int STATUS_INTERVAL_MS = 250;

    private final PgConnector source;
    private final PGConnection connection;
    private final PGReplicationStream stream;
    private final PgOutputDecoder decoder = PgOutputDecoder.protocol1();
    private final String slot;
    private int lastMessageBytes;

    private SlotStream(PgConnector source, PGConnection connection, PGReplicationStream stream, String slot) {
        this.source = source;
        this.connection = connection;
        this.stream = stream;
        this.slot = slot;
    }

    /**
     * Starts streaming from the slot at {@code from} on a replication connection the caller opened (and may have
     * asked {@code IDENTIFY_SYSTEM} on): the source sends every transaction that commits at or after it (or after
     * the slot's confirmed position, if that is later). The stream owns the connection from here: it is closed
     * when starting fails or with the stream.
     */
    static SlotStream start(PGConnection c, PgConnector source, String slot, String publication, Lsn from) {
        try {
            PGReplicationStream s = c.getReplicationAPI().replicationStream().logical()
                    .withSlotName(slot)
                    .withStartPosition(LogSequenceNumber.valueOf(from.value()))
                    .withSlotOption("proto_version", "1")
                    .withSlotOption("publication_names", Identifiers.quote(publication))
                    .withStatusInterval(0, TimeUnit.MILLISECONDS)
                    // Left on, pgjdbc moves the flushed position itself to a keepalive's WAL end once the last
                    // received message is confirmed; that end can lie past a transaction still being sent, or one
                    // whose records interleave with the confirmed one. Only what the target committed is confirmed.
                    .withAutomaticFlush(false)
                    .start();
            SlotStream out = new SlotStream(source, c, s, slot);
            out.confirm(from);
            return out;
        } catch (SQLException e) {
            closeQuietly(c);
            throw translateStart(e, source, slot, publication);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private static InflightException translateStart(SQLException e, PgConnector source, String slot,
                                                    String publication) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String msg = e.getMessage() == null ? "" : e.getMessage();
        if (state.equals("42704") && msg.contains("slot")) {
            // the stream no longer looks the slot up before starting: this is where a dropped slot shows
            return new InflightException(ErrorCode.OBJECT_CONFLICT, "replication slot '" + slot + "' of this"
                    + " migration no longer exists on the source " + source.endpoint() + ", so changes made since"
                    + " the last applied position are lost to the stream. Start over: drop the cloned tables and"
                    + " schema " + StateStore.SCHEMA + " on the target, then run inflight clone again", state, e);
        }
        if (state.equals("55006")) {
            return new InflightException(ErrorCode.OBJECT_CONFLICT, "replication slot '" + slot + "' on the source "
                    + source.endpoint() + " is in use by another process (" + msg.strip() + "); stop the other"
                    + " stream (or wait for its connection to time out), then rerun", state, e);
        }
        if (state.equals("42704") && msg.contains("publication")) {
            return new InflightException(ErrorCode.OBJECT_CONFLICT, "publication '" + publication + "' does not"
                    + " exist on the source " + source.endpoint() + "; it was dropped after the clone. Recreate"
                    + " it for the migrated tables, then rerun", state, e);
        }
        return PgErrors.translate(e, source, "starting the change stream from slot '" + slot + "'");
    }

    /** The next message, or null when none has arrived yet. */
    public PgOutputMessage poll() {
        try {
            ByteBuffer data = stream.readPending();
            if (data == null) {
                return null;
            }
            lastMessageBytes = data.remaining();
            return decoder.decode(data);
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "reading the change stream from slot '" + slot + "'");
        }
    }

    /** The wire size of the message {@link #poll} returned last. */
    public int lastMessageBytes() {
        return lastMessageBytes;
    }

    /**
     * The latest position the source reported: the start of the last message, or of an idle keepalive. Between
     * transactions, everything before it that concerns this stream has been received.
     */
    public Lsn lastReceived() {
        return Lsn.valueOf(stream.getLastReceiveLSN().asLong());
    }

    /**
     * The target holds every change up to {@code lsn} durably: the source may forget them. Only records the
     * position (the next status update carries it), so it may be called from another thread than the reader.
     */
    public void confirm(Lsn lsn) {
        LogSequenceNumber l = LogSequenceNumber.valueOf(lsn.value());
        stream.setFlushedLSN(l);
        stream.setAppliedLSN(l);
    }

    /** Sends the confirmed position now: the reader does every {@value #STATUS_INTERVAL_MS} ms. */
    public void sendStatus() {
        try {
            stream.forceUpdateStatus();
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "confirming the applied position to slot '" + slot + "'");
        }
    }

    @Override
    public void close() {
        try {
            if (!stream.isClosed()) {
                stream.forceUpdateStatus();
                stream.close();
            }
        } catch (SQLException ignored) {
            // the connection may already be gone; the slot keeps the last confirmed position either way
        }
        closeQuietly(connection);
    }

    static void closeQuietly(PGConnection c) {
        try {
            ((java.sql.Connection) c).close();
        } catch (SQLException ignored) {
            // best effort
        }
    }
}
