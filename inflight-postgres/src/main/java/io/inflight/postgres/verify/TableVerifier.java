package io.inflight.postgres.verify;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.postgres.snapshot.CopyRange;
import io.inflight.postgres.snapshot.RangePlanner;
import java.math.BigInteger;
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
 * Compares one table, moving only hashes until the differing keys are known:
 * <ol>
 *   <li>a table keyed by one integer column is hashed per key range, the same ranges on both sides, on parallel
 *       connections (source and target at once); a differing range is split and compared again down to small
 *       ranges (bisection). Any other table is hashed into buckets by key hash (or row hash, without a key), in
 *       slices each side plans for itself;</li>
 *   <li>the rows of the small differing ranges or buckets are streamed from both sides as (key, row hash), in
 *       one shared order, and merged: keys on one side only, or with different hashes, are the differences;</li>
 *   <li>live: each difference is observed again, source first, then the target once it has applied the source
 *       past that read, until it disappears (lag) or two observations in a row see it identically (real; see
 *       {@link LagRecheck}); then the differing rows are read whole to name the columns that differ.</li>
 * </ol>
 * One instance per table; runs on the calling thread, fanning reads out to {@code workers}.
 */
final class TableVerifier {

    private static final Logger log = LoggerFactory.getLogger(TableVerifier.class);
    /** Key ranges of at most this many rows are merged rather than split further. */
    static final long LEAF_ROWS = 1000;
    /** Sub-ranges a differing key range is split into at most (each step returns one row per sub-range). */
    static final long MAX_PARTS = 4096;
    /** Leaf ranges merged by one query. */
    static final int LEAVES_PER_MERGE = 200;

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

    /** Rows on each side and, when they differ, what the merge found. */
    private record Scan(long sourceRows, long targetRows, Found found) {
    }

    TableReport verify() {
        long start = System.nanoTime();
        Scan scan = sql.integerKey() ? byKeyRanges() : byBuckets();
        Found found = scan.found();
        long resolved = 0;
        List<Mismatch> current = found.held;
        if (live.isPresent() && !current.isEmpty()) {
            LagRecheck.Outcome judged = new LagRecheck(sql.table(), source, target, live.get())
                    .judge(current, found.sourceLsn);
            current = judged.persistent();
            resolved = judged.resolvedByLag();
        }
        return report(current, found, resolved, scan.sourceRows(), scan.targetRows(), start);
    }

    /**
     * Any key, or none: each side hashes its rows into buckets by key hash, in slices it plans for itself (the
     * sums add up whatever the slices); the rows of differing buckets are then merged.
     */
    private Scan byBuckets() {
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
        log.debug("{}: {} source rows, {} target rows, {} of {} buckets differ", sql.table(), sourceSums.rows(),
                targetSums.rows(), buckets.size(), sql.buckets());
        Found found = new Found();
        if (!buckets.isEmpty()) {
            limiter.acquireUnchecked(Math.max(0, source.info().estimatedRows()));
            merge(found, "comparing the rows of " + buckets.size() + " differing key buckets of " + sql.table(),
                    (side, c) -> side.openRowsOfBuckets(c, buckets));
        }
        return new Scan(sourceSums.rows(), targetSums.rows(), found);
    }

