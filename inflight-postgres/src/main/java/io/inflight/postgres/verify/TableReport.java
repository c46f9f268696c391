package io.inflight.postgres.verify;

import io.inflight.core.TableId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What verify found in one table.
 *
 * @param keyColumns        the key the rows were matched by; empty for a multiset comparison
 * @param sourceRows        rows on the source: the rows compared
 * @param targetRows        rows on the target
 * @param missing           rows the target lacks
 * @param extra             rows only the target has
 * @param differing         keys whose rows differ
 * @param differingColumns  per column, how many differing rows differ in it (table order)
 * @param resolvedByLag     differences seen at first that the stream then caught up with (live mode)
 * @param differences       the differences themselves, at most {@link #MAX_LISTED}
 * @param reason            why a table was not compared
 * @param resumed           taken from an earlier, interrupted run of the same verify run
 */
public record TableReport(TableId table, Method method, Status status, List<String> keyColumns, long sourceRows,
                          long targetRows, long missing, long extra, long differing,
                          Map<String, Long> differingColumns, long resolvedByLag, List<Difference> differences,
                          Optional<String> reason, Duration elapsed, boolean resumed) {

    /** Differences listed per table; beyond it they are counted, not listed. */
    public static final int MAX_LISTED = 200_000;

    /** How rows were matched. */
    public enum Method {
        /** By primary key or a unique key over NOT NULL columns. */
        KEY,
        /** No key: every distinct row and how often it occurs (slower: no index helps). */
        MULTISET
    }

    /** The verdict for the table. */
    public enum Status { EQUAL, DIFFERS, NOT_COMPARED }

    public TableReport {
        keyColumns = List.copyOf(keyColumns);
        differingColumns = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(differingColumns));
        differences = List.copyOf(differences);
    }

    static TableReport notCompared(TableId table, String reason) {
        return new TableReport(table, Method.KEY, Status.NOT_COMPARED, List.of(), 0, 0, 0, 0, 0, Map.of(), 0,
                List.of(), Optional.of(reason), Duration.ZERO, false);
    }

    /** Differences found beyond those listed. */
    public long unlisted() {
        long total = method == Method.MULTISET ? missing + extra : missing + extra + differing;
        long listed = differences.stream().mapToLong(d -> method == Method.MULTISET ? d.rows() : 1).sum();
        return Math.max(0, total - listed);
    }

    TableReport asResumed() {
        return new TableReport(table, method, status, keyColumns, sourceRows, targetRows, missing, extra, differing,
                differingColumns, resolvedByLag, differences, reason, elapsed, true);
    }
}
