package io.inflight.faults;

import java.time.Duration;
import java.util.List;

/**
 * One fault and what came of it.
 *
 * @param exits        exit codes of the {@code inflight} runs that ended in the round (137: killed by the suite)
 * @param rowsCompared rows compared directly after the round
 * @param differing    tables that differed (must stay empty)
 * @param problems     slot ahead of the target, no catch-up, a verify rerun that did not find the sides equal
 */
record RoundResult(int round, int episode, Fault fault, String phase, String action, List<Integer> exits,
        long rowsCompared, List<String> differing, List<String> problems, Duration took) {

    boolean passed() {
        return differing.isEmpty() && problems.isEmpty();
    }
}
