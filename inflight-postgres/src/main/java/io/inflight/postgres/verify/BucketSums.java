package io.inflight.postgres.verify;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Per bucket, the number of rows and the sum of their row hashes, over the slices of a table read so far.
 * Counts and sums add up, so slices combine in any order. Not thread-safe: fill, then compare.
 */
final class BucketSums {

    private record Sum(long rows, BigInteger hashes) {
    }

    private final Map<Long, Sum> buckets = new HashMap<>();

    void add(long bucket, long rows, BigInteger hashSum) {
        buckets.merge(bucket, new Sum(rows, hashSum), (a, b) -> new Sum(a.rows + b.rows, a.hashes.add(b.hashes)));
    }

    void addAll(BucketSums other) {
        other.buckets.forEach((b, s) -> add(b, s.rows, s.hashes));
    }

    long rows() {
        return buckets.values().stream().mapToLong(Sum::rows).sum();
    }

    /** Buckets whose count or hash sum differ (a bucket empty on one side differs if the other has rows). */
    Set<Long> differingFrom(BucketSums other) {
        Set<Long> keys = new HashSet<>(buckets.keySet());
        keys.addAll(other.buckets.keySet());
        Set<Long> out = new TreeSet<>();
        for (Long b : keys) {
            Sum mine = buckets.get(b);
            Sum theirs = other.buckets.get(b);
            if (mine == null || theirs == null || !mine.equals(theirs)) {
                out.add(b);
            }
        }
        return out;
    }
}
