package io.inflight.bench;

import io.inflight.testkit.PgBouncer;
import io.inflight.testkit.PostgresServer;
import io.inflight.testkit.TableContents;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench cutover}: the write pause an application sees when {@code inflight cutover} moves it from a
 * PostgreSQL 13 source to a PostgreSQL 17 target through PgBouncer, and back with {@code inflight rollback}, while
 * it writes at full speed. Each round uses a fresh database pair and PgBouncer: clone, stream, then cutover (the
 * clients keep writing), stream back, rollback, and finally, with the clients stopped and the stream caught up, both
 * sides must hold the same rows and exactly the rows the clients were told were committed, with no client
 * transaction failed. The real CLI jar runs every Inflight step as a separate process.
 */
@Command(name = "cutover", mixinStandardHelpOptions = true,
        description = "Benchmark the write pause of inflight cutover and rollback through PgBouncer (13 -> 17) under"
                + " a steady write load.")
final class CutoverBenchmark implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(CutoverBenchmark.class);
    static final String SECTION = "cutover";
    private static final String APP = "bench_app";
    private static final String APP_PASSWORD = "bench-app-secret";
    private static final Duration STEP_LIMIT = Duration.ofMinutes(5);
    private static final Pattern PAUSE = Pattern.compile("\"write_pause_ms\":(\\d+)");

    @Spec
    CommandSpec spec;

    @Option(names = "--runs", defaultValue = "3", description = "Rounds (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--clients", defaultValue = "4",
            description = "Client threads writing through PgBouncer (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--accounts", defaultValue = "10000", description = "Rows of the accounts table (default:"
            + " ${DEFAULT-VALUE}).")
    int accounts;

    @Option(names = "--steady-seconds", defaultValue = "5",
            description = "Seconds of streaming under load before the cutover, and before the rollback (default:"
                    + " ${DEFAULT-VALUE}).")
    int steadySeconds;

    @Option(names = "--inflight-jar", defaultValue = "inflight-cli/target/inflight.jar",
            description = "The inflight CLI jar to run (default: ${DEFAULT-VALUE}).")
    Path inflightJar;

    @Option(names = "--output", defaultValue = "BENCHMARKS.md",
            description = "The file whose cutover section is replaced (default: ${DEFAULT-VALUE}).")
    Path output;

    /** One direction of one round: the pause Inflight reports and what the clients saw. */
    record Switch(long reportedPauseMs, List<Double> clientGapsMs) {
    }

    /** One round; {@code error} when it failed (then the switches may be missing). */
    record Round(int number, Switch cutover, Switch rollback, long commits, String error) {
        boolean ok() {
            return error == null;
        }
    }

    @Override
    public Integer call() throws IOException {
        if (runs < 1 || clients < 1 || accounts < 1 || steadySeconds < 1) {
            throw new ParameterException(spec.commandLine(), "--runs, --clients, --accounts and --steady-seconds must"
                    + " be at least 1");
        }
        if (!Files.isExecutable(Paths.get(PgBouncer.BINARY))) {
            throw new ParameterException(spec.commandLine(), PgBouncer.BINARY + " is missing: apt-get install -y"
                    + " pgbouncer");
        }
        String loadAverage = Machine.loadAverage();
        log.info("load average now: {}", loadAverage);
        Path workDir = Files.createTempDirectory("inflight-bench-cutover-");
        List<Round> rounds = new ArrayList<>();
        Machine machine;
        try (PostgresServer source = PostgresServer.builder(13).durable(true).start();
             PostgresServer target = PostgresServer.builder(17).durable(true).start()) {
            machine = Machine.describe(source, target, ClientTools.debian15());
            for (PostgresServer pg : new PostgresServer[] {source, target}) {
                pg.execute("postgres", "CREATE ROLE " + APP + " LOGIN PASSWORD '" + APP_PASSWORD + "'");
            }
            for (int n = 1; n <= runs; n++) {
                Round r = round(n, source, target, workDir);
                log.info("round {}: {}", n, r);
                rounds.add(r);
            }
        }
        CutoverReport report = new CutoverReport(command(), ZonedDateTime.now(), machine, loadAverage,
                Machine.loadAverage(), clients, accounts, steadySeconds, rounds);
        String md = report.markdown();
        System.out.println(md);
        BenchmarksFile.update(output, SECTION, md);
        log.info("wrote the {} section of {}", SECTION, output);
        return rounds.stream().allMatch(Round::ok) ? 0 : 1;
    }

    private String command() {
        return "./bench cutover --runs " + runs + " --clients " + clients + " --accounts " + accounts
                + " --steady-seconds " + steadySeconds;
    }

    private Round round(int n, PostgresServer source, PostgresServer target, Path workDir) {
        String db = "cut" + n;
        source.createDatabase(db);
        target.createDatabase(db);
        source.execute(db, BouncerClients.SCHEMA,
                "INSERT INTO accounts SELECT g, 0 FROM generate_series(1, " + accounts + ") g",
                "GRANT ALL ON ALL TABLES IN SCHEMA public TO " + APP,
                "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO " + APP);
        InflightStream forward = new InflightStream(inflightJar, source, db, target, db, workDir,
                java.util.Optional.empty());
        Switch cut = null;
        Switch back = null;
        long commits = 0;
        try (PgBouncer bouncer = PgBouncer.builder().database(db, source, db).user(APP, APP_PASSWORD).start()) {
            BouncerClients app = new BouncerClients(bouncer, db, APP, APP_PASSWORD, clients, accounts);
            try {
                forward.cloneOnce();
                target.execute(db, "GRANT ALL ON ALL TABLES IN SCHEMA public TO " + APP,
                        "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO " + APP);
                InflightStream.Running stream = forward.start();
                sleep(Duration.ofSeconds(steadySeconds));
                stream.checkAlive();
                cut = switchOnce("cutover", forward, bouncer, app, workDir, n);
                awaitExit(stream);
                InflightStream.Running reverse = forward.start("--reverse");
                sleep(Duration.ofSeconds(steadySeconds));
                reverse.checkAlive();
                back = switchOnce("rollback", forward, bouncer, app, workDir, n);
                awaitExit(reverse);
            } finally {
                app.close();
            }
            commits = app.commits();
            if (!app.failures().isEmpty()) {
                return new Round(n, cut, back, commits, app.failures().size() + " client transactions failed, e.g. "
                        + app.failures().get(0));
            }
            InflightStream.Prepared catchUp = forward.prepare("stream", "--until-caught-up", "--quiet");
            catchUp.builder().redirectOutput(workDir.resolve("caught-up-" + n + ".out").toFile());
            Processes.Outcome caughtUp = catchUp.run(STEP_LIMIT);
            if (!caughtUp.ok()) {
                return new Round(n, cut, back, commits, "inflight stream --until-caught-up " + caughtUp.describe());
            }
            String difference = compare(source, target, db, commits);
            return new Round(n, cut, back, commits, difference);
        } catch (RuntimeException | InterruptedException e) {
            log.warn("round {} failed", n, e);
            return new Round(n, cut, back, commits, e.getMessage());
        } finally {
            dropSlots(source);
            dropSlots(target);
        }
    }

    /** Slots are per server, not per database: the next round's clone needs the name free again. */
    private static void dropSlots(PostgresServer pg) {
        for (int attempt = 1; attempt <= 50; attempt++) {
            try (Connection c = pg.connect("postgres"); java.sql.Statement s = c.createStatement()) {
                s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active");
                if ("0".equals(TableContents.scalar(c, "SELECT count(*) FROM pg_replication_slots"))) {
                    return;
                }
            } catch (java.sql.SQLException e) {
                log.debug("dropping slots on {}: {}", pg.port(), e.getMessage());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        log.warn("replication slots remain on the server on port {}", pg.port());
    }

    /** One {@code inflight cutover} or {@code rollback}; the clients' longest gaps cover just its run. */
    private Switch switchOnce(String kind, InflightStream cli, PgBouncer bouncer, BouncerClients app, Path workDir,
                              int n) throws InterruptedException {
        app.resetGaps();
        Path out = workDir.resolve(kind + "-" + n + ".json");
        InflightStream.Prepared run = cli.prepare(kind, "--pgbouncer", bouncer.host() + ":" + bouncer.port(),
                "--pgbouncer-config", bouncer.configFile().toString(), "--pgbouncer-admin", bouncer.adminUser(),
                // the clients rewrite hot rows without pause, which inflight verify cannot settle on; each round
                // compares both sides in full at its end instead
                "--skip-verify-check", "--json");
        run.builder().redirectOutput(out.toFile());
        run.builder().environment().put("INFLIGHT_PGBOUNCER_PASSWORD", bouncer.adminPassword());
        Processes.Outcome outcome = run.run(STEP_LIMIT);
        // a client's slowest moment may end just after the process does
        Thread.sleep(500);
        if (!outcome.ok()) {
            throw new IllegalStateException("inflight " + kind + " " + outcome.describe());
        }
        String json;
        try {
            json = Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the output of inflight " + kind, e);
        }
        Matcher m = PAUSE.matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("inflight " + kind + " printed no write_pause_ms: " + json);
        }
        Switch s = new Switch(Long.parseLong(m.group(1)), app.longestGapsMillis());
        log.info("{}: reported pause {} ms, clients' longest gaps {} ms", kind, s.reportedPauseMs(), s.clientGapsMs());
        return s;
    }

    /** The stream process ends by itself once the cutover or rollback has taken it over. */
    private static void awaitExit(InflightStream.Running stream) {
        stream.awaitExit(Duration.ofSeconds(60));
    }

    /** Null when both sides hold the same rows, and the orders are exactly the committed ones; else what differs. */
    private static String compare(PostgresServer source, PostgresServer target, String db, long commits) {
        try (Connection s = source.connect(db); Connection t = target.connect(db)) {
            for (String table : List.of("accounts", "orders")) {
                if (!TableContents.fingerprint(s, table).equals(TableContents.fingerprint(t, table))) {
                    return "table " + table + " differs between source and target";
                }
            }
            long orders = BouncerClients.orders(s);
            if (orders != commits) {
                return "the clients committed " + commits + " transactions but " + orders + " orders exist";
            }
            return null;
        } catch (java.sql.SQLException e) {
            return "comparing both sides failed: " + e.getMessage();
        }
    }

    private static void sleep(Duration d) throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(d.toMillis());
    }
}
