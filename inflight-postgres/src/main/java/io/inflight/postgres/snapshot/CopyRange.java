package io.inflight.postgres.snapshot;

import io.inflight.postgres.checkpoint.RangeBounds;
import java.util.Objects;
import java.util.Optional;

/**
 * One part of a table to copy: its recorded bounds and the SQL condition selecting exactly its rows.
 * The ranges a planner returns for a table are disjoint and together cover every row, whatever the table
 * holds under the snapshot (the first has no lower bound, the last no upper bound).
 *
 * @param predicate a condition on the table's columns, or empty for the whole table
 */
public record CopyRange(RangeBounds bounds, Optional<String> predicate) {

    public static final CopyRange WHOLE = new CopyRange(RangeBounds.WHOLE, Optional.empty());

    public CopyRange {
        Objects.requireNonNull(bounds, "bounds");
        Objects.requireNonNull(predicate, "predicate");
    }
}
