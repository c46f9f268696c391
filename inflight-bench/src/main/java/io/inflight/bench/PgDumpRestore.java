package io.inflight.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The everyday way to copy a database: {@code pg_dump -Fd -jN} into a directory, then
 * {@code pg_restore -jN} into the empty target (schema, data, indexes, constraints). Defaults
 * otherwise, compression included, as people run it; no {@code --no-owner} is needed since both sides
 * run as the same superuser.
 */
final class PgDumpRestore implements Tool {

    static final String KEY = "pgdump";
    private static final Duration LIMIT = Duration.ofHours(2);

    private final ClientTools tools;
    private final Setup setup;
    private final int jobs;

    PgDumpRestore(ClientTools tools, Setup setup) {
        this.tools = tools;
        this.setup = setup;
        this.jobs = setup.jobs();
    }

    @Override
    public String key() {
        return KEY;
    }

    @Override
    public String label() {
        return "pg_dump -Fd -j" + jobs + " + pg_restore -j" + jobs;
    }

    @Override
    public String description() {
        return "`pg_dump -Fd -j " + jobs + "` (PostgreSQL 15 client, default compression) into a local directory, then "
                + "`pg_restore -j " + jobs + "` into an empty database; time = dump + restore.";
    }

    @Override
    public String clientProcesses() {
        return "pg_dump, pg_restore and their workers";
    }

    @Override
    public Measurement run(String targetDatabase) {
        Path dumpDir = setup.workDir().resolve("dump-" + targetDatabase);
        try {
            CpuWindow cpu = CpuWindow.start(setup.source(), setup.target());
            long start = System.nanoTime();
            Processes.Outcome dump = Processes.run(tools.command("pg_dump", setup.source(), setup.sourceDatabase(),
                    "-Fd", "-j", Integer.toString(jobs), "-f", dumpDir.toString()), LIMIT);
            Duration dumpTime = Duration.ofNanos(System.nanoTime() - start);
            if (!dump.ok()) {
                return Measurement.failed(dumpTime, "pg_dump " + dump.describe());
            }
            long restoreStart = System.nanoTime();
            Processes.Outcome restore = Processes.run(tools.command("pg_restore", setup.target(), targetDatabase,
                    "-j", Integer.toString(jobs), dumpDir.toString()), LIMIT);
            long end = System.nanoTime();
            // each -j worker is a forked child its parent reaps, so it is in the harness's reaped times too
            CpuSeconds used = cpu.endWithHarnessChildren();
            Duration wall = Duration.ofNanos(end - start);
            if (!restore.ok()) {
                return Measurement.failed(wall, "pg_restore " + restore.describe());
            }
            Map<String, Duration> phases = new LinkedHashMap<>();
            phases.put("dump", dumpTime);
            phases.put("restore", Duration.ofNanos(end - restoreStart));
            return Measurement.succeeded(wall, phases).withCpu(used);
        } finally {
            Processes.deleteQuietly(dumpDir);
        }
    }
}
