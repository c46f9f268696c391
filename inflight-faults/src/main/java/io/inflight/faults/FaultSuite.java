package io.inflight.faults;

import io.inflight.core.Lsn;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault suite: under a steady write load on a PostgreSQL 13 source, {@code inflight run} migrates to a
 * PostgreSQL 17 target while faults of every kind strike; after each one Inflight is restarted as a user would,
 * catches up, and the target is compared with the source directly, table by table, and the slot's confirmed
 * position is checked against what the target holds.
 *
 * <p>A round that cannot recover (Inflight never catches up) is recorded as failed and its episode ends; the suite
 * goes on with the next. One thread; not reusable.
 */
final class FaultSuite {

    private static final Logger log = LoggerFactory.getLogger(FaultSuite.class);
    private static final Duration CATCH_UP_LIMIT = Duration.ofMinutes(4);

    private final Settings settings;
    private final Path jar;

    FaultSuite(Settings settings, Path jar) {
        this.settings = settings;
        this.jar = jar;
    }

    /** Runs every round and returns the outcome; the report is the caller's. */
    SuiteResult run() throws SQLException {
        long started = System.nanoTime();
        try (Rig rig = Rig.start(settings, jar);
             Workload workload = new Workload(rig.source, Rig.SOURCE_DB, settings.writers(), settings.seed())) {
            List<Fault> selected = Arrays.stream(Fault.values()).filter(settings::selects).toList();
            List<Fault> kinds = selected.stream().filter(f -> f.available(rig)).toList();
            List<Fault> notRun = selected.stream().filter(f -> !f.available(rig)).toList();
            List<List<Fault>> plan = Plan.episodes(kinds, settings.rounds(), settings.seed());
            List<String> tables = rig.tables();
            Random random = new Random(settings.seed());
            List<RoundResult> results = new ArrayList<>();
            workload.resume();
            for (int ep = 0; ep < plan.size(); ep++) {
                log.info("episode {} of {}: {}", ep + 1, plan.size(), plan.get(ep));
                try (Episode episode = new Episode(rig, ep + 1, new Random(random.nextLong()), workload)) {
                    for (Fault fault : plan.get(ep)) {
                        RoundResult r = round(results.size() + 1, episode, fault, tables);
                        results.add(r);
                        log.info("round {} {}: struck in {}, exits {}, {} rows compared, {}", r.round(), fault,
                                r.phase(), r.exits(), r.rowsCompared(),
                                r.passed() ? "equal" : "FAILED " + r.differing() + " " + r.problems());
                        if (!r.problems().isEmpty() && r.rowsCompared() == 0) {
                            break; // this migration did not recover; start the next one afresh
                        }
                    }
                }
            }
            return new SuiteResult(settings, results, notRun, rig.disk.isPresent(),
                    Duration.ofNanos(System.nanoTime() - started), workload.committed(), Machine.describe(rig));
        }
    }

    private RoundResult round(int number, Episode episode, Fault fault, List<String> tables) {
        long t0 = System.nanoTime();
        Fault.Injected injected;
        List<String> problems = new ArrayList<>();
        try {
            injected = fault.inject(episode);
            problems.addAll(injected.problems());
        } catch (RuntimeException e) {
            log.warn("round {} {}: the fault could not be injected: {}", number, fault, e.getMessage());
            problems.add("injecting: " + e.getMessage());
            injected = new Fault.Injected("?", "not injected");
        }
        // right after the fault, before anything restarts: the slot must not be ahead of the target
        Comparison.slotAhead(episode.flow()).ifPresent(p -> problems.add("after the fault: " + p));
        episode.ensureRunning();

        Comparison compared = new Comparison(0, List.of());
        episode.workload.pause();
        // clients through PgBouncer (a cutover episode) may have waited, but none may have seen an error
        problems.addAll(episode.workload.takeClientFailures());
        try {
            awaitCaughtUp(episode);
            Comparison.slotAhead(episode.flow()).ifPresent(problems::add);
            compared = Comparison.of(episode.rig, episode.db, tables);
            if (episode.verifyPending) {
                episode.verifyPending = false;
                verifyAgain(episode).ifPresent(problems::add);
            }
        } catch (RuntimeException | SQLException e) {
            problems.add("recovering: " + e.getMessage());
        } finally {
            episode.workload.resume();
        }
        return new RoundResult(number, episode.number, fault, injected.phase(), injected.action(),
                episode.takeExits(), compared.rowsCompared(), compared.differing(), problems,
                Duration.ofNanos(System.nanoTime() - t0));
    }

    /**
     * With the writes quiet, waits until the side the stream applies to holds everything written on the other (the
     * target, or after a cutover the old source). One no-op update after the quiet point makes sure the stream has a
     * commit past it to apply, whatever else the WAL holds.
     */
    private static void awaitCaughtUp(Episode e) throws SQLException {
        Flow flow = e.flow();
        Lsn quiet = Positions.insertPosition(flow.from(), flow.fromDb());
        flow.from().execute(flow.fromDb(), "UPDATE ring_a SET b_id = b_id WHERE id = 1");
        long deadline = System.nanoTime() + CATCH_UP_LIMIT.toNanos();
        while (true) {
            Optional<Lsn> applied = Positions.applied(flow.to(), flow.toDb());
            if (applied.isPresent() && applied.get().compareTo(quiet) >= 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(flow.toDb() + " did not catch up to " + quiet + " within "
                        + CATCH_UP_LIMIT.toMinutes() + " min (applied " + applied.map(Lsn::toString).orElse("nothing")
                        + "); inflight's last output:\n" + e.lastOutput());
            }
            e.ensureRunning();
            Pause.millis(100);
        }
    }

    /** Reruns the verify that was killed: it must resume and find the two sides equal (exit 0). */
    private static Optional<String> verifyAgain(Episode e) {
        InflightProcess verify = e.start(List.of("verify", "--source", e.rig.sourceUri(), "--target",
                e.rig.targetUri(e.db), "--jobs", "2"), "verify-rerun");
        var code = verify.awaitExit(300);
        if (code.isEmpty()) {
            verify.kill9();
            return Optional.of("the rerun of the killed verify did not finish within 5 min");
        }
        return code.getAsInt() == 0 ? Optional.empty()
                : Optional.of("the rerun of the killed verify exited " + code.getAsInt() + ":\n" + verify.tail());
    }
}
