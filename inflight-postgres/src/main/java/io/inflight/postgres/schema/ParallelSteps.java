package io.inflight.postgres.schema;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Runs steps on {@code jobs} worker threads, each with its own connection. A step starts once every step
 * it comes {@link DdlStep#after} has finished and no running step holds one of its {@link DdlStep#locks};
 * among the startable ones the earliest in list order goes first. The first failure stops new starts,
 * lets running steps finish, and is rethrown by {@link #run()}.
 */
final class ParallelSteps {

    private final LinkedList<DdlStep> pending;
    private final int jobs;
    private final Supplier<Connection> connections;
    private final BiConsumer<Connection, DdlStep> runner;
    private final Set<String> done = new HashSet<>();
    private final Set<String> busy = new HashSet<>();
    private int running;
    private RuntimeException failure;

    ParallelSteps(List<DdlStep> steps, int jobs, Supplier<Connection> connections,
            BiConsumer<Connection, DdlStep> runner) {
        this.pending = new LinkedList<>(steps);
        this.jobs = Math.min(jobs, Math.max(1, steps.size()));
        this.connections = connections;
        this.runner = runner;
    }

    void run() {
        if (pending.isEmpty()) {
            return;
        }
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
    }

    private void work() {
        Connection c = null;
        try {
            DdlStep step;
            while ((step = next()) != null) {
                RuntimeException error = null;
                try {
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
                SchemaCloner.closeQuietly(c);
            }
        }
    }

    private synchronized DdlStep next() throws InterruptedException {
        while (failure == null && !pending.isEmpty()) {
            for (var it = pending.iterator(); it.hasNext();) {
                DdlStep s = it.next();
                if (done.containsAll(s.after()) && Collections.disjoint(busy, s.locks())) {
                    it.remove();
                    busy.addAll(s.locks());
                    running++;
                    return s;
                }
            }
            if (running == 0) {
                failure = new InflightException(ErrorCode.INTERNAL, "post-data steps wait on steps that never run: "
                        + pending.stream().limit(5).map(DdlStep::description).toList());
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
