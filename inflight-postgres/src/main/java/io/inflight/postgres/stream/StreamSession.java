package io.inflight.postgres.stream;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.core.TableId;
import io.inflight.postgres.apply.Applier;
import io.inflight.postgres.apply.RowChange;
import io.inflight.postgres.apply.TableShape;
import io.inflight.postgres.stream.PgOutputMessage.Begin;
import io.inflight.postgres.stream.PgOutputMessage.Commit;
import io.inflight.postgres.stream.PgOutputMessage.Delete;
import io.inflight.postgres.stream.PgOutputMessage.Insert;
import io.inflight.postgres.stream.PgOutputMessage.Origin;
import io.inflight.postgres.stream.PgOutputMessage.Relation;
import io.inflight.postgres.stream.PgOutputMessage.Truncate;
import io.inflight.postgres.stream.PgOutputMessage.Update;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * One connection's worth of streaming: reads the slot, hands each source transaction to the {@link Applier} and
 * confirms to the source what the applier has committed. Runs on the calling thread until asked to stop or until
 * something fails; the {@link StreamJob} around it reconnects.
 *
 * <p>A change is applied only if its transaction commits at or after its table's start LSN (the LSN of the
 * snapshot the table was copied under): earlier changes are already in the copy. Transactions from a replication
 * origin listed in {@code skipOrigins} are left out whole: they are Inflight's own writes coming back.
 */
final class StreamSession {

    /** How long the stream must have been idle before an idle source's position is recorded. */
    private static final Duration IDLE_ADVANCE_EVERY = Duration.ofSeconds(1);
    private static final long IDLE_POLL_MS = 2;
    /** While someone awaits a position: how often the source is asked how far it has sent. */
    private static final Duration STATUS_REQUEST_EVERY = Duration.ofMillis(20);
    /** Read-ahead between the slot and the applier: enough to keep both busy, bounded in memory. */
    private static final int QUEUE_MESSAGES = 16_384;
    private static final int QUEUE_BYTES = 64 << 20;
    private static final int MAX_CACHED_SHAPES = 4096;

    private final SlotStream slot;
    private final Applier applier;
    private final TableShapes shapes;
    private final Map<TableId, Lsn> tableStarts;
    private final Set<String> skipOrigins;
    private final StreamState state;
    /** A position someone waits for: idle positions up to it are recorded without delay. */
    private final java.util.function.Supplier<Lsn> awaited;
    private SlotReader reader;
    private long lastStatusRequestNanos;

    private Lsn txCommitLsn = Lsn.INVALID;
    private boolean inTransaction;
    private boolean skipTransaction;
    private long lastIdleAdvanceNanos = System.nanoTime();
    /**
     * Each shape's table start, by the shape's identity: a shape object stands for one relation until the source
     * sends that relation again, and hashing a {@link TableId}'s names per change was a tenth of this thread's work
     * while catching up a load that touches several tables per transaction.
     */
    private final Map<TableShape, Lsn> shapeStarts = new IdentityHashMap<>();
    /** Everything up to here that concerns this stream has been received and handed to the applier. */
    private Lsn receivedUpTo = Lsn.INVALID;

    StreamSession(SlotStream slot, Applier applier, TableShapes shapes, Map<TableId, Lsn> tableStarts,
                  Set<String> skipOrigins, StreamState state, java.util.function.Supplier<Lsn> awaited) {
        this.slot = slot;
        this.applier = applier;
        this.shapes = shapes;
        this.tableStarts = Map.copyOf(tableStarts);
        this.skipOrigins = Set.copyOf(skipOrigins);
        this.state = state;
        this.awaited = awaited;
    }

    /**
     * Streams until {@code stop} says so. On a stop request the open batch is committed if the last source
     * transaction is complete, so a graceful stop loses no work; a failure leaves the batch uncommitted (the
     * next session applies it again from the stored position).
     */
    void run(BooleanSupplier stop) throws InterruptedException {
        try (SlotReader reader = new SlotReader(slot, QUEUE_MESSAGES, QUEUE_BYTES)) {
            this.reader = reader;
            reader.start();
            while (!stop.getAsBoolean()) {
                SlotReader.Item item = reader.poll(IDLE_POLL_MS);
                if (item instanceof SlotReader.Message m) {
                    handle(m.message());
                } else if (item instanceof SlotReader.Position p) {
                    receivedUpTo = p.lsn();
                } else if (item instanceof SlotReader.Failure f) {
                    throw f.error();
                } else {
                    idle();
                }
            }
        }
        // commits an open batch only between source transactions; either way confirms every commit that is durable
        applier.flush().ifPresent(this::confirm);
        slot.sendStatus();
    }

