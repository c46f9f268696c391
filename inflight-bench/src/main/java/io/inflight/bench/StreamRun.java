package io.inflight.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One round of the stream benchmark: the steady-load phase and the backlog catch-up, for both appliers.
 *
 * @param loadChanges    row changes pgbench committed on the source during the load window
 * @param loadWindow     the load window: pgbench's run, timed by the harness
 * @param appliedChanges per applier, row changes it committed on its target during that window
 * @param lag            per applier, lag over the samples of the load window
 * @param backlogChanges row changes that piled up while both appliers were stopped
 * @param catchUps       per applier, its catch-up of that backlog
 * @param catchUpOrder   which applier caught up first (they run one after the other)
 * @param recvLogical    the same backlog read by {@code pg_recvlogical}, which discards it
 */
record StreamRun(int number, long loadChanges, Duration loadWindow, Map<Appliers, Long> appliedChanges,
                 Map<Appliers, LagSampler.Lag> lag, long backlogChanges, Map<Appliers, CatchUp> catchUps,
                 List<Appliers> catchUpOrder, RecvLogical recvLogical, Optional<String> failure) {

    /**
     * One catch-up, timed from starting the applier: until its slot on the source is active ({@code connected}:
     * process or worker start, connecting, reading its state), until the last backlog
     * transaction is visible there ({@code applied}), and until its slot on the source confirmed the source's
     * insert position taken when the backlog was complete ({@code confirmed}); {@code serverView} is what its
     * sessions on the servers were doing meanwhile ({@link BackendStates#summary()}); {@code cpu} what it cost
     * until {@code applied} (its own process: 0 for the native subscription, whose apply worker is part of the
     * target cluster).
     */
    record CatchUp(Duration connected, Duration applied, Duration confirmed, String serverView, CpuSeconds cpu) {
    }

    /**
     * {@code pg_recvlogical} reading the backlog ({@link RecvLogicalReader}), timed from starting it: until its
     * slot is active ({@code connected}) and until it exited, having received the backlog's end ({@code done});
     * {@code serverView} is what its walsender was doing meanwhile, {@code cpu} what it cost until {@code done}.
     */
    record RecvLogical(Duration connected, Duration done, String serverView, CpuSeconds cpu) {
    }

    static StreamRun failed(int number, String why) {
        return new StreamRun(number, 0, Duration.ZERO, Map.of(), Map.of(), 0, Map.of(), List.of(),
                new RecvLogical(Duration.ZERO, Duration.ZERO, "", CpuSeconds.NONE), Optional.of(why));
    }

    boolean ok() {
        return failure.isEmpty();
    }

    double loadRate() {
        return loadChanges / seconds(loadWindow);
    }

    double applyRate(Appliers a) {
        return appliedChanges.get(a) / seconds(loadWindow);
    }

    double catchUpRate(Appliers a) {
        return backlogChanges / seconds(catchUps.get(a).applied());
    }

    /** The rate at which {@code pg_recvlogical} received the backlog (and discarded it). */
    double recvLogicalRate() {
        return backlogChanges / seconds(recvLogical.done());
    }

    /** The catch-up rate from the moment the applier was connected to its slot: start-up cost left out. */
    double connectedCatchUpRate(Appliers a) {
        CatchUp c = catchUps.get(a);
        return backlogChanges / seconds(c.applied().minus(c.connected()));
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
