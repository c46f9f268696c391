package io.inflight.faults;

import io.inflight.testkit.ChangeWorkload;
import io.inflight.testkit.PgBouncer;
import io.inflight.testkit.PostgresServer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steady write load, paused while the two sides are compared and resumed after. Each resume starts fresh
 * writers with the next seed, so the mix differs from one stretch to the next. The writers connect straight to the
 * source, or, once {@link #routeThrough routed} (a cutover episode), through PgBouncer as an application does, so
 * that their writes follow a cutover to the target. Not thread-safe: the suite's one thread drives it.
 */
final class Workload implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Workload.class);
    private static final long ID_STRIDE = 10_000_000;

    /** PgBouncer's entry the writers use, and the application's login (which exists on both servers). */
    record Route(PgBouncer bouncer, String database, String user, String password) {
    }

    private final PostgresServer source;
    private final String database;
    private final int writers;
    private long seed;
    private ChangeWorkload running;
    private BouncedWriters bounced;
    private Route route;
    private long committedBefore;
    private long failedThroughBouncer;
    private final List<String> failures = new ArrayList<>();
    private long firstId = ID_STRIDE;

    Workload(PostgresServer source, String database, int writers, long seed) {
        this.source = source;
        this.database = database;
        this.writers = writers;
        this.seed = seed;
    }

    void resume() {
        if (running != null) {
            return;
        }
        if (route == null) {
            running = ChangeWorkload.start(source, database, writers, seed, firstId);
        } else {
            // no threads of its own: it lends its transaction mix and id counter to the client threads
            running = ChangeWorkload.start(source, database, 0, seed, firstId);
            bounced = BouncedWriters.start(route, running, writers, seed);
        }
        seed += writers;
        // far above anything one stretch inserts, so no stretch collides with an earlier one's rows
        firstId += ID_STRIDE;
    }

    /** Stops the writers and waits for them: once this returns, nothing more is written to the source. */
    void pause() {
        if (running == null) {
            return;
        }
        running.close();
        committedBefore += running.committed();
        running = null;
        if (bounced != null) {
            bounced.close();
            log.info("  clients through PgBouncer: {} transactions committed, {} failed", bounced.committed(),
                    bounced.failed());
            committedBefore += bounced.committed();
            failedThroughBouncer += bounced.failed();
            bounced.failures().stream().limit(Math.max(0, 5 - failures.size())).forEach(failures::add);
            bounced = null;
        }
    }

    /** From the next resume on, the writers connect through PgBouncer ({@code null}: straight to the source). */
    void routeThrough(Route route) {
        if (running != null) {
            throw new IllegalStateException("pause the workload before rerouting it");
        }
        this.route = route;
    }

    /**
     * Empty when no client transaction through PgBouncer failed since the last call (conflicts between the writers
     * aside), else what failed; then forgets them. Read while paused.
     */
    List<String> takeClientFailures() {
        List<String> out = failedThroughBouncer == 0 ? List.of()
                : List.of(failedThroughBouncer + " client transactions through PgBouncer failed, e.g. "
                        + String.join(" | ", failures));
        failedThroughBouncer = 0;
        failures.clear();
        return out;
    }

    /** Source transactions the workload committed since the start. */
    long committed() {
        return committedBefore + (running == null ? 0 : running.committed())
                + (bounced == null ? 0 : bounced.committed());
    }

    @Override
    public void close() {
        pause();
    }
}
