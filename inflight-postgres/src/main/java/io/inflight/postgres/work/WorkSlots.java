package io.inflight.postgres.work;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;

/**
 * {@code jobs} slots shared by copy tasks and post-data steps (index builds, constraints): a unit of work
 * runs only while it holds a slot, so the clone never runs more than {@code jobs} statements at once,
 * whatever mix of copying and schema work is ready.
 *
 * <p>Policy. While copy tasks are still waiting to start, post-data holds at most half the slots (at least
 * one when {@code jobs >= 2}, none when {@code jobs == 1}), and within that share a waiting post-data step
 * goes before a waiting copy task: the index builds of a table already copied start at once, which
 * shortens the longest chain (copy a big table, then build its slowest index, then validate its foreign
 * keys), while the copy keeps going on the other slots. Once no copy task is waiting
 * ({@link #copyDrained()}), post-data may take every slot.
 *
 * <p>Thread-safe; {@link #acquire} blocks.
 */
public final class WorkSlots {

    /** What a slot is for. */
    public enum Kind { COPY, POST_DATA }

    /** A held slot; closing it gives it back. */
    public interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    private final int total;
    private final int postShareWhileCopying;
    private int free;
    private int postHeld;
    private int postWaiting;
    private boolean copyQueued = true;
    private String cancelled;

    public WorkSlots(int jobs) {
        if (jobs < 1) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "--jobs must be at least 1, got " + jobs);
        }
        this.total = jobs;
        this.free = jobs;
        this.postShareWhileCopying = jobs == 1 ? 0 : Math.max(1, jobs / 2);
    }

    /** Slots for work that runs with no copy beside it: post-data may use all of them. */
    public static WorkSlots withoutCopy(int jobs) {
        WorkSlots slots = new WorkSlots(jobs);
        slots.copyQueued = false;
        return slots;
    }

    /** The number of slots. */
    public int size() {
        return total;
    }

    /**
     * Waits for a slot for {@code kind}. Throws INTERRUPTED when the pool was {@link #cancel cancelled} or
     * the thread interrupted (its interrupt flag is set again).
     */
    public Slot acquire(Kind kind) {
        synchronized (this) {
            try {
                if (kind == Kind.POST_DATA) {
                    postWaiting++;
                    try {
                        while (cancelled == null && !(free > 0 && postMayTake())) {
                            wait();
                        }
                    } finally {
                        postWaiting--;
                    }
                } else {
                    while (cancelled == null && !(free > 0 && !(postWaiting > 0 && postMayTake()))) {
                        wait();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InflightException(ErrorCode.INTERRUPTED, "interrupted while waiting to run; rerun the"
                        + " same command to resume");
            }
            if (cancelled != null) {
                notifyAll();
                throw new InflightException(ErrorCode.INTERRUPTED, "stopped because " + cancelled);
            }
            free--;
            if (kind == Kind.POST_DATA) {
                postHeld++;
            }
        }
        return new Slot() {
            private boolean open = true;

            @Override
            public void close() {
                synchronized (WorkSlots.this) {
                    if (open) {
                        open = false;
                        free++;
                        if (kind == Kind.POST_DATA) {
                            postHeld--;
                        }
                        WorkSlots.this.notifyAll();
                    }
                }
            }
        };
    }

    /** No copy task waits to start any more: post-data may use every slot from now on. */
    public synchronized void copyDrained() {
        copyQueued = false;
        notifyAll();
    }

    /** Makes every waiting and later {@link #acquire} throw; held slots are unaffected. */
    public synchronized void cancel(String reason) {
        if (cancelled == null) {
            cancelled = reason;
        }
        notifyAll();
    }

    private boolean postMayTake() {
        return !copyQueued || postHeld < postShareWhileCopying;
    }
}
