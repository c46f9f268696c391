package io.inflight.bench;

import io.inflight.core.Identifiers;
import io.inflight.core.Lsn;
import io.inflight.testkit.PostgresServer;
import io.inflight.testkit.TableContents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench stream}: Inflight's stream against native logical replication, on the same servers under the
 * same load. A PostgreSQL 13 source with pgbench's tables feeds two databases on one PostgreSQL 17 target:
 * one cloned and streamed by Inflight, one filled and kept by a subscription. Each round has a steady-load
 * phase (pgbench while both apply; lag sampled) and a backlog phase (both stopped while pgbench piles up
 * changes, then each catches up alone, alternating who goes first, and then {@code pg_recvlogical} reads the
 * same backlog from a third slot and discards it; the CPU each of the three costs is read from /proc). After
 * each phase all three databases must hold the same rows. Writes the report to standard output and
 * BENCHMARKS.md; exits 1 when a round failed.
 */
@Command(name = "stream", mixinStandardHelpOptions = true,
        description = "Benchmark inflight stream against native logical replication (13 -> 17) under pgbench load.")
final class StreamBenchmark implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(StreamBenchmark.class);
    static final String SECTION = "stream";
    private static final String SOURCE_DB = "pgbench";
    private static final Map<Appliers, String> TARGET_DBS = Map.of(Appliers.INFLIGHT, "inflight_db",
            Appliers.NATIVE, "native_db");
    private static final Duration CATCH_UP_LIMIT = Duration.ofMinutes(30);
    private static final long POLL_MS = 20;
    /**
     * The server view ({@code pg_stat_activity} on both servers) is sampled every this many polls: at every poll
     * its queries cost the two cores about 5% of their time while catching up, time taken from what they measure.
     */
    static final int STATES_EVERY_POLLS = 5;

    @Spec
    CommandSpec spec;

    @Option(names = "--scale", defaultValue = "10", description = "pgbench scale factor: 100,000 accounts each (default: ${DEFAULT-VALUE}).")
    int scale;

    @Option(names = "--clients", defaultValue = "4", description = "pgbench clients (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--seconds", defaultValue = "60", description = "Length of the steady-load phase (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--rate", description = "Throttle the steady load to this many pgbench transactions/s (default: as fast as it goes).")
    Integer rate;

    @Option(names = "--backlog-changes", defaultValue = "1000000",
            description = "Row changes to pile up while the appliers are stopped (default: ${DEFAULT-VALUE}).")
    long backlogChanges;

    @Option(names = "--runs", defaultValue = "3", description = "Rounds (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--jfr", paramLabel = "DIR",
            description = "Record a Java Flight Recording of every inflight stream process into DIR.")
    Path jfrDir;

    @Option(names = "--inflight-jar", defaultValue = "inflight-cli/target/inflight.jar",
            description = "The inflight CLI jar to run (default: ${DEFAULT-VALUE}).")
    Path inflightJar;

    @Option(names = "--output", defaultValue = "BENCHMARKS.md",
            description = "The file whose stream section is replaced (default: ${DEFAULT-VALUE}).")
    Path output;

    private PostgresServer source;
    private PostgresServer target;
    private PgBench pgbench;
    private InflightStream inflight;
    private NativeSubscription subscription;
    private RecvLogicalReader recvLogical;
    private InflightStream.Running running;
    private Path workDir;

    @Override
    public Integer call() throws IOException {
        String loadAverage = Machine.loadAverage();
        log.info("load average now: {}", loadAverage);
        if (scale < 1 || clients < 1 || seconds < 1 || backlogChanges < 1 || runs < 1 || (rate != null && rate < 1)) {
            throw new ParameterException(spec.commandLine(), "--scale, --clients, --seconds, --backlog-changes, --runs and"
                    + " --rate must be at least 1");
        }
        Path workDir = Files.createTempDirectory("inflight-bench-stream-");
        if (jfrDir != null) {
            Files.createDirectories(jfrDir);
        }
        try (PostgresServer src = PostgresServer.builder(13).durable(true).start();
             PostgresServer tgt = PostgresServer.builder(17).durable(true).start()) {
            source = src;
            target = tgt;
            pgbench = PgBench.debian15(workDir);
            recvLogical = new RecvLogicalReader(ClientTools.debian15(), source, SOURCE_DB, target, workDir);
            this.workDir = workDir;
            Duration setup = timed(this::setUp);
            log.info("set up in {}", StreamReport.seconds(setup));
            List<StreamRun> results = new ArrayList<>();
            running = inflight.start();
            try {
                for (int run = 1; run <= runs; run++) {
                    StreamRun result;
                    try {
                        result = runOnce(run);
                    } catch (RuntimeException e) {
                        log.error("run {}/{} FAILED: {}", run, runs, e.getMessage());
                        result = StreamRun.failed(run, e.getMessage());
                    }
                    results.add(result);
                    if (!result.ok()) {
                        break; // the appliers' state is unknown now; later rounds would measure nonsense
                    }
                }
            } finally {
                running.stop();
                subscription.drop();
            }
            StreamReport report = new StreamReport(command(), ZonedDateTime.now(), Machine.describe(source, target,
                    ClientTools.debian15()), loadAverage, scale, clients, seconds, Optional.ofNullable(rate), backlogChanges, runs,
                    results);
            String markdown = report.markdown();
            System.out.println();
            System.out.println(markdown);
            BenchmarksFile.update(output, SECTION, markdown);
            log.info("wrote the stream section of {}", output.toAbsolutePath());
            return results.size() == runs && results.stream().allMatch(StreamRun::ok) ? 0 : 1;
        } finally {
            Processes.deleteQuietly(workDir);
        }
    }

    /** pgbench's tables on the source, Inflight's clone into one target database, the subscription's copy into another. */
    private void setUp() {
        source.createDatabase(SOURCE_DB);
        TARGET_DBS.values().forEach(target::createDatabase);
        log.info("pgbench -i -s {} on the source ...", scale);
        pgbench.initialize(source, SOURCE_DB, scale);
        // pgbench_history has no key; Inflight (rightly) refuses a table it could not update or delete in.
        source.execute(SOURCE_DB, "ALTER TABLE pgbench_history REPLICA IDENTITY FULL");
        inflight = new InflightStream(inflightJar.toAbsolutePath(), source, SOURCE_DB, target, TARGET_DBS.get(Appliers.INFLIGHT),
                workDir,
                Optional.ofNullable(jfrDir).map(Path::toAbsolutePath));
        log.info("inflight clone into {} ...", TARGET_DBS.get(Appliers.INFLIGHT));
        inflight.cloneOnce();
        log.info("native subscription into {} (copy_data = true) ...", TARGET_DBS.get(Appliers.NATIVE));
        pgbench.createEmptyTables(target, TARGET_DBS.get(Appliers.NATIVE), scale);
        subscription = new NativeSubscription(source, SOURCE_DB, target, TARGET_DBS.get(Appliers.NATIVE));
        subscription.createAndSync();
        requireEqual("after the initial copy");
    }

    private StreamRun runOnce(int run) {
        log.info("run {}/{}: steady load, pgbench -c {} for {} s{} with both appliers running ...", run, runs, clients, seconds,
                rate == null ? "" : " at " + rate + " tx/s");
        awaitBothApplied(marker("steady-" + run));
        long loadStart;
        long loadEnd;
        Map<Appliers, Long> startCounts;
        Map<Appliers, Long> endCounts;
        long sourceStart;
        long sourceEnd;
        Map<Appliers, LagSampler.Lag> lag;
        try (LagSampler sampler = LagSampler.start(source, SOURCE_DB, target, TARGET_DBS)) {
            pause(Duration.ofSeconds(1));
            sourceStart = historyRows(source, SOURCE_DB);
            startCounts = targetHistoryRows();
            loadStart = System.nanoTime();
            pgbench.runFor(source, SOURCE_DB, clients, seconds, Optional.ofNullable(rate));
            loadEnd = System.nanoTime();
            endCounts = targetHistoryRows();
            sourceEnd = historyRows(source, SOURCE_DB);
            running.checkAlive();
            pause(Duration.ofSeconds(1));
            sampler.stop();
            lag = sampler.lag(loadStart, loadEnd);
        }
        Map<Appliers, Long> applied = new EnumMap<>(Appliers.class);
        for (Appliers a : Appliers.values()) {
            applied.put(a, PgBench.CHANGES_PER_TRANSACTION * (endCounts.get(a) - startCounts.get(a)));
        }
        long loadChanges = PgBench.CHANGES_PER_TRANSACTION * (sourceEnd - sourceStart);
        Duration window = Duration.ofNanos(loadEnd - loadStart);
        lag.forEach((a, l) -> log.info("  {}: applied {} changes/s (source {}/s); lag applied p50 {} p99 {} max {}; confirmed p99 {}",
                a.label, perSecond(applied.get(a), window), perSecond(loadChanges, window), secs(l.appliedSeconds().p50()),
                secs(l.appliedSeconds().p99()), secs(l.appliedSeconds().max()), secs(l.confirmedSeconds().p99())));
        awaitBothApplied(marker("steady-end-" + run));
        requireEqual("after the steady load of run " + run);

        log.info("run {}/{}: backlog: both appliers stopped, pgbench piles up {} changes ...", run, runs, backlogChanges);
        running.stop();
        Slots.awaitInactive(source, SOURCE_DB, InflightStream.SLOT);
        subscription.disable();
        // pg_recvlogical's slot starts where both appliers stopped, so that it decodes the same backlog they catch up
        recvLogical.createSlot();
        try {
            long backlogStart = historyRows(source, SOURCE_DB);
            long perClient = (backlogChanges + (long) PgBench.CHANGES_PER_TRANSACTION * clients - 1)
                    / ((long) PgBench.CHANGES_PER_TRANSACTION * clients);
            pgbench.runTransactions(source, SOURCE_DB, clients, perClient);
            String marker = marker("backlog-" + run);
            Lsn backlogEnd = insertLsn();
            long backlog = PgBench.CHANGES_PER_TRANSACTION * (historyRows(source, SOURCE_DB) - backlogStart) + 1;
            List<Appliers> order = run % 2 == 1 ? List.of(Appliers.INFLIGHT, Appliers.NATIVE)
                    : List.of(Appliers.NATIVE, Appliers.INFLIGHT);
            Map<Appliers, StreamRun.CatchUp> catchUps = new EnumMap<>(Appliers.class);
            for (Appliers a : order) {
                source.execute(SOURCE_DB, "CHECKPOINT");
                target.execute("postgres", "CHECKPOINT");
                StreamRun.CatchUp c = catchUp(a, marker, backlogEnd);
                catchUps.put(a, c);
                log.info("  {}: caught up {} changes in {} ({} changes/s; connected after {}); slot confirmed after {}; {}",
                        a.label, backlog, StreamReport.seconds(c.applied()), perSecond(backlog, c.applied()),
                        StreamReport.seconds(c.connected()), StreamReport.seconds(c.confirmed()), c.cpu().describe("own process"));
            }
            source.execute(SOURCE_DB, "CHECKPOINT");
            target.execute("postgres", "CHECKPOINT");
            StreamRun.RecvLogical r = recvLogical.run(backlogEnd);
            log.info("  {}: received {} changes in {} ({} changes/s; connected after {}); {}; {}", RecvLogicalReader.LABEL,
                    backlog, StreamReport.seconds(r.done()), perSecond(backlog, r.done()), StreamReport.seconds(r.connected()),
                    r.serverView(), r.cpu().describe("own process"));
            requireEqual("after the backlog of run " + run);
            recvLogical.dropSlot();
            return new StreamRun(run, loadChanges, window, applied, lag, backlog, catchUps, order, r, Optional.empty());
        } catch (RuntimeException e) {
            recvLogical.dropSlotAfter(e); // an idle slot would keep the source's WAL for good
            throw e;
        }
    }

    /** Starts {@code applier} and times it until the marker is visible on its target and its slot passed {@code end}. */
    private StreamRun.CatchUp catchUp(Appliers applier, String marker, Lsn end) {
        try (Connection tgt = target.connect(TARGET_DBS.get(applier)); Connection src = source.connect(SOURCE_DB);
             Statement t = tgt.createStatement(); Statement s = src.createStatement()) {
            CpuWindow cpuWindow = CpuWindow.start(source, target, t, s);
            long start = System.nanoTime();
            if (applier == Appliers.INFLIGHT) {
                running = inflight.start();
            } else {
                subscription.enable();
            }
            BackendStates states = new BackendStates();
            long connected = 0;
            long applied = 0;
            long confirmed = 0;
            CpuSeconds cpu = null;
            long walsender = 0;
            int polls = 0;
            while (applied == 0 || confirmed == 0) {
                if (applied == 0 && marker.equals(branchMarker(t))) {
                    applied = System.nanoTime();
                    // the CPU up to the same end point as the catch-up's time; the walsender lives on, so read it now
                    cpuWindow.sampleWalsender(walsender);
                    cpu = cpuWindow.end(applier == Appliers.INFLIGHT ? running.cpuTicks() : 0);
                }
                try (ResultSet rs = s.executeQuery("SELECT active, confirmed_flush_lsn::text, coalesce(active_pid, 0)"
                        + " FROM pg_replication_slots WHERE slot_name = " + Identifiers.literal(applier.slot))) {
                    if (!rs.next()) {
                        throw new IllegalStateException("slot " + applier.slot + " vanished from the source");
                    }
                    if (connected == 0 && rs.getBoolean(1)) {
                        connected = System.nanoTime();
                    }
                    if (confirmed == 0 && rs.getString(2) != null && Lsn.parse(rs.getString(2)).compareTo(end) >= 0) {
                        confirmed = System.nanoTime();
                    }
                    walsender = rs.getLong(3);
                    if (cpu == null) {
                        cpuWindow.sampleWalsender(walsender);
                    }
                }
                if (applied == 0 && connected != 0 && polls++ % STATES_EVERY_POLLS == 0) {
                    states.poll(t, s, applier.slot);
                }
                if (System.nanoTime() - start > CATCH_UP_LIMIT.toNanos()) {
                    throw new IllegalStateException(applier.label + " did not catch up within " + CATCH_UP_LIMIT.toMinutes() + " min");
                }
                if (applier == Appliers.INFLIGHT) {
                    running.checkAlive();
                }
                Thread.sleep(POLL_MS);
            }
            log.info("  {} while catching up (once connected): {}", applier.label, states.summary());
            // a catch-up faster than one poll may never see the slot active: then it connected at once
            connected = connected == 0 ? start : connected;
            return new StreamRun.CatchUp(Duration.ofNanos(connected - start), Duration.ofNanos(applied - start),
                    Duration.ofNanos(confirmed - start), states.summary(), cpu);
        } catch (SQLException e) {
            throw new IllegalStateException("watching the catch-up of " + applier.label + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Commits a one-row change on the source that both appliers carry over: once a target shows it, every
     * transaction committed before it has been applied there too (both apply whole transactions in commit order).
     */
    private String marker(String text) {
        source.execute(SOURCE_DB, "UPDATE pgbench_branches SET filler = " + Identifiers.literal(text) + " WHERE bid = 1");
        return text;
    }

    private void awaitBothApplied(String marker) {
        long deadline = System.nanoTime() + CATCH_UP_LIMIT.toNanos();
        for (Appliers a : Appliers.values()) {
            try (Connection c = target.connect(TARGET_DBS.get(a)); Statement s = c.createStatement()) {
                while (!marker.equals(branchMarker(s))) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(a.label + " did not apply the marker '" + marker + "' within "
                                + CATCH_UP_LIMIT.toMinutes() + " min");
                    }
                    running.checkAlive();
                    Thread.sleep(POLL_MS);
                }
            } catch (SQLException e) {
                throw new IllegalStateException("waiting for " + a.label + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    private static String branchMarker(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT btrim(filler) FROM pgbench_branches WHERE bid = 1")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private Lsn insertLsn() {
        try (Connection c = source.connect(SOURCE_DB); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        } catch (SQLException e) {
            throw new IllegalStateException("reading the source's WAL position: " + e.getMessage(), e);
        }
    }

    private Map<Appliers, Long> targetHistoryRows() {
        Map<Appliers, Long> out = new EnumMap<>(Appliers.class);
        TARGET_DBS.forEach((a, db) -> out.put(a, historyRows(target, db)));
        return out;
    }

    /** One per pgbench transaction committed (or applied): the exact change counter, times four. */
    private static long historyRows(PostgresServer server, String database) {
        try (Connection c = server.connect(database)) {
            return Long.parseLong(TableContents.scalar(c, "SELECT count(*) FROM pgbench_history"));
        } catch (SQLException e) {
            throw new IllegalStateException("counting pgbench_history in " + database + ": " + e.getMessage(), e);
        }
    }

    /** Row count and an md5 over the sorted row md5s of every pgbench table, on the source and both targets. */
    private void requireEqual(String when) {
        List<String> differences = new ArrayList<>();
        try (Connection s = source.connect(SOURCE_DB); Connection a = target.connect(TARGET_DBS.get(Appliers.INFLIGHT));
             Connection n = target.connect(TARGET_DBS.get(Appliers.NATIVE))) {
            for (String table : PgBench.TABLES) {
                String expected = TableContents.fingerprint(s, table);
                String inflightPrint = TableContents.fingerprint(a, table);
                String nativePrint = TableContents.fingerprint(n, table);
                if (!expected.equals(inflightPrint)) {
                    differences.add(table + " on Inflight's target: " + inflightPrint + ", source " + expected);
                }
                if (!expected.equals(nativePrint)) {
                    differences.add(table + " on the subscription's target: " + nativePrint + ", source " + expected);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("comparing the tables " + when + ": " + e.getMessage(), e);
        }
        if (!differences.isEmpty()) {
            throw new IllegalStateException("a target differs from the source " + when + ": " + String.join("; ", differences));
        }
        log.info("  source and both targets equal {} (row counts and md5 of all {} tables)", when, PgBench.TABLES.size());
    }

    private static Duration timed(Runnable r) {
        long start = System.nanoTime();
        r.run();
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String perSecond(long changes, Duration d) {
        return String.format(Locale.ROOT, "%,.0f", changes / (d.toNanos() / 1e9));
    }

    private static String secs(double s) {
        return String.format(Locale.ROOT, "%.2f s", s);
    }

    /** The command that reproduces this run, for the report. */
    private String command() {
        String extra = (rate == null ? "" : " --rate " + rate)
                + (inflightJar.equals(Paths.get("inflight-cli/target/inflight.jar")) ? "" : " --inflight-jar " + inflightJar)
                + (output.equals(Paths.get("BENCHMARKS.md")) ? "" : " --output " + output);
        return String.format(Locale.ROOT, "./bench stream --scale %d --clients %d --seconds %d --backlog-changes %d --runs %d%s",
                scale, clients, seconds, backlogChanges, runs, extra);
    }
}
