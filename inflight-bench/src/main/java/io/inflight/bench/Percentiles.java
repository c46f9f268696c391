package io.inflight.bench;

import java.util.Arrays;
import java.util.List;

/** p50, p99 and max of a set of samples (nearest rank: p99 of 300 samples is the 297th smallest). */
record Percentiles(double p50, double p99, double max, int samples) {

    static Percentiles of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        return new Percentiles(rank(sorted, 0.50), rank(sorted, 0.99), sorted[sorted.length - 1], sorted.length);
    }

    private static double rank(double[] sorted, double p) {
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
