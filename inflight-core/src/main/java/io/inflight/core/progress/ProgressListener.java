package io.inflight.core.progress;

import io.inflight.core.TableId;

/**
 * Receives what a long-running job is doing, to render it on a terminal, in logs or as metrics.
 *
 * <p>Called from many worker threads at once: implementations must be thread-safe and quick (no I/O
 * under a lock that workers wait on). Every method has a no-op default.
 */
public interface ProgressListener {

    ProgressListener NONE = new ProgressListener() {
    };

    /** A new phase begins, e.g. "schema", "copy", "indexes", "sequences". */
    default void phaseStarted(String phase, String detail) {
    }

    default void phaseFinished(String phase, String detail) {
    }

    /**
     * A table the coming copy covers, announced for every table before the copy starts, so that totals
     * and an ETA can be shown from the first second. Estimates come from the catalog and may be off.
     */
    default void tableExpected(TableId table, long estimatedRows, long estimatedBytes) {
    }

    /** A table is about to be copied; estimates come from the catalog and may be off. */
    default void tableStarted(TableId table, long estimatedRows, long estimatedBytes) {
    }

    /** Rows and bytes copied since the previous call for that table. */
    default void tableProgress(TableId table, long rowsDelta, long bytesDelta) {
    }

    default void tableFinished(TableId table, long rows, long bytes) {
    }

    /** A table was already copied by an earlier run and is skipped. */
    default void tableSkipped(TableId table, String reason) {
    }

    /** A step of post-data work (an index, a constraint) finished. */
    default void stepFinished(String description, long millis) {
    }

    /** Something a user should know that is not an error. */
    default void warning(String message) {
    }

    /** A listener passing every event to {@code first}, then to {@code second}. */
    static ProgressListener both(ProgressListener first, ProgressListener second) {
        return new ProgressListener() {
            @Override
            public void phaseStarted(String phase, String detail) {
                first.phaseStarted(phase, detail);
                second.phaseStarted(phase, detail);
            }

            @Override
            public void phaseFinished(String phase, String detail) {
                first.phaseFinished(phase, detail);
                second.phaseFinished(phase, detail);
            }

            @Override
            public void tableExpected(TableId table, long estimatedRows, long estimatedBytes) {
                first.tableExpected(table, estimatedRows, estimatedBytes);
                second.tableExpected(table, estimatedRows, estimatedBytes);
            }

            @Override
            public void tableStarted(TableId table, long estimatedRows, long estimatedBytes) {
                first.tableStarted(table, estimatedRows, estimatedBytes);
                second.tableStarted(table, estimatedRows, estimatedBytes);
            }

            @Override
            public void tableProgress(TableId table, long rowsDelta, long bytesDelta) {
                first.tableProgress(table, rowsDelta, bytesDelta);
                second.tableProgress(table, rowsDelta, bytesDelta);
            }

            @Override
            public void tableFinished(TableId table, long rows, long bytes) {
                first.tableFinished(table, rows, bytes);
                second.tableFinished(table, rows, bytes);
            }

            @Override
            public void tableSkipped(TableId table, String reason) {
                first.tableSkipped(table, reason);
                second.tableSkipped(table, reason);
            }

            @Override
            public void stepFinished(String description, long millis) {
                first.stepFinished(description, millis);
                second.stepFinished(description, millis);
            }

            @Override
            public void warning(String message) {
                first.warning(message);
                second.warning(message);
            }
        };
    }
}
