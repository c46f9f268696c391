package io.inflight.bench;

import java.util.Locale;

/**
 * CPU seconds one measured run cost, as a {@link CpuWindow} read them: all processes of the source cluster, of
 * which the walsender it followed (0 when it followed none); all of the target cluster; and the processes of the
 * tool or reader itself, on the client side (0 when it has none of its own).
 */
record CpuSeconds(double sourceCluster, double walsender, double targetCluster, double process) {

    static final CpuSeconds NONE = new CpuSeconds(0, 0, 0, 0);

    double total() {
        return sourceCluster + targetCluster + process;
    }

    /** For a log line: "CPU: source cluster 3.31 s (walsender 3.29 s), target cluster ..., {@code process} ...". */
    String describe(String processLabel) {
        return String.format(Locale.ROOT, "CPU: source cluster %.2f s%s, target cluster %.2f s, %s %.2f s", sourceCluster,
                walsender > 0 ? String.format(Locale.ROOT, " (walsender %.2f s)", walsender) : "", targetCluster,
                processLabel, process);
    }
}
