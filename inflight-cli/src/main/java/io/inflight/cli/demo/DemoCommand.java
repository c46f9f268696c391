package io.inflight.cli.demo;

import io.inflight.cli.CloneSummary;
import io.inflight.cli.Cloning;
import io.inflight.cli.Main;
import io.inflight.cli.Streaming;
import io.inflight.cli.logging.Logging.Verbosity;
import io.inflight.cli.progress.ProgressMath;
import io.inflight.core.Endpoint;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.core.TableId;
import io.inflight.postgres.clone.CloneOptions;
import io.inflight.postgres.clone.CloneResult;
import io.inflight.postgres.schema.SchemaFilter;
import io.inflight.postgres.schema.TableCatalog;
import io.inflight.postgres.schema.TableInfo;
import io.inflight.postgres.stream.StreamJob;
import io.inflight.postgres.stream.StreamOptions;
import io.inflight.postgres.stream.StreamResult;
import io.inflight.testkit.PostgresServer;
import io.inflight.testkit.TableContents;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code inflight demo}: a live migration on this machine. Starts a PostgreSQL 13 source and a
 * PostgreSQL 17 target, fills the source with a shop, keeps writing to it while the clone runs, and
 * says what happened. Both servers are removed at the end.
 */
@Command(name = "demo", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Starts PostgreSQL 13 and 17 on this machine, writes to the 13 while cloning it to the 17 and "
                + "streaming its changes, drains the stream once the writer stops, and shows that both sides hold "
                + "the same rows. Needs only Java, Maven and tar/xz.")
