package io.inflight.bench;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One timed run of one tool: its wall time as the harness measured it, the phases the tool reported
 * or the harness timed (in order), the peak heap where known, the CPU it cost over its wall time where
 * measured ({@link CpuWindow}; {@link CpuSeconds#process()} = its client-side processes), and why it
 * failed, if it did.
 */
record Measurement(Duration wall, Map<String, Duration> phases, OptionalLong peakHeapBytes, Optional<CpuSeconds> cpu,
        Optional<String> failure) {

    /** The phase both the psql pipe (its whole run) and Inflight report: copying the rows. */
    static final String COPY = "copy";
    /** {@code inflight verify} run after the clone, on the same databases (not part of the clone's time). */
    static final String VERIFY = "verify (run after, not in the clone time)";

    Measurement {
        phases = Collections.unmodifiableMap(new LinkedHashMap<>(phases));
    }

    static Measurement succeeded(Duration wall, Map<String, Duration> phases) {
        return new Measurement(wall, phases, OptionalLong.empty(), Optional.empty(), Optional.empty());
    }

    static Measurement failed(Duration wall, String why) {
        return new Measurement(wall, Map.of(), OptionalLong.empty(), Optional.empty(), Optional.of(why));
    }

    Measurement withPeakHeap(OptionalLong bytes) {
        return new Measurement(wall, phases, bytes, cpu, failure);
    }

    Measurement withCpu(CpuSeconds used) {
        return new Measurement(wall, phases, peakHeapBytes, Optional.of(used), failure);
    }

    /** The same figures, marked failed: a run that finished but left the target wrong. */
    Measurement failedAfterwards(String why) {
        return new Measurement(wall, phases, peakHeapBytes, cpu, Optional.of(why));
    }

    boolean ok() {
        return failure.isEmpty();
    }

    Optional<Duration> phase(String name) {
        return Optional.ofNullable(phases.get(name));
    }
}
