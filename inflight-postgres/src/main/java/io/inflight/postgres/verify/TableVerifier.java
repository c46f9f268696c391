package io.inflight.postgres.verify;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.postgres.snapshot.CopyRange;
import io.inflight.postgres.snapshot.RangePlanner;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares one table, in three steps, moving only hashes until the differing keys are known:
 * <ol>
 *   <li>each side hashes its rows into buckets, in slices on parallel connections (source and target at
 *       once); equal buckets are done;</li>
 *   <li>the rows of the differing buckets are streamed from both sides as (key, row hash), in one shared
 *       order, and merged: keys on one side only, or with different hashes, are the differences;</li>
 *   <li>live: each difference is read again once the target has applied the source past the LSN of the read
 *       that found it, until it disappears (lag) or the source row stays unchanged across a re-read (real);
 *       then the differing rows are read whole to name the columns that differ.</li>
 * </ol>
 * One instance per table; runs on the calling thread, fanning slices out to {@code workers}.
 */
final class TableVerifier {

    private static final Logger log = LoggerFactory.getLogger(TableVerifier.class);
    /** Re-reads at most: a row rewritten faster than the target catches up is reported as it stands. */
    static final int MAX_RECHECKS = 10;

    private final TableSql sql;
    private final SideReader source;
    private final SideReader target;
    private final RangePlanner planner;
    private final ExecutorService workers;
    private final ExecutorService aux;
    private final RateLimiter limiter;
    private final Optional<LagWait> live;

    TableVerifier(TableSql sql, SideReader source, SideReader target, RangePlanner planner, ExecutorService workers,
                  ExecutorService aux, RateLimiter limiter, Optional<LagWait> live) {
        this.sql = sql;
        this.source = source;
        this.target = target;
        this.planner = planner;
        this.workers = workers;
        this.aux = aux;
        this.limiter = limiter;
        this.live = live;
    }

    /** What the merge found: the differences held (at most {@link TableReport#MAX_LISTED}) and the rest counted. */
    private static final class Found {
        final List<Mismatch> held = new ArrayList<>();
        long overflowMissing;
        long overflowExtra;
        long overflowDiffering;
        Lsn sourceLsn;
    }

    TableReport verify() {
        long start = System.nanoTime();
        List<CopyRange> sourceSlices = source.pool().inTransaction("planning slices of " + sql.table(),
                c -> planner.plan(c, source.info()));
        List<CopyRange> targetSlices = target.pool().inTransaction("planning slices of " + sql.table(),
                c -> planner.plan(c, target.info()));
        long rowsPerSlice = Math.max(1, source.info().estimatedRows()) / sourceSlices.size();
        List<Future<SideReader.SliceRead>> sourceReads = new ArrayList<>();
        List<Future<SideReader.SliceRead>> targetReads = new ArrayList<>();
        // Interleaved, so the two sides hash at the same time.
        for (int i = 0; i < Math.max(sourceSlices.size(), targetSlices.size()); i++) {
            if (i < sourceSlices.size()) {
                CopyRange slice = sourceSlices.get(i);
                sourceReads.add(workers.submit(() -> {
                    limiter.acquire(rowsPerSlice);
                    return source.bucketSums(slice);
                }));
            }
            if (i < targetSlices.size()) {
                CopyRange slice = targetSlices.get(i);
                targetReads.add(workers.submit(() -> target.bucketSums(slice)));
            }
        }
        BucketSums sourceSums = new BucketSums();
        BucketSums targetSums = new BucketSums();
        sourceReads.forEach(f -> sourceSums.addAll(get(f).sums()));
        targetReads.forEach(f -> targetSums.addAll(get(f).sums()));
        Set<Long> buckets = sourceSums.differingFrom(targetSums);
        long sourceRows = sourceSums.rows();
        long targetRows = targetSums.rows();
        log.debug("{}: {} source rows, {} target rows, {} of {} buckets differ", sql.table(), sourceRows, targetRows,
                buckets.size(), sql.buckets());
        if (buckets.isEmpty()) {
            return report(List.of(), new Found(), 0, sourceRows, targetRows, start);
        }
        Found found = merge(buckets);
        long resolved = 0;
        List<Mismatch> current = found.held;
        if (live.isPresent() && !current.isEmpty()) {
            int before = current.size();
            current = recheck(current, found.sourceLsn);
            resolved = before - current.size();
        }
        return report(current, found, resolved, sourceRows, targetRows, start);
    }

