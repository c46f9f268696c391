package io.inflight.faults;

import io.inflight.testkit.PgBouncer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One migration from scratch: a fresh target database, {@code inflight run} into it (clone, then stream), and the
 * faults of its rounds. Plays the user too: when the process has died, {@link #ensureRunning()} starts the very
 * same command again, as someone (or systemd) would. An episode may end in a cutover: the writes then go through
 * PgBouncer ({@link #routeWritesThroughPgBouncer()}), the forward run is handed over ({@link #handOver()}) and the
 * user's command becomes the stream back ({@link #streamBack()}). Not thread-safe: driven by the suite's one thread.
 */
final class Episode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Episode.class);
    /** Restarts in a row after which a round gives up: the tool does not come back. */
    private static final int MAX_RESTARTS = 15;

    final Rig rig;
    final int number;
    final String db;
    final String slot;
    final Random random;
    final Workload workload;
    private InflightProcess run;
    /** The user's command now, restarted when it ends; null while a cutover holds the stream. */
    private List<String> command;
    private String what;
    private Flow flow;
    private PgBouncer bouncer;
    private int processes;
    private final List<Integer> exits = new ArrayList<>();
    private int restarts;
    private int largeBatches;
    boolean verifyPending;

    Episode(Rig rig, int number, Random random, Workload workload) {
        this.rig = rig;
        this.number = number;
        this.db = "episode_" + number;
        this.slot = "inflight_ep" + number;
        this.random = random;
        this.workload = workload;
        this.flow = Flow.forward(rig, db, slot);
        // the user's command: clone then stream, resuming whatever an earlier run was doing
        this.command = List.of("run", "--source", rig.sourceUri(), "--target", rig.targetUri(db), "--slot", slot,
                "--publication", slot, "--jobs", "2", "--reconnect-for", "120");
        this.what = "run";
        rig.createTargetDatabase(db);
        startRun();
    }

    private void startRun() {
        run = start(command, what);
    }

    /** Which way the stream runs now: forward, or back after a cutover. */
    Flow flow() {
        return flow;
    }

    /**
     * Puts a PgBouncer (transaction pooling) in front of the source's database and moves the write load onto it, as
     * the application of a migration that ends in a cutover is set up. Returns it; the episode closes it.
     */
    PgBouncer routeWritesThroughPgBouncer() {
        if (bouncer == null) {
            bouncer = PgBouncer.builder().database(Rig.SOURCE_DB, rig.source, Rig.SOURCE_DB)
                    .user(Rig.APP, Rig.APP_PASSWORD).start();
            workload.pause();
            workload.routeThrough(new Workload.Route(bouncer, Rig.SOURCE_DB, Rig.APP, Rig.APP_PASSWORD));
            workload.resume();
        }
        return bouncer;
    }

    /**
     * A cutover takes the stream over: the running {@code inflight run} stops on its request (exit 0) and is not
     * restarted; after the flip it would be refused (phase promoted).
     */
    void handOver() {
        command = null;
    }

    /** After the cutover the user starts the stream back, the old source following the new primary. */
    void streamBack() {
        if (run.isAlive()) {
            run.terminate(); // the forward run has no business running now; normally it ended at the takeover
        }
        run.exitCode().ifPresent(exits::add);
        flow = Flow.reverse(rig, db, slot);
        command = List.of("stream", "--reverse", "--source", rig.directSourceUri(), "--target", rig.directTargetUri(db),
                "--reconnect-for", "120");
        what = "stream-reverse";
        startRun();
    }

    /** An exit code of a process the round ran itself (a cutover), for the round's record. */
    void recordExit(int code) {
        exits.add(code);
    }

    /** {@code inflight <args>} against this episode's databases, its output in a log of its own. */
    InflightProcess start(List<String> args, String what) {
        return start(args, what, Map.of());
    }

    /** As {@link #start(List, String)}, with more variables in its environment. */
    InflightProcess start(List<String> args, String what, Map<String, String> env) {
        return InflightProcess.start(rig.jar, args, rig.source.password(), rig.target.password(), env,
                rig.workDir.resolve(db + "-" + (++processes) + "-" + what + ".log"));
    }

    /** SIGKILL of the running {@code inflight run}; the user's restart records its exit code (137). */
    void kill() {
        run.kill9();
    }

    /**
     * Waits until the migration's phase is one of {@code phases} and returns it; or, if it got past them first,
     * the phase it is in when noticed (the fault then lands there, and the round records so).
     */
    String awaitPhase(Set<String> phases, Set<String> later, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        Connection c = null;
        try {
            while (System.nanoTime() < deadline) {
                try {
                    if (c == null) {
                        c = rig.target.connect(db);
                    }
                    String phase = phase(c);
                    if (phase != null && (phases.contains(phase) || later.contains(phase))) {
                        return phase;
                    }
                } catch (SQLException e) {
                    closeQuietly(c);
                    c = null;
                }
                if (!run.isAlive()) {
                    ensureRunning();
                }
                Pause.millis(3);
            }
            throw new IllegalStateException("phase " + phases + " not reached within " + limit.toSeconds()
                    + " s; inflight's last output:\n" + run.tail());
        } finally {
            closeQuietly(c);
        }
    }

    /** Waits until the stream runs and has applied something, i.e. until it is in the thick of streaming. */
    String awaitStreaming() {
        String phase = awaitPhase(Set.of("streaming"), Set.of(), Duration.ofMinutes(3));
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (Positions.applied(rig.target, db).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the stream applied nothing within 3 minutes:\n" + run.tail());
            }
            ensureRunning();
            Pause.millis(50);
        }
        return phase;
    }

    /** Polls a target query until it says true; false if {@code limit} passed first. */
    boolean awaitTarget(String sql, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (Positions.holds(rig.target, db, sql)) {
                return true;
            }
            Pause.millis(5);
        }
        return false;
    }

    /** The next id range for the large transaction, so each one inserts rows the target has not seen. */
    long nextLargeBase(int rows) {
        return (long) (++largeBatches) * rows * 10 + number * 1_000_000_000L;
    }

    /**
     * The user: if {@code inflight run} has ended (killed, or gave up on an error), runs the same command again,
     * after the second a person takes to notice. A run that ends again at once is rerun too, up to a limit.
     */
    void ensureRunning() {
        if (run.isAlive() || command == null) {
            return;
        }
        OptionalInt code = run.exitCode();
        code.ifPresent(exits::add);
        if (++restarts > MAX_RESTARTS) {
            throw new IllegalStateException("inflight " + what + " keeps ending (exit codes " + exits
                    + "); last output:\n"
                    + run.tail());
        }
        log.info("  inflight {} ended (exit {}); running it again", what, code.isPresent() ? code.getAsInt() : "?");
        Pause.millis(1000);
        startRun();
    }

    /** Exit codes of the runs that ended since the last call (137 = killed by the suite), then forgets them. */
    List<Integer> takeExits() {
        List<Integer> out = List.copyOf(exits);
        exits.clear();
        restarts = 0;
        return out;
    }

    String lastOutput() {
        return run.tail();
    }

    /**
     * Stops the run (SIGTERM, as a user ends a migration) and drops everything this episode made; after a cutover
     * the write load goes straight to the source again, for the next episode.
     */
    @Override
    public void close() {
        if (bouncer != null) {
            workload.pause();
        }
        run.terminate();
        try {
            rig.dropEpisode(slot, db);
        } finally {
            if (bouncer != null) {
                bouncer.close();
                workload.routeThrough(null);
                workload.resume();
            }
        }
    }

    private static String phase(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT phase FROM inflight.migration")) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                return null; // the state schema is not there yet
            }
            throw e;
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // a broken connection is what we are replacing
            }
        }
    }
}
