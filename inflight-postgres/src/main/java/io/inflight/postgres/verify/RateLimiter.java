package io.inflight.postgres.verify;

import java.util.concurrent.TimeUnit;

/**
 * Caps the rows verify reads from the source per second, over all workers: each read reserves its rows
 * in advance and waits until the budget allows it. Thread-safe.
 */
final class RateLimiter {

    private final long rowsPerSecond;
    private long nextFreeNanos = System.nanoTime();

    /** {@code rowsPerSecond} 0 means no limit. */
    RateLimiter(long rowsPerSecond) {
        this.rowsPerSecond = rowsPerSecond;
    }

    boolean limited() {
        return rowsPerSecond > 0;
    }

    /** {@link #acquire}, for callers that cannot throw InterruptedException. */
    void acquireUnchecked(long rows) {
        try {
            acquire(rows);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.inflight.core.InflightException(io.inflight.core.ErrorCode.INTERRUPTED,
                    "verify was interrupted", e);
        }
    }

    /** Blocks until {@code rows} more rows may be read. */
    void acquire(long rows) throws InterruptedException {
        if (rowsPerSecond <= 0 || rows <= 0) {
            return;
        }
        long startAt;
        synchronized (this) {
            long now = System.nanoTime();
            startAt = Math.max(now, nextFreeNanos);
            nextFreeNanos = startAt + TimeUnit.SECONDS.toNanos(rows) / rowsPerSecond;
        }
        long wait = startAt - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }
}
