package io.inflight.faults;

import io.inflight.testkit.PgBouncer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;

/**
 * The round of {@link Fault#KILL_IN_CUTOVER}: with the write load going through PgBouncer, the real
 * {@code inflight cutover} runs while {@code inflight run} streams, and is killed with SIGKILL at a step the seed
 * picks (or before its first, or not at all when it finished first); then the user reruns the same command, which
 * must finish, and starts {@code inflight stream --reverse}. PgBouncer must route to the target by then. The suite
 * then compares the old source with the new primary once the stream back caught up, as after any round.
 */
final class CutoverKill {

    /** Where the kill is aimed: right after the start, or once the named step has begun. */
    private static final List<String> AIMS = List.of("start", "takeover", "reverse", "fence", "drain", "sequences",
            "check", "flip", "resume");
    private static final Duration STEP_LIMIT = Duration.ofMinutes(3);
    private static final long RERUN_LIMIT_S = 300;
    /** The exit code of a process ended by SIGKILL. */
    private static final int KILLED = 137;

    private CutoverKill() {
    }

    static Fault.Injected inject(Episode e) {
        e.awaitStreaming();
        PgBouncer bouncer = e.routeWritesThroughPgBouncer();
        Pause.between(e.random, 500, 2000); // the application writes through PgBouncer for a while first
        String aim = AIMS.get(e.random.nextInt(AIMS.size()));
        List<String> args = List.of("cutover", "--source", e.rig.directSourceUri(),
                "--target", e.rig.directTargetUri(e.db), "--pgbouncer", bouncer.host() + ":" + bouncer.port(), "--pgbouncer-database", Rig.SOURCE_DB,
                "--pgbouncer-config", bouncer.configFile().toString(), "--pgbouncer-admin", bouncer.adminUser(),
                "--force", "--skip-verify-check", "--verbose");
        Map<String, String> env = Map.of("INFLIGHT_PGBOUNCER_PASSWORD", bouncer.adminPassword());
        List<String> problems = new ArrayList<>();

        e.handOver();
        InflightProcess first = e.start(args, "cutover", env);
        boolean reached = aim.equals("start") ? startedFor(e, first) : awaitStep(e, first, aim);
        Pause.between(e.random, 0, 40);
        first.kill9();
        OptionalInt firstExit = first.exitCode();
        firstExit.ifPresent(e::recordExit);
        // exit 0: it finished before the kill landed (the kill may race its very end), so there is nothing to rerun
        boolean done = firstExit.orElse(-1) == 0;
        String struck = done ? "cutover had finished" : "cutover " + lastStep(e).orElse("before its first step");
        if (!reached && !done) {
            struck += " (aimed at " + aim + ")";
        }
        if (firstExit.isPresent() && firstExit.getAsInt() != 0 && firstExit.getAsInt() != KILLED) {
            problems.add("the cutover failed on its own before the kill (exit " + firstExit.getAsInt() + "):\n"
                    + first.tail());
        }

        if (!done) {
            InflightProcess again = e.start(args, "cutover-rerun", env);
            OptionalInt code = again.awaitExit(RERUN_LIMIT_S);
            if (code.isEmpty()) {
                again.kill9();
                problems.add("the rerun of the cutover did not finish within " + RERUN_LIMIT_S + " s:\n"
                        + again.tail());
            } else {
                e.recordExit(code.getAsInt());
                if (code.getAsInt() != 0) {
                    problems.add("the rerun of the cutover exited " + code.getAsInt() + ":\n" + again.tail());
                }
            }
        }
        routedTo(bouncer).ifPresentOrElse(dbName -> {
            if (!dbName.equals(e.db)) {
                problems.add("after the cutover PgBouncer routes " + Rig.SOURCE_DB + " to database " + dbName
                        + ", not to the target's " + e.db);
            }
        }, () -> problems.add("after the cutover a query through PgBouncer did not answer within 30 s"));
        // the forward slot too must never have confirmed more than the target held when the stream stopped
        Comparison.slotAhead(e.flow()).ifPresent(p -> problems.add("forward stream: " + p));
        e.streamBack();
        return new Fault.Injected(struck,
                done ? "cutover finished before the kill" : "cutover killed, rerun", problems);
    }

    /** The kill aimed at "start": some milliseconds into the process, before or during its preconditions. */
    private static boolean startedFor(Episode e, InflightProcess p) {
        Pause.between(e.random, 200, 1500);
        return p.isAlive();
    }

    /** Waits until the cutover has begun {@code step}; false if the process ended or the limit passed first. */
    private static boolean awaitStep(Episode e, InflightProcess p, String step) {
        long deadline = System.nanoTime() + STEP_LIMIT.toNanos();
        Connection c = null;
        try {
            while (System.nanoTime() < deadline && p.isAlive()) {
                try {
                    if (c == null) {
                        c = e.rig.target.connect(e.db);
                    }
                    if (begun(c, step)) {
                        return true;
                    }
                } catch (SQLException notYet) {
                    // the step log's tables appear with the cutover's first run
                    closeQuietly(c);
                    c = null;
                }
                Pause.millis(2);
            }
            return false;
        } finally {
            closeQuietly(c);
        }
    }

    private static boolean begun(Connection c, String step) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM inflight.switch_step WHERE step = ?"
                + " AND run_id = (SELECT max(run_id) FROM inflight.switch_run)")) {
            ps.setString(1, step);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The step the latest cutover run began last, with "(done)" when it finished it. */
    private static Optional<String> lastStep(Episode e) {
        try (Connection c = e.rig.target.connect(e.db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT step, finished_at IS NOT NULL FROM inflight.switch_step"
                     + " WHERE run_id = (SELECT max(run_id) FROM inflight.switch_run)"
                     + " ORDER BY started_at DESC, finished_at DESC NULLS FIRST LIMIT 1")) {
            return rs.next() ? Optional.of(rs.getString(1) + (rs.getBoolean(2) ? " (done)" : "")) : Optional.empty();
        } catch (SQLException ex) {
            return Optional.empty(); // no step log yet: killed before its first step
        }
    }

    /** The database PgBouncer's entry reaches now, asked as the application asks; empty if it does not answer. */
    private static Optional<String> routedTo(PgBouncer bouncer) {
        Properties p = new Properties();
        p.setProperty("user", Rig.APP);
        p.setProperty("password", Rig.APP_PASSWORD);
        p.setProperty("prepareThreshold", "0");
        p.setProperty("connectTimeout", "10");
        p.setProperty("socketTimeout", "30");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + bouncer.host() + ":" + bouncer.port()
                + "/" + Rig.SOURCE_DB, p); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_database()")) {
            rs.next();
            return Optional.of(rs.getString(1));
        } catch (SQLException ex) {
            return Optional.empty();
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // replaced or done with
            }
        }
    }
}
