package io.inflight.cli;

import io.inflight.cli.logging.Logging.Verbosity;
import io.inflight.core.Endpoint;
import io.inflight.postgres.stream.StreamJob;
import io.inflight.postgres.stream.StreamOptions;
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

/** {@code inflight stream}: applies the source's changes to the target, after the clone, until stopped. */
@Command(name = "stream", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Streams the source's changes since the clone into the target, in source commit order, "
                + "exactly once, until stopped (Ctrl-C or SIGTERM commits what is applied and exits with 130 or 143; "
                + "a rerun continues).",
                "Passwords: INFLIGHT_SOURCE_PASSWORD / INFLIGHT_TARGET_PASSWORD, else ~/.pgpass (or PGPASSFILE)."})
final class StreamCommand implements Callable<Integer> {

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
    StreamSettings settings;

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "2",
            description = "Parallel workers for copying a table added to the publication (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--reverse", description = "After inflight cutover: stream the target's changes back into the"
            + " source (Inflight's own writes are left out), so the source stays a live fallback.")
    boolean reverse;

    @Option(names = "--json", description = "Print the result as one JSON object on stdout when the stream stops.")
    boolean json;

    @Override
    public Integer call() {
        Environment env = main.env();
        Endpoint src = reverse ? connection.target(env) : connection.source(env);
        Endpoint tgt = reverse ? connection.source(env) : connection.target(env);
        StreamOptions options = settings.options(src, tgt, jobs);
        if (settings.untilCaughtUp) {
            options = options.withStopAt(StreamJob.sourcePosition(src));
        }
        PrintWriter err = spec.commandLine().getErr();
        boolean quiet = main.verbosity() == Verbosity.QUIET;
        PrintWriter out = spec.commandLine().getOut();
        Optional<MetricsServer> metrics = metricsOptions.start();
        try {
            Streaming.run(options, quiet, err, job -> { }, result -> {
                if (!quiet) {
                    err.println(StreamSummary.line(result));
                }
                if (json) {
                    out.println(StreamSummary.json(result));
                    out.flush();
                }
            }, metrics);
        } finally {
            metrics.ifPresent(MetricsServer::close);
        }
        return 0;
    }
}