    /**
     * One integer key: the source's key ranges, the same on both sides, hashed without grouping; a differing
     * range is split into sub-ranges of about {@link #LEAF_ROWS} rows, compared again (and again where keys are
     * sparse) down to ranges of at most
     * {@link #LEAF_ROWS} rows, whose rows are then merged. Each step reads only the differing ranges, by index.
     */
    private Scan byKeyRanges() {
        List<CopyRange> ranges = source.pool().inTransaction("planning key ranges of " + sql.table(),
                c -> planner.plan(c, source.info()));
        long rowsPerRange = Math.max(1, source.info().estimatedRows()) / ranges.size();
        List<Future<SideReader.Span>> sourceReads = new ArrayList<>();
        List<Future<SideReader.Span>> targetReads = new ArrayList<>();
        for (CopyRange range : ranges) {
            sourceReads.add(workers.submit(() -> {
                limiter.acquire(rowsPerRange);
                return source.rangeSums(range);
            }));
            targetReads.add(workers.submit(() -> target.rangeSums(range)));
        }
        long sourceRows = 0;
        long targetRows = 0;
        List<BigInteger[]> leaves = new ArrayList<>();
        List<Future<?>> bisections = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            SideReader.Span s = get(sourceReads.get(i));
            SideReader.Span t = get(targetReads.get(i));
            sourceRows += s.rows();
            targetRows += t.rows();
            if (!s.sameRows(t)) {
                // Differing ranges narrow down at once; each waits on its own reads only (aux never queues).
                bisections.add(aux.submit(() -> bisect(s, t, leaves)));
            }
        }
        bisections.forEach(TableVerifier::get);
        leaves.sort(java.util.Comparator.comparing(l -> l[0]));
        log.debug("{}: {} source rows, {} target rows, {} key ranges, {} differing leaf ranges", sql.table(),
                sourceRows, targetRows, ranges.size(), leaves.size());
        Found found = new Found();
        for (int i = 0; i < leaves.size(); i += LEAVES_PER_MERGE) {
            String condition = leaves.subList(i, Math.min(leaves.size(), i + LEAVES_PER_MERGE)).stream()
                    .map(l -> sql.keyBetween(l[0], l[1])).collect(java.util.stream.Collectors.joining(" OR "));
            merge(found, "comparing the rows of differing key ranges of " + sql.table(),
                    (side, c) -> side.openRowsWhere(c, condition));
        }
        return new Scan(sourceRows, targetRows, found);
    }

    /**
     * Narrows the differing range the two spans cover down to leaves of at most about {@link #LEAF_ROWS} rows:
     * split into as many sub-ranges as that takes (one read of the range per side, by index), recursing only
     * into sub-ranges that differ and are still too big (sparse keys).
     */
    private void bisect(SideReader.Span s, SideReader.Span t, List<BigInteger[]> leaves) {
        BigInteger lo = s.min() == null ? t.min() : t.min() == null ? s.min() : s.min().min(t.min());
        BigInteger hi = s.max() == null ? t.max() : t.max() == null ? s.max() : s.max().max(t.max());
        BigInteger span = hi.subtract(lo).add(BigInteger.ONE);
        long rows = Math.max(s.rows(), t.rows());
        if (rows <= LEAF_ROWS || span.compareTo(BigInteger.TWO) < 0) {
            synchronized (leaves) {
                leaves.add(new BigInteger[] {lo, hi});
            }
            return;
        }
        long parts = Math.min(MAX_PARTS, Math.max(2, 2 * rows / LEAF_ROWS));
        BigInteger width = span.add(BigInteger.valueOf(parts - 1)).divide(BigInteger.valueOf(parts));
        Future<Map<Long, SideReader.Span>> targetParts = aux.submit(() -> target.subrangeSums(lo, hi, width));
        limiter.acquireUnchecked(s.rows());
        Map<Long, SideReader.Span> sourceParts = source.subrangeSums(lo, hi, width);
        Map<Long, SideReader.Span> targetMap = get(targetParts);
        java.util.TreeSet<Long> groups = new java.util.TreeSet<>(sourceParts.keySet());
        groups.addAll(targetMap.keySet());
        for (Long g : groups) {
            SideReader.Span sp = sourceParts.getOrDefault(g, SideReader.Span.EMPTY);
            SideReader.Span tp = targetMap.getOrDefault(g, SideReader.Span.EMPTY);
            if (!sp.sameRows(tp)) {
                bisect(sp, tp, leaves);
            }
        }
    }

    /** Opens one side's ordered rows for a merge. */
    @FunctionalInterface
    private interface RowsOpener {
        ResultSet open(SideReader side, java.sql.Connection c) throws SQLException;
    }

    /**
     * Streams both sides' rows (each on a connection of its own, the two queries running at once) through
     * {@link MergeDiff} into {@code found}, noting the LSN of the source's snapshot.
     */
    private void merge(Found found, String doing, RowsOpener opener) {
        Lsn lsn = source.pool().inTransaction(doing, sc -> {
            Optional<Lsn> at = source.snapshotLsn(sc);
            target.pool().inTransaction(doing, tc -> {
                Future<ResultSet> targetRows = aux.submit(() -> opener.open(target, tc));
                try (ResultSet sr = opener.open(source, sc); ResultSet tr = getSql(targetRows)) {
                    MergeDiff.merge(source.entries(sr), target.entries(tr),
                            sql.keyed() ? MergeDiff.KEYED : MergeDiff.MULTISET, m -> hold(found, m));
                } catch (SideReader.SqlFailure e) {
                    throw e.getCause();
                }
                return null;
            });
            return at.orElseThrow();
        });
        found.sourceLsn = found.sourceLsn == null || lsn.compareTo(found.sourceLsn) > 0 ? lsn : found.sourceLsn;
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
