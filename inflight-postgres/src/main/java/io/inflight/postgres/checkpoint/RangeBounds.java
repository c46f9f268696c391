package io.inflight.postgres.checkpoint;

import java.util.Objects;
import java.util.Optional;

/**
 * The bounds of one range of a table, as recorded for operators and for the exactly-once marks.
 *
 * @param kind  {@code whole} (no bounds), {@code key} (key values as text, a composite key as a row
 *              literal) or {@code ctid} (block numbers)
 * @param lower inclusive lower bound; empty for the first range
 * @param upper exclusive upper bound; empty for the last range
 */
public record RangeBounds(String kind, Optional<String> lower, Optional<String> upper) {

    public static final RangeBounds WHOLE = new RangeBounds("whole", Optional.empty(), Optional.empty());

    public RangeBounds {
        Objects.requireNonNull(kind, "kind");
        lower = lower == null ? Optional.empty() : lower;
        upper = upper == null ? Optional.empty() : upper;
    }
}
