package io.inflight.cli;

import io.inflight.core.Endpoint;
import io.inflight.postgres.check.CheckOptions;
import io.inflight.postgres.check.CheckReport;
import io.inflight.postgres.check.CheckRun;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code inflight check}: every blocker, warning and estimate for migrating source to target, at once.
 * Changes nothing. Exits 0 only when nothing blocks; otherwise with the first blocker's exit code.
 */
@Command(name = "check", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Checks source and target before a migration and lists every blocker and warning at once: "
                + "versions, wal_level, free slots and WAL senders, privileges, replica identities, column types, "
                + "unlogged tables, large objects, extensions, generated and identity columns, sizes and estimated "
                + "copy time. Changes nothing.",
                "Exit code 0 when nothing blocks; otherwise the exit code of the first blocker."})
final class CheckCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    SchemaOptions schemaOptions;

    @Option(names = "--jobs", paramLabel = "N",
            description = "Parallel workers the clone will use, for the copy time estimate (default: the number of cores).")
    Integer jobs;

    @Option(names = "--sample-seconds", paramLabel = "S", defaultValue = "3",
            description = "How long to measure the source's WAL rate and copy speed (default: ${DEFAULT-VALUE}).")
    double sampleSeconds;

    @Option(names = "--json", description = "Print the findings as one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
        Environment env = main.env();
        Endpoint src = connection.source(env);
        Endpoint tgt = connection.target(env);
        CheckOptions options = new CheckOptions(src, tgt, schemaOptions.filter(),
                jobs == null ? Runtime.getRuntime().availableProcessors() : jobs,
                Duration.ofMillis(Math.max(100, Math.round(sampleSeconds * 1000))));
        CheckReport report = CheckRun.run(options);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(CheckReportJson.render(report));
        } else {
            CheckReportText.lines(report).forEach(out::println);
        }
        out.flush();
        return report.firstBlockerCode().map(c -> c.exitCode()).orElse(0);
    }
}
