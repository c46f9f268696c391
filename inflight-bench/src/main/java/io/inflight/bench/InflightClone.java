package io.inflight.bench;

import io.inflight.core.Identifiers;
import io.inflight.testkit.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code inflight clone} as a user runs it: the CLI's own jar in a separate JVM capped at
 * {@code -Xmx256m}, with a GC log to read the peak heap from, passwords in its environment, and its
 * {@code --json} summary for the phase times. After each run the slot and publication it created on
 * the source are dropped, so the next run starts from the same source.
 */
final class InflightClone implements Tool {

    private static final Logger log = LoggerFactory.getLogger(InflightClone.class);
    static final String KEY = "inflight";
    private static final Duration LIMIT = Duration.ofHours(2);
    static final String MAX_HEAP = "256m";
    /** The replication slot and publication {@code inflight clone} creates on the source. */
    static final String SLOT = "inflight";
    static final String PUBLICATION = "inflight";

    private final Path jar;
    private final Setup setup;
    private final int jobs;

    InflightClone(Path jar, Setup setup) {
        this.jar = jar;
        this.setup = setup;
        this.jobs = setup.jobs();
    }

    @Override
    public String key() {
        return KEY;
    }

    @Override
    public String label() {
        return "inflight clone --jobs " + jobs;
    }

    @Override
    public String description() {
        return "`" + InflightJvm.SHOWN + " clone --jobs " + jobs
                + " --json` into an empty database (schema, data, indexes, constraints, sequences); "
                + "time = the harness's wall clock around the JVM, phases from its `--json` summary. Then, not part "
                + "of that time, `inflight verify --jobs " + jobs + " --live off` of the same two databases in a JVM "
                + "of its own, timed by the harness (the verify row), which must find them equal.";
    }

    @Override
    public String clientProcesses() {
        return "its JVM";
    }

    @Override
    public Measurement run(String targetDatabase) {
        if (!Files.isRegularFile(jar)) {
            return Measurement.failed(Duration.ZERO, jar + " does not exist: build it with `mvn -q -B -DskipTests package`");
        }
        Path gcLog = setup.workDir().resolve("gc-" + targetDatabase + ".log");
        Path stdout = setup.workDir().resolve("inflight-" + targetDatabase + ".json");
        List<String> cmd = InflightJvm.command(jar, List.of("-Xlog:gc:file=" + gcLog));
        cmd.addAll(List.of("clone",
                "--source", url(setup.source(), setup.sourceDatabase()), "--target", url(setup.target(), targetDatabase),
                "--jobs", Integer.toString(jobs), "--json"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(stdout.toFile());
        if (Processes.keepLogsDir() != null) {
            pb.command().add("--verbose");  // its step timeline, kept with the logs
        }
        pb.environment().put("INFLIGHT_SOURCE_PASSWORD", setup.source().password());
        pb.environment().put("INFLIGHT_TARGET_PASSWORD", setup.target().password());
        try {
            CpuWindow cpu = CpuWindow.start(setup.source(), setup.target());
            long start = System.nanoTime();
            Processes.Outcome outcome = Processes.run(pb, LIMIT);
            Duration wall = Duration.ofNanos(System.nanoTime() - start);
            // before verify starts: its JVM and its reads on both servers are not the clone's
            CpuSeconds used = cpu.endWithHarnessChildren();
            OptionalLong peak = Files.exists(gcLog) ? GcLog.peakHeapBytes(read(gcLog)) : OptionalLong.empty();
            if (!outcome.ok()) {
                String oom = outcome.stderrTail().contains("OutOfMemoryError") ? " (out of memory under -Xmx" + MAX_HEAP + ")" : "";
                return Measurement.failed(wall, "inflight clone " + outcome.describe() + oom).withPeakHeap(peak);
            }
            CloneSummary summary;
            try {
                summary = CloneSummary.parse(read(stdout));
            } catch (IllegalArgumentException e) {
                return Measurement.failed(wall, "inflight clone exited 0 but its --json output is unusable: "
                        + e.getMessage()).withPeakHeap(peak);
            }
            log.info("  inflight reported {} rows, {} MB copied in {} ms ({})", summary.rowsCopied(),
                    summary.bytesCopied() >> 20, summary.elapsed().toMillis(), summary.phases());
            if (!summary.phases().containsKey(Measurement.COPY)) {
                return Measurement.failed(wall, "inflight clone's --json summary has no \"copy\" phase: "
                        + summary.phases().keySet()).withPeakHeap(peak);
            }
            Map<String, Duration> phases = new LinkedHashMap<>(summary.phases());
            Processes.Outcome verified;
            long verifyStart = System.nanoTime();
            verified = Processes.run(verifyCommand(targetDatabase), LIMIT);
            phases.put(Measurement.VERIFY, Duration.ofNanos(System.nanoTime() - verifyStart));
            if (!verified.ok()) {
                return Measurement.failed(wall, "inflight verify after the clone " + verified.describe()
                        + " (exit 21: the target differs)").withPeakHeap(peak);
            }
            return Measurement.succeeded(wall, phases).withPeakHeap(peak).withCpu(used);
        } finally {
            dropReplicationObjects();
            Processes.deleteQuietly(gcLog);
            Processes.deleteQuietly(stdout);
        }
    }

    /**
     * {@code inflight verify} of the database just cloned, as a user runs it, with the clone's jobs; exits 0
     * only when every table is equal. Not live: nothing streams into the target here.
     */
    private ProcessBuilder verifyCommand(String targetDatabase) {
        List<String> cmd = InflightJvm.command(jar, List.of());
        cmd.addAll(List.of("verify", "--source", url(setup.source(), setup.sourceDatabase()),
                "--target", url(setup.target(), targetDatabase), "--jobs", Integer.toString(jobs), "--live", "off",
                "--restart", Processes.keepLogsDir() != null ? "--verbose" : "--quiet"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("INFLIGHT_SOURCE_PASSWORD", setup.source().password());
        pb.environment().put("INFLIGHT_TARGET_PASSWORD", setup.target().password());
        return pb;
    }

    /** The URL form the CLI takes: no password in it, that comes from the environment. */
    static String url(PostgresServer server, String database) {
        return "postgresql://" + PostgresServer.SUPERUSER + "@" + server.host() + ":" + server.port() + "/" + database;
    }

    private void dropReplicationObjects() {
        // The walsender of a JVM that just exited may still hold the slot for a moment.
        for (int attempt = 1; ; attempt++) {
            try (Connection c = setup.source().connect(setup.sourceDatabase()); Statement s = c.createStatement()) {
                s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = "
                        + Identifiers.literal(SLOT));
                s.execute("DROP PUBLICATION IF EXISTS " + Identifiers.quote(PUBLICATION));
                return;
            } catch (SQLException e) {
                if (attempt == 10) {
                    throw new IllegalStateException("cannot drop Inflight's slot or publication on the source: "
                            + e.getMessage(), e);
                }
                sleep(Duration.ofSeconds(1));
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
