package io.inflight.bench;

/**
 * A way to move the benchmark's source database into an empty target database, timed.
 *
 * <p>{@link #run} is called with a freshly created, empty target database each time; it does its
 * own untimed setup and cleanup around the timed part, reads the CPU the timed part cost with a
 * {@link CpuWindow} (its client-side processes are children of the harness), and never throws for a
 * failure of the tool itself: that is reported in the {@link Measurement}. Runs are sequential;
 * implementations need not be thread-safe.
 */
interface Tool {

    /** A short lowercase word for database and file names, e.g. {@code pgdump}. */
    String key();

    /** The label in the report, e.g. {@code pg_dump -Fd -j2 + pg_restore -j2}. */
    String label();

    /** One sentence on exactly how the tool is run, for the report's notes. */
    String description();

    /** What runs on the client side during its timed run, as the CPU table names it, e.g. {@code pg_dump, pg_restore}. */
    String clientProcesses();

    /**
     * True when the tool copies rows only into tables made for it; false when it clones the schema
     * too, and the harness then checks every index, constraint and sequence position.
     */
    default boolean dataOnly() {
        return false;
    }

    Measurement run(String targetDatabase);
}
