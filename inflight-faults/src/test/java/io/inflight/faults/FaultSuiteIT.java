package io.inflight.faults;

import static io.inflight.testkit.TableContents.fingerprint;
import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The short fault suite, as CI runs it: one round per available fault kind (every kill phase, the cutover's too,
 * source and target restarts, a terminated walsender, a full target disk, network cuts to either side), on a small
 * data set. Fails if any table differs, the slot ever confirmed more than the target held, Inflight did not
 * recover, or a client through PgBouncer saw an error. {@code -Dinflight.faults.kinds=KILL_IN_CUTOVER,...} runs
 * only those kinds (once each), {@code -Dinflight.faults.seed=S} replays a seed.
 */
class FaultSuiteIT {

    @Test
    @Timeout(900)
    void afterEveryKindOfFaultTheTargetEqualsTheSourceRowForRow() throws Exception {
        long seed = Long.getLong("inflight.faults.seed", System.nanoTime());
        System.out.println("FaultSuiteIT seed " + seed + " (rerun with -Dinflight.faults.seed=" + seed + ")");
        Path jar = Paths.get("..", "inflight-cli", "target", "inflight.jar").toAbsolutePath().normalize();
        assertThat(jar).exists();
        Path work = Files.createDirectories(Paths.get("target", "fault-logs").toAbsolutePath());
        String only = System.getProperty("inflight.faults.kinds", "");
        Set<Fault> selected = only.isBlank() ? Set.of() : Arrays.stream(only.split(","))
                .map(k -> Fault.valueOf(k.strip().toUpperCase(Locale.ROOT))).collect(Collectors.toSet());
        Set<Fault> expected = selected.isEmpty() ? EnumSet.allOf(Fault.class) : EnumSet.copyOf(selected);
        // the disk-full kinds need root for their small filesystem; every other kind, cutover's too, runs anywhere
        Set<Fault> mayBeMissing = EnumSet.of(Fault.TARGET_DISK_FULL_IN_COPY, Fault.TARGET_DISK_FULL_IN_APPLY);
        Settings settings = new Settings(expected.size(), seed, 5000, 150_000, 50_000, 2, work, selected);

        SuiteResult result = new FaultSuite(settings, jar).run();
        System.out.println(Report.markdown(result, "FaultSuiteIT"));

        assertThat(result.notRun()).as("kinds left out here").isSubsetOf(mayBeMissing);
        expected.removeAll(result.notRun());
        assertThat(result.rounds()).hasSize(settings.rounds());
        Set<Fault> ran = result.rounds().stream().map(RoundResult::fault).collect(Collectors.toSet());
        assertThat(ran).as("every available fault kind ran").containsAll(expected);
        for (RoundResult r : result.rounds()) {
            assertThat(r.differing()).as("tables differing after round %d (%s)", r.round(), r.fault()).isEmpty();
            assertThat(r.problems()).as("problems in round %d (%s)", r.round(), r.fault()).isEmpty();
            assertThat(r.rowsCompared()).as("rows compared in round %d", r.round()).isPositive();
        }
        if (expected.size() > 1) { // one round alone may be a cutover that finished just before its kill
            assertThat(result.rounds().stream().flatMap(r -> r.exits().stream()))
                    .as("a fault kills or breaks inflight at least sometimes; else nothing was tested").contains(137);
        }
    }

    /** The comparison is of multisets: a duplicated row, or one row's copy traded for another's, is a difference. */
    @Test
    @Timeout(120)
    void theDirectComparisonSeesDuplicatesInAKeylessTable() throws Exception {
        try (PostgresServer pg = PostgresServer.start(17)) {
            pg.createDatabase("a");
            pg.createDatabase("b");
            for (String db : List.of("a", "b")) {
                pg.execute(db, "CREATE TABLE ledger (account text, amount numeric)",
                        "INSERT INTO ledger VALUES ('x', 1), ('y', 2)");
            }
            try (Connection a = pg.connect("a"); Connection b = pg.connect("b")) {
                assertThat(fingerprint(b, "public.ledger")).isEqualTo(fingerprint(a, "public.ledger"));
                pg.execute("a", "INSERT INTO ledger VALUES ('x', 1)");
                pg.execute("b", "INSERT INTO ledger VALUES ('y', 2)");
                assertThat(fingerprint(b, "public.ledger")).isNotEqualTo(fingerprint(a, "public.ledger"));
                pg.execute("b", "INSERT INTO ledger VALUES ('x', 1)");
                assertThat(fingerprint(b, "public.ledger")).isNotEqualTo(fingerprint(a, "public.ledger"));
            }
        }
    }
}
