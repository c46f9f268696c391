package io.inflight.cli;

import io.inflight.cli.logging.Logging.Verbosity;
import io.inflight.postgres.clone.CloneOptions;
import io.inflight.postgres.clone.CloneResult;
import io.inflight.cli.metrics.MetricsServer;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code inflight clone}: schema and a consistent copy of the data, while the source keeps running. */
@Command(name = "clone", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Copies the schema and a consistent snapshot of the data from the source to the target, "
                + "leaving a replication slot at the snapshot's LSN for the stream to continue from. "
                + "A rerun resumes where the last one stopped.",
                "Passwords: INFLIGHT_SOURCE_PASSWORD / INFLIGHT_TARGET_PASSWORD, else ~/.pgpass (or PGPASSFILE)."})
final class CloneCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    @Mixin
    MetricsOptions metricsOptions;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    ReconnectOption reconnect;

    @Mixin
    CloneSettings settings;

    @Option(names = "--json", description = "Print the result as one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
        Environment env = main.env();
        CloneOptions options = settings.options(connection.source(env), connection.target(env), reconnect.duration());
        PrintWriter err = spec.commandLine().getErr();
        CloneResult result;
        Optional<MetricsServer> metrics = metricsOptions.start();
        try {
            result = Cloning.run(options, main.verbosity() == Verbosity.QUIET, err, metrics);
        } finally {
            metrics.ifPresent(MetricsServer::close);
        }
        if (main.verbosity() != Verbosity.QUIET) {
            CloneSummary.lines(result).forEach(err::println);
        }
        if (json) {
            spec.commandLine().getOut().println(CloneResultJson.render(result));
        }
        return 0;
    }
}