    private Found merge(Set<Long> buckets) {
        Found found = new Found();
        limiter.acquireUnchecked(Math.max(0, source.info().estimatedRows()));
        String doing = "comparing the rows of " + buckets.size() + " differing key buckets of " + sql.table();
        found.sourceLsn = source.pool().inTransaction(doing, sc -> {
            Optional<Lsn> lsn = source.snapshotLsn(sc);
            target.pool().inTransaction(doing, tc -> {
                Future<ResultSet> targetRows = aux.submit(() -> target.openRowsOfBuckets(tc, buckets));
                try (ResultSet sr = source.openRowsOfBuckets(sc, buckets); ResultSet tr = getSql(targetRows)) {
                    MergeDiff.merge(source.entries(sr), target.entries(tr),
                            sql.keyed() ? MergeDiff.KEYED : MergeDiff.MULTISET, m -> hold(found, m));
                } catch (SideReader.SqlFailure e) {
                    throw e.getCause();
                }
                return null;
            });
            return lsn.orElseThrow();
        });
        return found;
    }

    private void hold(Found found, Mismatch m) {
        if (found.held.size() < TableReport.MAX_LISTED) {
            found.held.add(m);
        } else if (m.target() == null) {
            found.overflowMissing += sql.keyed() ? 1 : m.source().count();
        } else if (m.source() == null) {
            found.overflowExtra += sql.keyed() ? 1 : m.target().count();
        } else if (sql.keyed()) {
            found.overflowDiffering++;
        } else {
            long d = m.source().count() - m.target().count();
            found.overflowMissing += Math.max(0, d);
            found.overflowExtra += Math.max(0, -d);
        }
    }

    /**
     * Reads the differences again, each time after the target has applied the source past the LSN of the
     * previous read, until none is left or the source side of every one left stayed the same across two reads
     * (so the target had time to receive it: a real difference) or the target did not catch up in time.
     */
    private List<Mismatch> recheck(List<Mismatch> found, Lsn foundAt) {
        LagWait wait = live.orElseThrow();
        List<Mismatch> current = found;
        Lsn lsn = foundAt;
        for (int round = 0; round < MAX_RECHECKS && !current.isEmpty() && wait.waitFor(lsn); round++) {
            List<RowEntry> wanted = current.stream().map(Mismatch::either).toList();
            SideReader.Read t = target.byIds(wanted);
            SideReader.Read s = source.byIds(wanted);
            List<Mismatch> still = new ArrayList<>();
            boolean sourceSettled = true;
            for (Mismatch m : current) {
                RowEntry se = s.rows().get(m.id());
                RowEntry te = t.rows().get(m.id());
                if ((se == null && te == null) || (se != null && se.sameAs(te))) {
                    continue;
                }
                still.add(new Mismatch(m.id(), se, te));
                sourceSettled &= se == null ? m.source() == null : se.sameAs(m.source());
            }
            log.debug("{}: re-check after {}: {} of {} differences left", sql.table(), lsn, still.size(), current.size());
            current = still;
            lsn = s.lsn().orElseThrow();
            if (sourceSettled) {
                break;
            }
        }
        return current;
    }

