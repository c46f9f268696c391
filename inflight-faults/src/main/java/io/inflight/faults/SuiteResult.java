package io.inflight.faults;

import java.time.Duration;
import java.util.List;

/**
 * A whole run: every round, the kinds that could not run here, and where it ran.
 *
 * @param smallDisk whether the disk-full faults had their small filesystem
 * @param sourceTransactions transactions the workload committed on the source during the run
 */
record SuiteResult(Settings settings, List<RoundResult> rounds, List<Fault> notRun, boolean smallDisk,
        Duration took, long sourceTransactions, Machine machine) {

    long rowsCompared() {
        return rounds.stream().mapToLong(RoundResult::rowsCompared).sum();
    }

    long differences() {
        return rounds.stream().mapToLong(r -> r.differing().size()).sum();
    }

    long problems() {
        return rounds.stream().mapToLong(r -> r.problems().size()).sum();
    }

    boolean passed() {
        return rounds.stream().allMatch(RoundResult::passed);
    }

    long episodes() {
        return rounds.stream().mapToInt(RoundResult::episode).distinct().count();
    }
}
