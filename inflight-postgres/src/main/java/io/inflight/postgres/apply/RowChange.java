package io.inflight.postgres.apply;

import io.inflight.postgres.stream.TupleData;

/**
 * One row change of a source transaction, ready to apply: tuples are in {@link TableShape#columns()} order and
 * values stay in the source's text form. Immutable.
 */
public sealed interface RowChange {

    TableShape shape();

    /** Roughly how much memory the change holds, for bounding batches. */
    long approxBytes();

    /** A new row; every column is present (inserts never carry unchanged TOAST values). */
    record Insert(TableShape shape, TupleData row) implements RowChange {
        @Override
        public long approxBytes() {
            return row.approxBytes();
        }
    }

    /**
     * A changed row. {@code identity} holds the row's key as it was before the change (the old key or old row
     * when the source sent one, else the new row itself); {@code row} may hold unchanged TOAST values, which
     * are left as they are on the target.
     */
    record Update(TableShape shape, TupleData identity, TupleData row) implements RowChange {
        @Override
        public long approxBytes() {
            return row.approxBytes() + (identity == row ? 0 : identity.approxBytes());
        }

        /** Whether the change moves the row to another key. */
        public boolean changesKey() {
            return !shape.keyless() && shape.key().stream()
                    .anyMatch(k -> !identity.get(k).equals(row.get(k)));
        }
    }

    /** A deleted row, identified by its old key (or, for keyless tables, the whole old row). */
    record Delete(TableShape shape, TupleData identity) implements RowChange {
        @Override
        public long approxBytes() {
            return identity.approxBytes();
        }
    }
}
