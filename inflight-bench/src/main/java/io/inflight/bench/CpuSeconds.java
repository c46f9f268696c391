package io.inflight.bench;

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
}
