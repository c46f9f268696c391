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
import io.inflight.core.Identifiers;
import io.inflight.core.Secret;
import io.inflight.postgres.cutover.PgBouncerSettings;
import io.inflight.postgres.cutover.SwitchOptions;
import io.inflight.postgres.cutover.SwitchResult;
import io.inflight.postgres.cutover.Switchover;
import io.inflight.postgres.stream.StreamListener;
import io.inflight.testkit.PgBouncer;
import io.inflight.testkit.PostgresServer;
import io.inflight.testkit.TableContents;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
        description = "Starts PostgreSQL 13 and 17 on this machine, writes to the 13 (through PgBouncer when it is "
                + "installed) while cloning it to the 17 and streaming its changes, then cuts over through PgBouncer "
                + "while the writer keeps writing, prints the write pause, streams the new writes back to the 13, and "
                + "shows that both sides hold the same rows. Without PgBouncer it drains the stream instead of cutting "
                + "over. Needs only Java, Maven and tar/xz (and pgbouncer for the cutover).")
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

    private static final String APP = "shop_app";
    private final String appPassword = "app-" + java.util.UUID.randomUUID();
    private long lastOrderBeforeCutover;

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

            PgBouncer bouncer = startBouncer(out, source, target);
            try {
                Supplier<Connection> app = bouncer == null ? () -> connect(source) : () -> connectApp(bouncer);
                SourceWriter writer = new SourceWriter(app, size, 2_000);
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
                    if (bouncer != null) {
                        target.execute(ShopSchema.DATABASE, grants().toArray(String[]::new));
                    }
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
                    if (bouncer == null) {
                        streamed = streamWhileWriting(src, tgt, writer, quiet, err);
                    } else {
                        streamed = cutoverWhileWriting(out, bouncer, src, tgt, writer, quiet, err);
                    }
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
                if (bouncer != null) {
                    reportAfterCutover(out, source, target);
                }
                if (keep) {
                    keepRunning(out, source, target);
                }
            } finally {
                if (bouncer != null) {
                    bouncer.close();
                }
            }
        }
        return 0;
    }

    /** Orders placed after the cutover went to the target; they must be on the old source too. */
    private void reportAfterCutover(PrintWriter out, PostgresServer source, PostgresServer target)
            throws SQLException {
        String sql = "SELECT count(*) FROM shop.orders WHERE id > " + lastOrderBeforeCutover;
        long onTarget;
        long onSource;
        try (Connection s = connect(source); Connection t = connect(target)) {
            onTarget = Long.parseLong(TableContents.scalar(t, sql));
            onSource = Long.parseLong(TableContents.scalar(s, sql));
        }
        out.printf(Locale.ROOT, "Orders placed on the new primary (17) after the cutover: %s; of them on the old"
                + " source (13), through the stream back: %s.%n", ProgressMath.count(onTarget),
                ProgressMath.count(onSource));
        out.flush();
        if (onSource != onTarget || onTarget == 0) {
            throw new InflightException(ErrorCode.INTERNAL, "after the cutover the target took " + onTarget
                    + " orders but the old source has " + onSource + " of them");
        }
    }

    private static long maxOrderId(Endpoint e) {
        try (Connection c = new io.inflight.postgres.connect.PgConnector(io.inflight.postgres.connect.Side.SOURCE, e)
                .open(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(max(id), 0) FROM shop.orders")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException ex) {
            throw new IllegalStateException("reading the newest order on " + e + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * PgBouncer in front of the source, as the application's way in (role {@value #APP}); null, said so, when
     * PgBouncer is not installed: then the demo ends with the stream drained instead of a cutover.
     */
    private PgBouncer startBouncer(PrintWriter out, PostgresServer source, PostgresServer target) {
        if (!Files.isExecutable(Paths.get(PgBouncer.BINARY))) {
            out.println("  PgBouncer is not installed (" + PgBouncer.BINARY + "; apt-get install pgbouncer): the demo"
                    + " skips the cutover and ends once the stream has drained.");
            return null;
        }
        for (PostgresServer pg : new PostgresServer[] {source, target}) {
            pg.execute("postgres", "CREATE ROLE " + APP + " LOGIN PASSWORD " + Identifiers.literal(appPassword));
        }
        source.execute(ShopSchema.DATABASE, grants().toArray(String[]::new));
        PgBouncer b = PgBouncer.builder().database(ShopSchema.DATABASE, source, ShopSchema.DATABASE)
                .user(APP, appPassword).start();
        out.printf(Locale.ROOT, "  PgBouncer on %s:%d routes the application (role %s) to the source%n", b.host(),
                b.port(), APP);
        return b;
    }

    private static List<String> grants() {
        return List.of("GRANT USAGE ON SCHEMA shop TO " + APP, "GRANT ALL ON ALL TABLES IN SCHEMA shop TO " + APP,
                "GRANT ALL ON ALL SEQUENCES IN SCHEMA shop TO " + APP);
    }

    private Connection connectApp(PgBouncer bouncer) {
        try {
            return bouncer.connect(ShopSchema.DATABASE, APP, appPassword);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect through PgBouncer on port " + bouncer.port() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Streams beside the writer for a while, then cuts over through PgBouncer while it keeps writing, lets it
     * write to the new primary, and runs the stream back so that the old source receives those writes too. Ends
     * with the writer stopped and the stream back drained: both sides equal.
     */
    private StreamResult cutoverWhileWriting(PrintWriter out, PgBouncer bouncer, Endpoint src, Endpoint tgt,
                                             SourceWriter writer, boolean quiet, PrintWriter err)
            throws InterruptedException {
        AtomicReference<StreamJob> running = new AtomicReference<>();
        ExecutorService runner = Executors.newFixedThreadPool(2, r -> new Thread(r, "inflight-demo-stream"));
        try {
            Future<StreamResult> stream = runner.submit(() -> Streaming.run(
                    StreamOptions.defaults(src, tgt), quiet, err, running::set));
            sleepWatching(stream, Duration.ofSeconds(streamSeconds));
            out.println();
            out.println("Cutting over through PgBouncer while the writer keeps writing...");
            out.flush();
            writer.resetLongestGap();
            SwitchOptions options = SwitchOptions.defaults(src, tgt)
                    .withPgBouncer(new PgBouncerSettings(bouncer.host(), bouncer.port(), bouncer.adminUser(),
                            Secret.of(bouncer.adminPassword()), ShopSchema.DATABASE, bouncer.configFile()))
                    // the demo's own checks stand in for inflight verify, which wants the writer to hold still
                    .withVerifyCheck(false, SwitchOptions.DEFAULT_VERIFY_MAX_AGE);
            SwitchResult cut = Switchover.cutover(options, io.inflight.core.progress.ProgressListener.NONE).run();
            StreamResult streamed = stream.get(60, TimeUnit.SECONDS);
            SourceWriter.Counts atCut = writer.counts();
            lastOrderBeforeCutover = maxOrderId(src); // the old source takes no application writes any more
            Thread.sleep(1000); // the writer's slowest moment may end just after the resume
            out.printf(Locale.ROOT, "  cutover done: writes paused for %d ms (fence to resume); the writer's longest"
                    + " wait between two commits was %d ms, and none of its transactions failed%n",
                    cut.writePause().toMillis(), writer.longestGap().toMillis());
            out.println("  steps: " + cut.steps().entrySet().stream().map(e -> e.getKey() + " "
                    + e.getValue().toMillis() + " ms").collect(java.util.stream.Collectors.joining(", ")));
            out.println("The writer now writes to the target through PgBouncer; the stream back (inflight stream"
                    + " --reverse) keeps the old source in step...");
            out.flush();
            StreamJob back = new StreamJob(StreamOptions.defaults(tgt, src),
                    io.inflight.core.progress.ProgressListener.NONE, StreamListener.NONE);
            Future<StreamResult> reverse = runner.submit(back::run);
            sleepWatching(reverse, Duration.ofSeconds(3));
            writer.stop();
            Lsn last = StreamJob.sourcePosition(tgt);
            back.awaitPosition(last);
            while (back.stats().appliedLsn().compareTo(last) < 0) {
                sleepWatching(reverse, Duration.ofMillis(20));
            }
            back.stop();
            reverse.get(60, TimeUnit.SECONDS);
            SourceWriter.Counts after = writer.counts().minus(atCut);
            out.printf(Locale.ROOT, "  after the cutover the writer made %s transactions on the target (%s orders);"
                    + " the stream back applied them to the old source%n", ProgressMath.count(after.transactions()),
                    ProgressMath.count(after.ordersPlaced()));
            return streamed;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("a stream did not stop within 60 s of being asked to", e);
        } finally {
            runner.shutdownNow();
        }
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
