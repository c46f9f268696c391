package io.inflight.faults;

import io.inflight.testkit.ChangeWorkload;
import io.inflight.testkit.PostgresServer;

/**
 * The steady write load on the source, paused while the two sides are compared and resumed after. Each resume
 * starts fresh writers with the next seed, so the mix differs from one stretch to the next. Not thread-safe: the
 * suite's one thread drives it.
 */
final class Workload implements AutoCloseable {

    private static final long ID_STRIDE = 10_000_000;

    private final PostgresServer source;
    private final String database;
    private final int writers;
    private long seed;
    private ChangeWorkload running;
    private long committedBefore;
    private long firstId = ID_STRIDE;

    Workload(PostgresServer source, String database, int writers, long seed) {
        this.source = source;
        this.database = database;
        this.writers = writers;
        this.seed = seed;
    }

    void resume() {
        if (running == null) {
            running = ChangeWorkload.start(source, database, writers, seed, firstId);
            seed += writers;
            // far above anything one stretch inserts, so no stretch collides with an earlier one's rows
            firstId += ID_STRIDE;
        }
    }

    /** Stops the writers and waits for them: once this returns, nothing more is written to the source. */
    void pause() {
        if (running != null) {
            running.close();
            committedBefore += running.committed();
            running = null;
        }
    }

    /** Source transactions the workload committed since the start. */
    long committed() {
        return committedBefore + (running == null ? 0 : running.committed());
    }

    @Override
    public void close() {
        pause();
    }
}
