package io.inflight.bench;

import io.inflight.core.Identifiers;
import io.inflight.testkit.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench clone}: starts a PostgreSQL 13 source and a PostgreSQL 17 target, generates the dataset
 * once, then runs pg_dump + pg_restore, the psql COPY pipe and inflight clone in turn, N rounds,
 * each into a fresh target database; checks row counts after each run, and writes the report to
 * standard output and to BENCHMARKS.md. Exits 1 when any run failed (the report is written anyway).
 */
@Command(name = "clone", mixinStandardHelpOptions = true,
        description = "Benchmark inflight clone against pg_dump/pg_restore and a psql binary COPY pipe (13 -> 17).")
final class CloneBenchmark implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(CloneBenchmark.class);
    private static final String SOURCE_DATABASE = "benchdb";

    @Spec
    CommandSpec spec;

    @Option(names = "--scale", defaultValue = "1.0",
            description = "Dataset size; 1.0 = about 5 M rows, 1.3 GB (default: ${DEFAULT-VALUE}).")
    double scale;

    @Option(names = "--runs", defaultValue = "3", description = "Runs of each tool (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--jobs", defaultValue = "2",
            description = "Parallel jobs for every tool (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--inflight-jar", defaultValue = "inflight-cli/target/inflight.jar",
            description = "The inflight CLI jar to run (default: ${DEFAULT-VALUE}).")
    Path inflightJar;

    @Option(names = "--output", defaultValue = "BENCHMARKS.md",
            description = "The file whose clone section is replaced (default: ${DEFAULT-VALUE}).")
    Path output;

    @Override
    public Integer call() throws IOException {
        if (!(scale > 0) || runs < 1 || jobs < 1) {
            throw new ParameterException(spec.commandLine(), "--scale must be > 0, --runs and --jobs at least 1 (got scale " + scale
                    + ", runs " + runs + ", jobs " + jobs + ")");
        }
        ClientTools clientTools = ClientTools.debian15();
        Path workDir = Files.createTempDirectory("inflight-bench-");
        try (PostgresServer source = PostgresServer.builder(13).durable(true).start();
             PostgresServer target = PostgresServer.builder(17).durable(true).start()) {
            log.info("source PostgreSQL {} on port {}, target PostgreSQL {} on port {}", source.major(), source.port(),
                    target.major(), target.port());
            log.info("generating the dataset at scale {} ...", scale);
            long genStart = System.nanoTime();
            Dataset dataset = Dataset.generate(source, SOURCE_DATABASE, scale);
            Duration generation = Duration.ofNanos(System.nanoTime() - genStart);
            log.info("dataset: {} rows in {} tables, {} MB (pg_database_size), generated in {}", dataset.totalRows(),
                    dataset.tables().size(), dataset.sizeBytes() >> 20, Report.seconds(generation));
            dataset.tables().forEach(t -> log.info("  {}: {} rows, {} kB", t.id(), t.rows(), t.bytes() >> 10));

            Setup setup = new Setup(source, dataset, target, workDir, jobs);
            List<Tool> tools = List.of(new PgDumpRestore(clientTools, setup), PsqlCopyPipe.create(clientTools, setup),
                    new InflightClone(inflightJar.toAbsolutePath(), setup));
            List<Report.Run> results = new ArrayList<>();
            for (int run = 1; run <= runs; run++) {
                for (Tool tool : tools) {
                    results.add(new Report.Run(tool, run, runOnce(tool, run, source, target, dataset)));
                }
            }
            Report report = new Report(command(), ZonedDateTime.now(), Machine.describe(source, target, clientTools),
                    dataset, generation, runs, tools, results);
            String markdown = report.markdown();
            System.out.println();
            System.out.println(markdown);
            BenchmarksFile.update(output, Report.SECTION, markdown);
            log.info("wrote the clone section of {}", output.toAbsolutePath());
            if (!report.allSucceeded()) {
                log.warn("some runs failed; see \"Failed runs\" above");
                return 1;
            }
            return 0;
        } finally {
            Processes.deleteQuietly(workDir);
        }
    }

    private Measurement runOnce(Tool tool, int run, PostgresServer source, PostgresServer target, Dataset dataset) {
        String database = "bench_" + tool.key() + "_" + run;
        target.createDatabase(database);
        // Start each run with no dirty buffers left by the one before, on either side.
        source.execute("postgres", "CHECKPOINT");
        target.execute("postgres", "CHECKPOINT");
        log.info("run {}/{}: {} ...", run, runs, tool.label());
        Measurement m;
        try {
            m = tool.run(database);
            if (m.ok()) {
                List<String> differences = dataset.differencesIn(target, database, !tool.dataOnly());
                if (!differences.isEmpty()) {
                    m = m.failedAfterwards("the target differs from the source (" + differences.size()
                            + (differences.size() == 1 ? " difference): " : " differences): ") + abbreviate(differences));
                }
            }
        } catch (RuntimeException e) {
            m = Measurement.failed(Duration.ZERO, "the harness failed around the tool: " + e);
        } finally {
            target.execute("postgres", "DROP DATABASE IF EXISTS " + Identifiers.quote(database) + " WITH (FORCE)");
        }
        if (m.ok()) {
            log.info("run {}/{}: {}: {} {}", run, runs, tool.label(), Report.seconds(m.wall()), phases(m));
        } else {
            log.error("run {}/{}: {} FAILED: {}", run, runs, tool.label(), m.failure().orElseThrow());
        }
        return m;
    }

    private static String abbreviate(List<String> items) {
        int shown = Math.min(3, items.size());
        String head = String.join("; ", items.subList(0, shown));
        return shown == items.size() ? head : head + "; and " + (items.size() - shown) + " more";
    }

    private static String phases(Measurement m) {
        List<String> parts = new ArrayList<>();
        m.phases().forEach((k, v) -> parts.add(k + " " + Report.seconds(v)));
        m.peakHeapBytes().ifPresent(b -> parts.add("peak heap " + (b >> 20) + " MB"));
        m.cpu().ifPresent(c -> parts.add(c.describe("client processes")));
        return parts.isEmpty() ? "" : "(" + String.join(", ", parts) + ")";
    }

    /** The command that reproduces this run, for the report. */
    private String command() {
        String defaults = inflightJar.equals(Paths.get("inflight-cli/target/inflight.jar"))
                && output.equals(Paths.get("BENCHMARKS.md")) ? "" : " --inflight-jar " + inflightJar + " --output " + output;
        return String.format(Locale.ROOT, "./bench clone --scale %s --runs %d --jobs %d%s", scale, runs, jobs, defaults);
    }
}
