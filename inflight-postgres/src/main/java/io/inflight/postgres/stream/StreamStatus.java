package io.inflight.postgres.stream;

import io.inflight.core.Lsn;
import io.inflight.core.TableId;
import io.inflight.postgres.apply.ApplyStats;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * How the stream stands at one moment, published about once a second.
 *
 * @param phase          {@code connecting}, {@code streaming}, {@code reconnecting} or {@code copying <table>}
 * @param appliedLsn     end LSN of the last source transaction committed on the target
 * @param sourceLsn      the source's current WAL position; empty while the source cannot be reached
 * @param lagBytes       WAL the target is behind by (source position minus applied position)
 * @param lagTime        how long ago the oldest change not yet on the target was committed on the source
 * @param changesPerSecond row changes applied per second since the previous status
 * @param retainedWalBytes WAL the source keeps for the slot; empty when unknown
 */
public record StreamStatus(Instant at, String phase, Lsn appliedLsn, Optional<Lsn> sourceLsn, long lagBytes,
                           Duration lagTime, double changesPerSecond, long changes, long transactions,
                           long missingRows, Optional<Long> retainedWalBytes,
                           Map<TableId, ApplyStats.TableCounts> tables) {

    public StreamStatus {
        tables = Map.copyOf(tables);
    }
}