    /** Nothing waits to be applied: commit what is open, and now and then record an idle source's position. */
    private void idle() {
        applier.flush().ifPresent(this::confirm);
        if (!inTransaction) {
            state.caughtUp();
            long now = System.nanoTime();
            Lsn wanted = awaited.get();
            boolean awaiting = wanted.isValid() && applier.appliedLsn().compareTo(wanted) < 0;
            if (awaiting || now - lastIdleAdvanceNanos >= IDLE_ADVANCE_EVERY.toNanos()) {
                lastIdleAdvanceNanos = now;
                applier.advanceIdle(receivedUpTo, Instant.now()).ifPresent(this::confirm);
            }
            if (awaiting && applier.appliedLsn().compareTo(wanted) < 0
                    && now - lastStatusRequestNanos >= STATUS_REQUEST_EVERY.toNanos()) {
                // The source answers a status update that confirms less than it sent with a keepalive carrying
                // its send position: that tells an idle stream at once that nothing more is coming before it.
                lastStatusRequestNanos = now;
                reader.requestStatus();
            }
        }
    }

    private void confirm(Lsn lsn) {
        slot.confirm(lsn);
        state.applied(lsn);
    }

    private void handle(PgOutputMessage m) {
        if (m instanceof Begin b) {
            inTransaction = true;
            skipTransaction = false;
            txCommitLsn = b.finalLsn();
            state.received(b.commitTime());
            applier.begin(b.finalLsn());
        } else if (m instanceof Commit c) {
            inTransaction = false;
            applier.commit(c.endLsn(), c.commitTime()).ifPresent(this::confirm);
        } else if (m instanceof Origin o) {
            skipTransaction = skipOrigins.contains(o.name());
        } else if (m instanceof Relation r) {
            shapes.accept(r, applier.appliedLsn());
        } else if (m instanceof Insert i) {
            TableShape s = shapes.get(i.relationId());
            if (wanted(s)) {
                applier.apply(new RowChange.Insert(s, i.newTuple()));
            }
        } else if (m instanceof Update u) {
            TableShape s = shapes.get(u.relationId());
            if (wanted(s)) {
                applier.apply(new RowChange.Update(s, u.old().map(PgOutputMessage.OldTuple::tuple)
                        .orElse(u.newTuple()), u.newTuple()));
            }
        } else if (m instanceof Delete d) {
            TableShape s = shapes.get(d.relationId());
            if (wanted(s)) {
                applier.apply(new RowChange.Delete(s, d.old().tuple()));
            }
        } else if (m instanceof Truncate t) {
            List<TableId> tables = new ArrayList<>();
            for (int rel : t.relationIds()) {
                TableShape s = shapes.get(rel);
                if (wanted(s)) {
                    tables.add(s.table());
                }
            }
            applier.truncate(tables, t.cascade(), t.restartIdentity());
        } else if (m instanceof PgOutputMessage.Streamed || m instanceof PgOutputMessage.StreamStart
                || m instanceof PgOutputMessage.StreamStop || m instanceof PgOutputMessage.StreamCommit
                || m instanceof PgOutputMessage.StreamAbort) {
            throw new InflightException(ErrorCode.INTERNAL, "the source sent a streamed in-progress transaction"
                    + " (" + m + "), which this stream did not ask for");
        }
        // Type and LogicalMessage carry nothing to apply.
    }

    /** Whether a change to the table of {@code shape} in the current transaction belongs on the target. */
    private boolean wanted(TableShape shape) {
        if (skipTransaction) {
            return false;
        }
        Lsn start = shapeStarts.get(shape);
        if (start == null) {
            start = tableStarts.get(shape.table());
            if (start == null) {
                throw new NewTableException(shape.table());
            }
            if (shapeStarts.size() >= MAX_CACHED_SHAPES) {
                shapeStarts.clear(); // replaced shapes would otherwise pile up in a stream that runs for weeks
            }
            shapeStarts.put(shape, start);
        }
        return txCommitLsn.compareTo(start) >= 0;
    }

    /** A published table the migration never copied: it must be copied before its changes can apply. */
    static final class NewTableException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient TableId table;

        NewTableException(TableId table) {
            super("table " + table + " was never copied", null, false, false);
            this.table = table;
        }
    }
}
