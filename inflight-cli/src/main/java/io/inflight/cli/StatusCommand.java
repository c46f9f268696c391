package io.inflight.cli;

import io.inflight.cli.progress.ProgressMath;
import io.inflight.postgres.status.MigrationStatus;
import io.inflight.postgres.status.StatusReader;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code inflight status}: where the migration stands, from its durable state; safe while a run goes on. */
@Command(name = "status", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Shows the migration's phase, copy progress per table, the stream's applied position and lag, "
                + "and the WAL the slot holds on the source. Reads the state on the target without taking the "
                + "migration's lock: works from another terminal while clone/stream/run is going, and after a crash.",
                "Passwords: INFLIGHT_SOURCE_PASSWORD / INFLIGHT_TARGET_PASSWORD, else ~/.pgpass (or PGPASSFILE)."})
final class StatusCommand implements Callable<Integer> {

    private static final int TABLES_LISTED = 10;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--json", description = "Print the status as one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
        Environment env = main.env();
        MigrationStatus s = StatusReader.read(connection.source(env), connection.target(env));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(StatusJson.render(s, Instant.now()));
        } else {
            lines(s, Instant.now()).forEach(out::println);
        }
        out.flush();
        return 0;
    }

    static List<String> lines(MigrationStatus s, Instant now) {
        List<String> out = new ArrayList<>();
        if (!s.migrationExists()) {
            out.add("no migration on the target: start one with inflight clone (or inflight run)");
            return out;
        }
        out.add("migration: phase " + s.phase() + " · slot " + s.slot() + " · publication " + s.publication()
                + " · started " + s.startedAt() + " · last change of phase " + s.updatedAt());
        out.add(String.format(Locale.ROOT, "copy: %d/%d tables copied, %s rows, %s", s.tablesCopied(),
                s.tables().size(), ProgressMath.count(s.rowsCopied()),
                ProgressMath.bytes(s.tables().stream().mapToLong(MigrationStatus.TableCopy::bytesCopied).sum())));
        s.tables().stream().filter(t -> !t.status().equals("copied")).limit(TABLES_LISTED).forEach(t ->
                out.add("  " + t.table() + ": " + t.status() + (t.rowsCopied() > 0 ? ", "
                        + ProgressMath.count(t.rowsCopied()) + " rows so far" : "")
                        + t.rowsPerSecond(now).map(r -> String.format(Locale.ROOT, " (%s rows/s)",
                                ProgressMath.count(Math.round(r)))).orElse("")
                        + (t.attempts() > 1 ? " (attempt " + t.attempts() + ")" : "")));
        if (s.appliedLsn().isPresent()) {
            StringBuilder b = new StringBuilder("stream: applied up to " + s.appliedLsn().get());
            s.appliedCommit().ifPresent(c -> b.append(" (source commit ").append(c).append(')'));
            s.lagBytes().ifPresent(l -> b.append(" · lag ").append(ProgressMath.bytes(l)));
            s.lagTime(now).ifPresent(d -> b.append(", ").append(seconds(d)));
            s.appliedAt().ifPresent(a -> b.append(" · last commit on the target ").append(seconds(Duration.between(a,
                    now))).append(" ago"));
            b.append(" · ").append(ProgressMath.count(s.changesApplied())).append(" changes applied");
            s.changesPerSecond().ifPresent(r -> b.append(", ").append(ProgressMath.count(Math.round(r)))
                    .append("/s over its last seconds"));
            out.add(b.toString());
        } else {
            out.add("stream: not started (it begins at the clone's consistent point " + s.consistentLsn() + ")");
        }
        if (s.source().isPresent()) {
            MigrationStatus.SourceSide src = s.source().get();
            out.add(!src.slotExists() ? "source: slot " + s.slot() + " does NOT exist: the stream cannot continue"
                    : "source: slot " + (src.slotActive() ? "in use by a running stream" : "idle (no stream connected)")
                    + " · confirmed " + src.confirmedLsn().map(Object::toString).orElse("-")
                    + " · holds " + ProgressMath.bytes(src.retainedWal()) + " of WAL");
        } else {
            out.add("source: unreachable (" + s.sourceError().orElse("") + ")");
        }
        out.add(s.lastVerify().map(v -> verify(v, now))
                .orElse("verify: never run against this target (inflight verify compares both sides row by row)"));
        return out;
    }

    private static String verify(MigrationStatus.VerifySummary v, Instant now) {
        String when = "run " + v.runId() + " started " + v.startedAt();
        if (v.finishedAt().isEmpty()) {
            return "verify: " + when + " has not finished (running, or stopped: a rerun of inflight verify resumes it)";
        }
        String age = seconds(Duration.between(v.finishedAt().get(), now)) + " ago";
        if (v.clean()) {
            return "verify: equal · " + v.tables() + " tables · finished " + age
                    + (v.resolvedByLag() > 0 ? " · " + v.resolvedByLag() + " differences were replication lag" : "");
        }
        return String.format(Locale.ROOT, "verify: DIFFERS · %d of %d tables (%d missing, %d extra, %d differing rows)"
                        + "%s · finished %s: see inflight.verify_difference on the target, or rerun with --diff-file",
                v.tablesDiffering(), v.tables(), v.missing(), v.extra(), v.differing(),
                v.tablesNotCompared() > 0 ? ", " + v.tablesNotCompared() + " not compared" : "", age);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
