package io.inflight.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * When the source's WAL insert position passed each point: samples of (time, insert LSN) taken by the
 * harness, in time order. Answers "how long ago was position P the source's head?" by linear
 * interpolation between the two samples around P, which turns an applier's position into a lag in
 * seconds. Resolution is the sampling interval; between two samples WAL is assumed to be written at an
 * even rate. Not thread-safe: one sampler thread adds, readers look only after it stopped.
 */
final class LagTimeline {

    private final List<long[]> points = new ArrayList<>();

    /** Records that at {@code nanos} (System.nanoTime) the source's insert position was {@code insertLsn}. */
    void add(long nanos, long insertLsn) {
        if (!points.isEmpty()) {
            long[] last = points.get(points.size() - 1);
            if (nanos < last[0] || insertLsn < last[1]) {
                throw new IllegalArgumentException("samples must come in time and LSN order: " + nanos + "/" + insertLsn
                        + " after " + last[0] + "/" + last[1]);
            }
        }
        points.add(new long[] {nanos, insertLsn});
    }

    /**
     * Seconds between when the source's insert position reached {@code position} and {@code nanos}: 0 when
     * the position is at or past the head sampled at that time. A position older than the first sample
     * counts from the first sample (a lower bound).
     */
    double lagSeconds(long position, long nanos) {
        if (points.isEmpty()) {
            throw new IllegalStateException("no samples");
        }
        int first = firstAtOrAfter(position);
        if (first < 0) {
            return 0;
        }
        double reached;
        if (first == 0) {
            reached = points.get(0)[0];
        } else {
            long[] a = points.get(first - 1);
            long[] b = points.get(first);
            reached = a[0] + (double) (position - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
        }
        return Math.max(0, (nanos - reached) / 1e9);
    }

    /** Index of the first sample whose insert LSN is at or past {@code position}; -1 when none is. */
    private int firstAtOrAfter(long position) {
        int lo = 0;
        int hi = points.size() - 1;
        if (points.get(hi)[1] < position) {
            return -1;
        }
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (points.get(mid)[1] >= position) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }
}
