package io.inflight.bench;

import io.inflight.testkit.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's pgbench 15 against a test-kit server: {@code -i} to create and fill the TPC-B-like tables, and
 * the built-in script as load. Each of its transactions changes exactly four rows (three updates, one
 * insert into pgbench_history), which is what makes pgbench_history's row count an exact change counter.
 * The password travels in {@code PGPASSWORD}, never on a command line.
 */
record PgBench(Path binary, Path workDir) {

    /** Rows changed by one transaction of the built-in TPC-B-like script. */
    static final int CHANGES_PER_TRANSACTION = 4;
    static final List<String> TABLES = List.of("pgbench_accounts", "pgbench_branches", "pgbench_tellers", "pgbench_history");
    private static final Duration LIMIT = Duration.ofHours(1);
    private static final Pattern PROCESSED = Pattern.compile("number of transactions actually processed: (\\d+)");

    static PgBench debian15(Path workDir) {
        Path bin = Paths.get("/usr/lib/postgresql/15/bin/pgbench");
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException(bin + " is missing: install PostgreSQL 15's client tools "
                    + "(apt-get install postgresql-client-15)");
        }
        return new PgBench(bin, workDir);
    }

    /** {@code pgbench -i -s scale}: creates, fills, vacuums and keys the four tables. */
    void initialize(PostgresServer server, String database, int scale) {
        run(server, database, Optional.empty(), "-i", "-q", "-s", Integer.toString(scale));
    }

    /** The four tables with their primary keys and no rows ({@code -I dtp}): a subscription's target. */
    void createEmptyTables(PostgresServer server, String database, int scale) {
        run(server, database, Optional.empty(), "-i", "-q", "-I", "dtp", "-s", Integer.toString(scale));
    }

    /** The built-in script for {@code seconds}, optionally throttled to {@code rate} transactions/s; returns its count. */
    long runFor(PostgresServer server, String database, int clients, int seconds, Optional<Integer> rate) {
        List<String> args = new ArrayList<>(List.of("-n", "-c", Integer.toString(clients), "-j", Integer.toString(threads(clients)),
                "-T", Integer.toString(seconds)));
        rate.ifPresent(r -> args.addAll(List.of("-R", Integer.toString(r))));
        return processed(run(server, database, Optional.empty(), args.toArray(String[]::new)));
    }

    /**
     * Exactly {@code transactionsPerClient} transactions on each of {@code clients} connections, with
     * asynchronous commit: used to pile up a backlog while the appliers are stopped, where only the WAL it
     * leaves matters, not how fast the source could fsync.
     */
    long runTransactions(PostgresServer server, String database, int clients, long transactionsPerClient) {
        return processed(run(server, database, Optional.of("-c synchronous_commit=off"), "-n", "-c", Integer.toString(clients),
                "-j", Integer.toString(threads(clients)), "-t", Long.toString(transactionsPerClient)));
    }

    private static int threads(int clients) {
        return Math.max(1, Math.min(clients, Runtime.getRuntime().availableProcessors()));
    }

    private String run(PostgresServer server, String database, Optional<String> pgOptions, String... args) {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "-h", server.host(), "-p", Integer.toString(server.port()),
                "-U", PostgresServer.SUPERUSER));
        cmd.addAll(List.of(args));
        cmd.add(database);
        try {
            Path out = Files.createTempFile(workDir, "pgbench", ".out");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile());
            pb.environment().put("PGPASSWORD", server.password());
            pgOptions.ifPresent(o -> pb.environment().put("PGOPTIONS", o));
            Processes.Outcome outcome = Processes.run(pb, LIMIT);
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            Files.deleteIfExists(out);
            if (!outcome.ok()) {
                throw new IllegalStateException("pgbench " + String.join(" ", args) + " failed: " + outcome.describe());
            }
            return stdout;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run pgbench", e);
        }
    }

    private static long processed(String stdout) {
        Matcher m = PROCESSED.matcher(stdout);
        if (!m.find()) {
            throw new IllegalStateException("pgbench's output has no transaction count: " + stdout.strip());
        }
        return Long.parseLong(m.group(1));
    }
}
