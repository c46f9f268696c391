package io.inflight.postgres.stream;

import io.inflight.core.Lsn;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One message of PostgreSQL's logical replication protocol as the {@code pgoutput} plugin writes it, decoded by
 * {@link PgOutputDecoder}. All messages are immutable values. Transaction ids are unsigned 32-bit numbers held
 * in a {@code long}; relation and type ids are OIDs held in an {@code int} (compare with
 * {@link Integer#toUnsignedLong} when ordering matters).
 */
public sealed interface PgOutputMessage {

    /** Start of a committed transaction; {@code finalLsn} equals the following {@link Commit#commitLsn()}. */
    record Begin(Lsn finalLsn, Instant commitTime, long xid) implements PgOutputMessage {
    }

    /** End of the transaction opened by the last {@link Begin}. {@code flags} is unused by the server (0). */
    record Commit(int flags, Lsn commitLsn, Lsn endLsn, Instant commitTime) implements PgOutputMessage {
    }

    /** The transaction was replicated from another server ({@code lsn} is the commit LSN there). */
    record Origin(Lsn lsn, String name) implements PgOutputMessage {
    }

    /**
     * The shape of a table, sent before its first change in a session and again whenever it changes. The
     * columns are those published (no generated columns), in the order of every {@link TupleData} for it.
     *
     * @param namespace       the schema; empty for {@code pg_catalog}
     * @param replicaIdentity {@code relreplident}: {@code d} default, {@code n} nothing, {@code f} full,
     *                        {@code i} index
     */
    record Relation(int relationId, String namespace, String name, char replicaIdentity, List<Column> columns)
            implements PgOutputMessage {

        public Relation {
            columns = List.copyOf(columns);
        }

        /** {@code key}: the column is part of the replica identity (what old keys carry). */
        public record Column(boolean key, String name, int typeOid, int typmod) {
        }
    }

    /** Names a non built-in type used by a following relation's columns. */
    record Type(int typeOid, String namespace, String name) implements PgOutputMessage {
    }

    record Insert(int relationId, TupleData newTuple) implements PgOutputMessage {
    }

    /**
     * A row update. {@code old} is present when the replica identity changed (key columns, {@link OldKind#KEY})
     * or always with {@code REPLICA IDENTITY FULL} ({@link OldKind#FULL}). {@code newTuple} may hold
     * {@link TupleData.Value#UNCHANGED_TOAST} values.
     */
    record Update(int relationId, Optional<OldTuple> old, TupleData newTuple) implements PgOutputMessage {
    }

    /** A row deletion, identified by its key (default/index identity) or whole old row (FULL). */
    record Delete(int relationId, OldTuple old) implements PgOutputMessage {
    }

    record Truncate(boolean cascade, boolean restartIdentity, List<Integer> relationIds) implements PgOutputMessage {

        public Truncate {
            relationIds = List.copyOf(relationIds);
        }
    }

    /**
     * A message written by {@code pg_logical_emit_message}. A non-transactional one is sent on its own, outside
     * any Begin/Commit.
     */
    record LogicalMessage(boolean transactional, Lsn lsn, String prefix, byte[] content) implements PgOutputMessage {

        public LogicalMessage {
            content = content.clone();
        }

        @Override
        public byte[] content() {
            return content.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LogicalMessage m && transactional == m.transactional && lsn.equals(m.lsn)
                    && prefix.equals(m.prefix) && Arrays.equals(content, m.content);
        }

        @Override
        public int hashCode() {
            return Objects.hash(transactional, lsn, prefix) * 31 + Arrays.hashCode(content);
        }

        @Override
        public String toString() {
            return "LogicalMessage[transactional=" + transactional + ", lsn=" + lsn + ", prefix=" + prefix
                    + ", content=" + content.length + " bytes]";
        }
    }

    // --- protocol version 2: transactions streamed while still in progress ---

    /** Opens a block of changes of in-progress transaction {@code xid}; blocks of several transactions interleave. */
    record StreamStart(long xid, boolean firstSegment) implements PgOutputMessage {
    }

    /** Closes the block opened by the last {@link StreamStart}. */
    record StreamStop() implements PgOutputMessage {
    }

    /** The streamed transaction {@code xid} committed: apply what was streamed for it. */
    record StreamCommit(long xid, int flags, Lsn commitLsn, Lsn endLsn, Instant commitTime)
            implements PgOutputMessage {
    }

    /**
     * The streamed transaction {@code xid} aborted, or only its subtransaction {@code subXid} when the two
     * differ: drop what was streamed for that (sub)transaction.
     */
    record StreamAbort(long xid, long subXid) implements PgOutputMessage {
    }

    /**
     * A change inside a stream block: {@code xid} is the (sub)transaction it belongs to, which is what a later
     * {@link StreamAbort#subXid()} names.
     */
    record Streamed(long xid, PgOutputMessage change) implements PgOutputMessage {
    }

    /** Whether an old tuple carries only the replica identity columns or the whole row. */
    enum OldKind {
        /** {@code 'K'}: key columns only; the other columns are NULL. */
        KEY,
        /** {@code 'O'}: every column (REPLICA IDENTITY FULL). */
        FULL
    }

    record OldTuple(OldKind kind, TupleData tuple) {
    }
}