    private TableReport report(List<Mismatch> mismatches, Found found, long resolved, long sourceRows,
                               long targetRows, long start) {
        long missing = found.overflowMissing;
        long extra = found.overflowExtra;
        long differing = found.overflowDiffering;
        List<Difference> differences = new ArrayList<>();
        List<Mismatch> changed = new ArrayList<>();
        Map<Long, Long> surplusOnSource = new LinkedHashMap<>();
        Map<Long, Long> surplusOnTarget = new LinkedHashMap<>();
        for (Mismatch m : mismatches) {
            if (sql.keyed()) {
                if (m.target() == null) {
                    missing++;
                    differences.add(new Difference(Difference.Kind.MISSING, m.source().key(), List.of(), 1));
                } else if (m.source() == null) {
                    extra++;
                    differences.add(new Difference(Difference.Kind.EXTRA, m.target().key(), List.of(), 1));
                } else {
                    differing++;
                    changed.add(m);
                }
            } else {
                long d = (m.source() == null ? 0 : m.source().count()) - (m.target() == null ? 0 : m.target().count());
                if (d > 0) {
                    missing += d;
                    surplusOnSource.put(m.either().hash(), d);
                } else {
                    extra += -d;
                    surplusOnTarget.put(m.either().hash(), -d);
                }
            }
        }
        Map<String, Long> columnCounts = new LinkedHashMap<>();
        sql.columns().forEach(c -> columnCounts.put(c.name(), 0L));
        if (!changed.isEmpty()) {
            differences.addAll(differingColumns(changed, columnCounts));
        }
        multisetRows(source, surplusOnSource, Difference.Kind.MISSING, differences);
        multisetRows(target, surplusOnTarget, Difference.Kind.EXTRA, differences);
        columnCounts.values().removeIf(n -> n == 0);
        boolean equal = missing == 0 && extra == 0 && differing == 0;
        return new TableReport(sql.table(), sql.keyed() ? TableReport.Method.KEY : TableReport.Method.MULTISET,
                equal ? TableReport.Status.EQUAL : TableReport.Status.DIFFERS, sql.keyColumns(), sourceRows, targetRows,
                missing, extra, differing, columnCounts, resolved, differences, Optional.empty(),
                Duration.ofNanos(System.nanoTime() - start), false);
    }

    /** Reads the differing rows whole on both sides, and names the columns whose texts differ. */
    private List<Difference> differingColumns(List<Mismatch> changed, Map<String, Long> counts) {
        List<List<String>> keys = changed.stream().map(m -> m.source().key()).toList();
        Future<Map<String, List<String>>> targetTexts = aux.submit(() -> target.columnTexts(keys));
        Map<String, List<String>> sourceTexts = source.columnTexts(keys);
        Map<String, List<String>> targetMap = get(targetTexts);
        List<Difference> out = new ArrayList<>(changed.size());
        for (Mismatch m : changed) {
            List<String> s = sourceTexts.get(m.id());
            List<String> t = targetMap.get(m.id());
            List<String> cols = new ArrayList<>();
            if (s != null && t != null) {
                for (int i = 0; i < sql.columns().size(); i++) {
                    if (!Objects.equals(s.get(i), t.get(i))) {
                        String name = sql.columns().get(i).name();
                        cols.add(name);
                        counts.merge(name, 1L, Long::sum);
                    }
                }
            }
            out.add(new Difference(Difference.Kind.DIFFERS, m.source().key(), cols, 1));
        }
        return out;
    }

    private static void multisetRows(SideReader side, Map<Long, Long> surplus, Difference.Kind kind,
                                     List<Difference> out) {
        if (surplus.isEmpty()) {
            return;
        }
        Map<Long, String> texts = new HashMap<>(side.rowTexts(surplus.keySet()));
        surplus.forEach((hash, rows) -> out.add(new Difference(kind,
                java.util.Collections.singletonList(texts.get(hash)), List.of(), rows)));
    }

    private static <T> T get(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InflightException(ErrorCode.INTERRUPTED, "verify was interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new InflightException(ErrorCode.INTERNAL, "verify failed: " + e.getCause(), e.getCause());
        }
    }

    private static <T> T getSql(Future<T> f) throws SQLException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InflightException(ErrorCode.INTERRUPTED, "verify was interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException s) {
                throw s;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new InflightException(ErrorCode.INTERNAL, "verify failed: " + e.getCause(), e.getCause());
        }
    }
}
