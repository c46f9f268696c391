package io.inflight.postgres.schema;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.TableId;
import io.inflight.postgres.work.WorkSlots;
import io.inflight.postgres.connect.PgConnector;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Runs steps on {@code jobs} worker threads, each with its own connection. A step starts once every step
 * it comes {@link DdlStep#after} has finished, no running step holds one of its {@link DdlStep#locks},
 * and the {@link DataGate} says the rows it needs are on the target; it then runs while holding a
 * {@link WorkSlots} slot. Among the startable ones the earliest in list order goes first. The first
 * failure stops new starts, lets running steps finish, and is rethrown by {@link #run()}.
 */
final class ParallelSteps {

    private final LinkedList<DdlStep> pending;
    private final int jobs;
    private final Supplier<Connection> connections;
    private final BiConsumer<Connection, DdlStep> runner;
    private final DataGate gate;
    private final Map<String, Set<TableId>> dataNeeded;
    private final WorkSlots slots;
    private final Set<String> done = new HashSet<>();
    private final Set<String> busy = new HashSet<>();
    private int running;
    private RuntimeException failure;

    /** Steps that need no data, or run after the copy: only dependencies and locks order them. */
    ParallelSteps(List<DdlStep> steps, int jobs, Supplier<Connection> connections,
            BiConsumer<Connection, DdlStep> runner) {
        this(steps, jobs, connections, runner, DataGate.allCopied(), Map.of(), WorkSlots.withoutCopy(Math.max(1, jobs)));
    }

    /**
     * @param dataNeeded per step id, the tables whose rows must be copied first; a step not listed waits
     *                   for every table
     */
    ParallelSteps(List<DdlStep> steps, int jobs, Supplier<Connection> connections,
            BiConsumer<Connection, DdlStep> runner, DataGate gate, Map<String, Set<TableId>> dataNeeded,
            WorkSlots slots) {
        this.pending = new LinkedList<>(steps);
        this.jobs = Math.min(jobs, Math.max(1, steps.size()));
        this.connections = connections;
        this.runner = runner;
        this.gate = gate;
        this.dataNeeded = Map.copyOf(dataNeeded);
        this.slots = slots;
    }

    void run() {
        if (pending.isEmpty()) {
            return;
        }
        gate.onChange(this::wake);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            Thread t = new Thread(this::work, "inflight-post-data-" + i);
            t.start();
            workers.add(t);
        }
        try {
            for (Thread t : workers) {
                t.join();
            }
        } catch (InterruptedException e) {
            workers.forEach(Thread::interrupt);
            Thread.currentThread().interrupt();
            throw new InflightException(ErrorCode.INTERRUPTED, "post-data interrupted; rerun the same command to resume");
        }
        if (failure != null) {
            throw failure;
        }
        if (!pending.isEmpty()) {
            throw new InflightException(ErrorCode.INTERRUPTED, "post-data stopped because the copy failed; rerun the"
                    + " same command to resume");
        }
    }

    private synchronized void wake() {
        notifyAll();
    }

    private void work() {
        Connection c = null;
        try {
            DdlStep step;
            while ((step = next()) != null) {
                RuntimeException error = null;
                try (WorkSlots.Slot slot = slots.acquire(WorkSlots.Kind.POST_DATA)) {
                    if (c == null) {
                        c = connections.get();
                    }
                    runner.accept(c, step);
                } catch (RuntimeException e) {
                    error = e;
                }
                finished(step, error);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (c != null) {
                PgConnector.closeQuietly(c);
            }
        }
    }

    private synchronized DdlStep next() throws InterruptedException {
        while (failure == null && !pending.isEmpty() && !gate.aborted()) {
            for (var it = pending.iterator(); it.hasNext();) {
                DdlStep s = it.next();
                if (done.containsAll(s.after()) && Collections.disjoint(busy, s.locks())
                        && gate.ready(dataNeeded.get(s.id()))) {
                    it.remove();
                    busy.addAll(s.locks());
                    running++;
                    return s;
                }
            }
            if (running == 0 && !gate.open()) {
                if (!gate.aborted()) {
                    failure = new InflightException(ErrorCode.INTERNAL, "post-data steps wait on steps that never run: "
                            + pending.stream().limit(5).map(DdlStep::description).toList());
                }
                break;
            }
            wait();
        }
        notifyAll();
        return null;
    }

    private synchronized void finished(DdlStep step, RuntimeException error) {
        running--;
        busy.removeAll(step.locks());
        if (error != null) {
            if (failure == null) {
                failure = error;
            }
        } else {
            done.add(step.id());
        }
        notifyAll();
    }
}
