package io.inflight.postgres.checkpoint;

import io.inflight.core.TableId;

/** One range of a table's copy, as recorded. An unsplit table has a single range numbered 0, {@code whole}. */
public record RangeState(TableId table, int rangeNo, RangeBounds bounds, boolean done, long rows, long bytes) {
}
