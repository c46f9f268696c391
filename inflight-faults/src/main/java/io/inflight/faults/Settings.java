package io.inflight.faults;

import java.nio.file.Path;
import java.util.Set;

/**
 * How big and how long a fault-suite run is.
 *
 * @param rounds     faults to inject, one per round
 * @param seed       drives the order of the faults and their timing; the same seed gives the same plan
 * @param accounts   {@code ChangeWorkload} accounts on the source (orders, items and the rest scale with it)
 * @param fillerRows rows of a plain table that makes the copy last long enough to be hit
 * @param largeRows  rows of the large source transaction killed mid-apply
 * @param writers    workload threads writing to the source throughout
 * @param workDir    logs of every inflight process
 * @param kinds      the fault kinds to run; empty for every kind
 */
record Settings(int rounds, long seed, int accounts, int fillerRows, int largeRows, int writers,
        Path workDir, Set<Fault> kinds) {

    Settings {
        kinds = Set.copyOf(kinds);
    }

    /** Whether the run includes {@code fault} (it may still be unavailable on this machine). */
    boolean selects(Fault fault) {
        return kinds.isEmpty() || kinds.contains(fault);
    }
}
