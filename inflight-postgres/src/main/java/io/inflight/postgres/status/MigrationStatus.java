package io.inflight.postgres.status;

import io.inflight.core.Lsn;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where a migration stands, read from its durable state on the target and, when reachable, the source's slot.
 * Works from another terminal while a run is going, and after a crash.
 *
 * @param tables          per-table copy state
 * @param appliedLsn      end LSN of the last source transaction the stream committed on the target
 * @param appliedCommit   that transaction's commit time on the source
 * @param appliedAt       when the stream last committed on the target
 * @param source          the source side, empty when it could not be reached (with the reason)
 * @param lastVerify      the latest {@code inflight verify} run against this target, if any
 * @param changesApplied  row changes the stream has applied in all, and its rate over its last seconds (as of
 *                        {@code appliedAt}; empty before the stream's first commit)
 */
public record MigrationStatus(boolean migrationExists, String phase, String slot, String publication,
                              Lsn consistentLsn, Instant startedAt, Instant updatedAt, List<TableCopy> tables,
                              Optional<Lsn> appliedLsn, Optional<Instant> appliedCommit, Optional<Instant> appliedAt,
                              Optional<SourceSide> source, Optional<String> sourceError,
                              Optional<VerifySummary> lastVerify, long changesApplied,
                              Optional<Double> changesPerSecond) {

    public MigrationStatus {
        tables = List.copyOf(tables);
    }

    /** One table's copy; {@code startedAt} is when its current attempt began. */
    public record TableCopy(String table, String status, long rowsCopied, long bytesCopied, int attempts,
                            Optional<Instant> startedAt) {

        /** Rows per second so far, for a table being copied. */
        public Optional<Double> rowsPerSecond(Instant now) {
            if (!status.equals("copying") || startedAt.isEmpty()) {
                return Optional.empty();
            }
            double seconds = Duration.between(startedAt.get(), now).toMillis() / 1000.0;
            return seconds <= 0 ? Optional.empty() : Optional.of(rowsCopied / seconds);
        }
    }

    /**
     * The latest verify run, summed over its tables.
     *
     * @param finishedAt      empty while it runs, or when it was stopped before its end (a rerun resumes it)
     * @param tablesDiffering tables where rows are missing, extra or differ
     * @param tablesNotCompared tables verify could not compare (no usable key and no full-row method, an error)
     * @param resolvedByLag   differences that went away once the stream caught up: replication lag, not loss
     */
    public record VerifySummary(long runId, Instant startedAt, Optional<Instant> finishedAt, int tables,
                                int tablesDiffering, int tablesNotCompared, long missing, long extra, long differing,
                                long resolvedByLag) {

        /** Finished, every table compared, nothing differs. */
        public boolean clean() {
            return finishedAt.isPresent() && tablesDiffering == 0 && tablesNotCompared == 0;
        }
    }

    /**
     * @param currentLsn   the source's WAL insert position
     * @param slotActive   a stream is connected to the slot right now
     * @param confirmedLsn what the slot has been told the target holds
     * @param retainedWal  WAL the slot keeps on the source, in bytes
     */
    public record SourceSide(Lsn currentLsn, boolean slotExists, boolean slotActive, Optional<Lsn> confirmedLsn,
                             long retainedWal) {
    }

    public long tablesCopied() {
        return tables.stream().filter(t -> t.status().equals("copied")).count();
    }

    public long rowsCopied() {
        return tables.stream().mapToLong(TableCopy::rowsCopied).sum();
    }

    /** WAL the target is behind by, when both positions are known. */
    public Optional<Long> lagBytes() {
        if (source.isEmpty()) {
            return Optional.empty();
        }
        Lsn applied = appliedLsn.orElse(consistentLsn);
        return Optional.of(source.get().currentLsn().bytesAfter(applied));
    }

    /**
     * How far behind in time: zero when the stream has applied everything the source wrote; else the age of the
     * last applied source commit (an upper bound while the stream runs).
     */
    public Optional<Duration> lagTime(Instant now) {
        Optional<Long> bytes = lagBytes();
        if (bytes.isEmpty() || appliedCommit.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(bytes.get() == 0 ? Duration.ZERO : Duration.between(appliedCommit.get(), now));
    }
}
