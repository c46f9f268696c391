package io.inflight.postgres.checkpoint;

import io.inflight.core.Lsn;
import io.inflight.core.TableId;
import java.time.Instant;
import java.util.Optional;

/**
 * A table's copy progress.
 *
 * @param snapshotLsn the LSN of the snapshot its rows were (or are being) copied under; empty while pending.
 *                    The stream applies a change to this table only if its transaction commits at or after it
 * @param attempts    how many runs started copying it (more than one: it was recopied after a crash)
 */
public record TableState(TableId table, CopyStatus status, Optional<Lsn> snapshotLsn, long rows, long bytes,
                         int attempts, Optional<Instant> startedAt, Optional<Instant> finishedAt) {
}
