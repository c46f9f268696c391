package io.inflight.bench;

import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The ceiling for a row copy: for each table, {@code psql -c "COPY t TO STDOUT (FORMAT binary)"} piped
 * into {@code psql -c "COPY t FROM STDIN (FORMAT binary)"}, N pipes at a time, largest tables first,
 * into bare tables (the source's pre-data schema: no keys, indexes or foreign keys). Only the copy is
 * timed; building indexes is not part of this figure.
 */
final class PsqlCopyPipe implements Tool {

    static final String KEY = "psqlpipe";
    private static final Duration LIMIT = Duration.ofHours(2);

    private final ClientTools tools;
    private final Setup setup;
    private final Path preDataSchema;
    private final int jobs;

    private PsqlCopyPipe(ClientTools tools, Setup setup, Path preDataSchema) {
        this.tools = tools;
        this.setup = setup;
        this.preDataSchema = preDataSchema;
        this.jobs = setup.jobs();
    }

    /** Dumps the source's pre-data schema once into the scratch directory, for every run to load. */
    static PsqlCopyPipe create(ClientTools tools, Setup setup) {
        Path schema = setup.workDir().resolve("pre-data.sql");
        Processes.Outcome dump = Processes.run(tools.command("pg_dump", setup.source(), setup.sourceDatabase(),
                "--schema-only", "--section=pre-data", "-f", schema.toString()), LIMIT);
        if (!dump.ok()) {
            throw new IllegalStateException("pg_dump of the pre-data schema failed, " + dump.describe());
        }
        return new PsqlCopyPipe(tools, setup, schema);
    }

    @Override
    public String key() {
        return KEY;
    }

    @Override
    public String label() {
        return "psql binary COPY pipe ×" + jobs + " (data only)";
    }

    @Override
    public String description() {
        return "per table `psql -c \"COPY t TO STDOUT (FORMAT binary)\" | psql -c \"COPY t FROM STDIN (FORMAT binary)\"`, "
                + jobs + " pipes at a time, largest table first, into tables created from `pg_dump --section=pre-data` "
                + "(no indexes or constraints); time = the copy only.";
    }

    @Override
    public String clientProcesses() {
        return "psql, two per table";
    }

    @Override
    public boolean dataOnly() {
        return true;
    }

    @Override
    public Measurement run(String targetDatabase) {
        Processes.Outcome schema = Processes.run(
                tools.psql(setup.target(), targetDatabase, "-f", preDataSchema.toString()), LIMIT);
        if (!schema.ok()) {
            return Measurement.failed(Duration.ZERO, "loading the pre-data schema failed, " + schema.describe());
        }
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        try {
            CpuWindow cpu = CpuWindow.start(setup.source(), setup.target());
            long start = System.nanoTime();
            // The dataset lists tables largest first: a fixed pool taking them in order is the
            // "longest job first" schedule pg_restore -j uses too.
            List<Future<String>> pipes = new ArrayList<>();
            for (Dataset.Table table : setup.dataset().tables()) {
                pipes.add(pool.submit(() -> copy(table, targetDatabase)));
            }
            List<String> failures = new ArrayList<>();
            for (Future<String> pipe : pipes) {
                String failure = pipe.get();
                if (failure != null) {
                    failures.add(failure);
                }
            }
            Duration wall = Duration.ofNanos(System.nanoTime() - start);
            CpuSeconds used = cpu.endWithHarnessChildren();
            return failures.isEmpty() ? Measurement.succeeded(wall, Map.of(Measurement.COPY, wall)).withCpu(used)
                    : Measurement.failed(wall, String.join("; ", failures));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while copying", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a copy pipe failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Copies one table through a pipe; null when it worked, else what went wrong. */
    private String copy(Dataset.Table table, String targetDatabase) {
        String name = table.id().quoted();
        ProcessBuilder out = tools.psql(setup.source(), setup.sourceDatabase(), "-c", "COPY " + name + " TO STDOUT (FORMAT binary)");
        ProcessBuilder in = tools.psql(setup.target(), targetDatabase, "-c", "COPY " + name + " FROM STDIN (FORMAT binary)")
                .redirectOutput(Redirect.DISCARD);
        List<Processes.Outcome> outcomes = Processes.pipeline(List.of(out, in), LIMIT);
        if (!outcomes.get(0).ok()) {
            return table.id() + ": COPY TO " + outcomes.get(0).describe();
        }
        if (!outcomes.get(1).ok()) {
            return table.id() + ": COPY FROM " + outcomes.get(1).describe();
        }
        return null;
    }
}
