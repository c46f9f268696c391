package io.inflight.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/** The arithmetic of the report: medians of run times and the ratios compared with targets. */
final class Stats {

    private Stats() {
    }

    /** The median, the mean of the two middle values for an even count; empty for no values. */
    static Optional<Duration> median(List<Duration> values) {
        if (values.isEmpty()) {
            return Optional.empty();
        }
        List<Duration> sorted = values.stream().sorted().toList();
        int mid = sorted.size() / 2;
        return Optional.of(sorted.size() % 2 == 1 ? sorted.get(mid)
                : sorted.get(mid - 1).plus(sorted.get(mid)).dividedBy(2));
    }

    /** The median of numbers, the mean of the two middle values for an even count; empty for none. */
    static OptionalDouble median(double[] values) {
        if (values.length == 0) {
            return OptionalDouble.empty();
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return OptionalDouble.of(sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2);
    }

    /** {@code numerator / denominator}; empty when either is missing or the denominator is zero. */
    static OptionalDouble ratio(Optional<Duration> numerator, Optional<Duration> denominator) {
        if (numerator.isEmpty() || denominator.isEmpty() || denominator.get().isZero()) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of((double) numerator.get().toNanos() / denominator.get().toNanos());
    }
}