public final class DemoCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    io.inflight.cli.GlobalOptions global;

    @Option(names = "--scale", paramLabel = "FACTOR", defaultValue = "1",
            description = "Data size: 1 is 50k customers, 200k orders, 500k items, 300k ledger entries "
                    + "(default: ${DEFAULT-VALUE}).")
    double scale;

    @Option(names = "--jobs", paramLabel = "N", description = "Parallel clone workers (default: the number of cores).")
    Integer jobs;

    @Option(names = "--stream-seconds", paramLabel = "S", defaultValue = "15",
            description = "How long the stream runs alongside the writer before the writer stops and the stream "
                    + "drains (default: ${DEFAULT-VALUE}).")
    long streamSeconds;

    @Option(names = "--keep", description = "Keep both servers running at the end, print how to connect, "
            + "and wait for Enter.")
    boolean keep;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ShopSchema.Size size = ShopSchema.Size.of(scale);
        long t0 = System.nanoTime();
        out.println("Starting PostgreSQL 13 (source) and PostgreSQL 17 (target)...");
        out.flush();
        try (PostgresServer source = PostgresServer.start(13); PostgresServer target = PostgresServer.start(17)) {
            out.printf(Locale.ROOT, "  source: PostgreSQL 13 on %s:%d, target: PostgreSQL 17 on %s:%d (%s)%n",
                    source.host(), source.port(), target.host(), target.port(), ProgressMath.duration(since(t0)));
            out.println("Creating the shop on the source and loading it...");
            out.flush();
            long load = System.nanoTime();
            source.createDatabase(ShopSchema.DATABASE);
            target.createDatabase(ShopSchema.DATABASE);
            source.execute(ShopSchema.DATABASE, ShopSchema.tables().toArray(String[]::new));
            source.execute(ShopSchema.DATABASE, ShopSchema.data(size).toArray(String[]::new));
            source.execute(ShopSchema.DATABASE, ShopSchema.constraintsAndIndexes().toArray(String[]::new));
            out.printf(Locale.ROOT, "  %s customers, %s orders, %s order items, %s ledger entries in %d monthly "
                            + "partitions (%s)%n", ProgressMath.count(size.customers()), ProgressMath.count(size.orders()),
                    ProgressMath.count(size.items()), ProgressMath.count(size.ledgerEntries()), ShopSchema.LEDGER_MONTHS,
                    ProgressMath.duration(since(load)));

            SourceWriter writer = new SourceWriter(() -> connect(source), size, 2_000);
            writer.start();
            out.println("The application is writing to the source. Cloning the source to the target while it does...");
            out.flush();
            boolean quiet = main.verbosity() == Verbosity.QUIET;
            Endpoint src = source.endpoint(ShopSchema.DATABASE);
            Endpoint tgt = target.endpoint(ShopSchema.DATABASE);
            CloneResult result;
            SourceWriter.Counts duringClone;
            StreamResult streamed;
            SourceWriter.Counts total;
            try {
                SourceWriter.Counts before = writer.counts();
                CloneOptions options = CloneOptions.defaults(src, tgt);
                if (jobs != null) {
                    options = options.withJobs(jobs);
                }
                result = Cloning.run(options, quiet, err);
                duringClone = writer.counts().minus(before);
                out.println();
                CloneSummary.lines(result).forEach(out::println);
                out.printf(Locale.ROOT, "While the clone ran, the source took %s transactions (%s rows inserted, %s "
                                + "updated) and never stopped.%n", ProgressMath.count(duringClone.transactions()),
                        ProgressMath.count(duringClone.inserts()), ProgressMath.count(duringClone.updates()));
                out.println();
                out.printf(Locale.ROOT, "Streaming the source's changes into the target for %d s while the writer "
                        + "keeps writing (lag is shown as it goes)...%n", streamSeconds);
                out.flush();
                streamed = streamWhileWriting(src, tgt, writer, quiet, err);
                total = writer.counts();
            } catch (RuntimeException e) {
                // The migration's failure is the story; a writer failing as well only adds to it.
                try {
                    writer.stop();
                } catch (RuntimeException writerFailure) {
                    e.addSuppressed(writerFailure);
                }
                throw e;
            }
            report(out, result, streamed, total, source, target);
            if (keep) {
                keepRunning(out, source, target);
            }
        }
        return 0;
    }

    /**
     * Runs the stream beside the writer for a while, then stops the writer (the application's last write), and
     * lets the stream drain everything up to that point: the target then equals the source.
     */
    private StreamResult streamWhileWriting(Endpoint src, Endpoint tgt, SourceWriter writer, boolean quiet,
                                            PrintWriter err) throws InterruptedException {
        AtomicReference<StreamJob> running = new AtomicReference<>();
        ExecutorService runner = Executors.newSingleThreadExecutor(r -> new Thread(r, "inflight-demo-stream"));
        try {
            Future<StreamResult> stream = runner.submit(() -> Streaming.run(
                    StreamOptions.defaults(src, tgt), quiet, err, running::set));
            sleepWatching(stream, Duration.ofSeconds(streamSeconds));
            writer.stop();
            Lsn last = StreamJob.sourcePosition(src);
            while (running.get() == null || running.get().stats().appliedLsn().compareTo(last) < 0) {
                sleepWatching(stream, Duration.ofMillis(50));
            }
            running.get().stop();
            return stream.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } finally {
            runner.shutdownNow();
        }
    }

    /** Sleeps, but returns early (throwing its failure) when the stream ended by itself. */
    private static void sleepWatching(Future<StreamResult> stream, Duration d)
            throws InterruptedException, ExecutionException {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            if (stream.isDone()) {
                stream.get();
                throw new IllegalStateException("the stream stopped before the demo asked it to");
            }
            Thread.sleep(Math.min(100, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
    }

    private static void report(PrintWriter out, CloneResult result, StreamResult streamed, SourceWriter.Counts total,
                               PostgresServer source, PostgresServer target) throws SQLException {
        out.println();
        out.printf(Locale.ROOT, "The stream applied %s source transactions (%s row changes) in commit order; the "
                        + "writer made %s transactions in all, during the clone and the stream.%n",
                ProgressMath.count(streamed.transactions()), ProgressMath.count(streamed.changes()),
                ProgressMath.count(total.transactions()));
        out.println();
        out.println("Rows per table now, source (13) vs target (17), and whether their contents are identical:");
        List<TableInfo> tables;
        try (Connection c = connect(source)) {
            tables = TableCatalog.read(c, SchemaFilter.all()).stream().filter(TableInfo::holdsRows).toList();
        }
        long sourceRows = 0;
        long targetRows = 0;
        int differing = 0;
        try (Connection s = connect(source); Connection t = connect(target)) {
            for (TableInfo table : tables) {
                long a = count(s, table.id());
                long b = count(t, table.id());
                boolean same = TableContents.fingerprint(s, table.id().quoted())
                        .equals(TableContents.fingerprint(t, table.id().quoted()));
                differing += same ? 0 : 1;
                sourceRows += a;
                targetRows += b;
                out.println(String.format(Locale.ROOT, "  %-32s %12s %12s  %s", table.id(), ProgressMath.count(a),
                        ProgressMath.count(b), same ? "identical" : "DIFFERENT").stripTrailing());
            }
        }
        out.printf(Locale.ROOT, "  %-32s %12s %12s%n", "total", ProgressMath.count(sourceRows),
                ProgressMath.count(targetRows));
        out.println();
        if (differing == 0) {
            out.println("The target holds exactly what the source holds, up to its last write (LSN "
                    + streamed.appliedLsn() + "): every change made during the clone and the stream arrived, once.");
        } else {
            out.println(differing + " tables differ between source and target: this is a bug in Inflight; please"
                    + " report it with the output above.");
        }
        out.printf(Locale.ROOT, "The replication slot \"%s\" stays on the source for a later rerun; inflight cleanup"
                + " removes it.%n", result.slotName());
        out.flush();
        if (differing > 0) {
            throw new InflightException(ErrorCode.INTERNAL, differing + " tables differ after the demo's migration");
        }
    }

    private static void keepRunning(PrintWriter out, PostgresServer source, PostgresServer target)
            throws IOException {
        Path dir = Files.createTempDirectory("inflight-demo");
        Path pgpass = dir.resolve("pgpass");
        // The passwords go into a pgpass file readable by this user only, never onto the screen.
        Files.createFile(pgpass, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(pgpass, pgpassLine(source) + pgpassLine(target));
        try {
            out.println();
            out.println("Both servers keep running. Connect with (passwords are in " + pgpass + "):");
            out.println("  source: PGPASSFILE=" + pgpass + " psql -h " + source.host() + " -p " + source.port()
                    + " -U " + PostgresServer.SUPERUSER + " " + ShopSchema.DATABASE);
            out.println("  target: PGPASSFILE=" + pgpass + " psql -h " + target.host() + " -p " + target.port()
                    + " -U " + PostgresServer.SUPERUSER + " " + ShopSchema.DATABASE);
            out.println("Press Enter (or Ctrl-C) to stop them and remove their data.");
            out.flush();
            System.in.read();
        } finally {
            Files.deleteIfExists(pgpass);
            Files.deleteIfExists(dir);
        }
    }

    private static String pgpassLine(PostgresServer pg) {
        Endpoint e = pg.endpoint(ShopSchema.DATABASE);
        return e.host() + ":" + e.port() + ":*:" + e.user() + ":" + pg.password().replace("\\", "\\\\")
                .replace(":", "\\:") + "\n";
    }

    private static long count(Connection c, TableId table) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM ONLY " + table.quoted())) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Connection connect(PostgresServer pg) {
        try {
            return pg.connect(ShopSchema.DATABASE);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to the demo's PostgreSQL " + pg.major() + " on port "
                    + pg.port() + ": " + e.getMessage(), e);
        }
    }

    private static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }
}
