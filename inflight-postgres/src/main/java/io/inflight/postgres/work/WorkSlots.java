package io.inflight.postgres.work;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;

/**
 * {@code jobs} slots shared by copy tasks and post-data steps (index builds, constraints): a unit of work
 * runs only while it holds a slot, so the clone never runs more than {@code jobs} statements at once,
 * whatever mix of copying and schema work is ready.
 *
 * <p>Policy: the copy goes first. A post-data step gets a slot only once no copy task is left to start
 * ({@link #copyDrained()}) and none waits for a slot; from then on the slots the copy no longer needs go
 * to post-data as they free up, while the last copy tasks finish. With the servers and the tool sharing
 * the same cores, the copy already keeps them busy: an index build beside it would not get more done,
 * only slow the copy down (each copy stream is three busy processes to the build's one), and delay the
 * moment the source's data is all on the target.
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
    private int free;
    private int copyWaiting;
    private boolean copyQueued = true;
    private String cancelled;

    public WorkSlots(int jobs) {
        if (jobs < 1) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "--jobs must be at least 1, got " + jobs);
        }
        this.total = jobs;
        this.free = jobs;
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
                if (kind == Kind.COPY) {
                    copyWaiting++;
                    try {
                        while (cancelled == null && free == 0) {
                            wait();
                        }
                    } finally {
                        copyWaiting--;
                    }
                } else {
                    while (cancelled == null && !(free > 0 && !copyQueued && copyWaiting == 0)) {
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
        }
        return new Slot() {
            private boolean open = true;

            @Override
            public void close() {
                synchronized (WorkSlots.this) {
                    if (open) {
                        open = false;
                        free++;
                        WorkSlots.this.notifyAll();
                    }
                }
            }
        };
    }

    /** No copy task is left to start (those taken may still wait for a slot, and go first). */
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
}
