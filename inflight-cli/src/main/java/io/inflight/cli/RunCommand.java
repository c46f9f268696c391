package io.inflight.cli;

import io.inflight.cli.logging.Logging.Verbosity;
import io.inflight.core.Endpoint;
import io.inflight.postgres.clone.CloneResult;
import io.inflight.postgres.stream.StreamJob;
import io.inflight.postgres.stream.StreamOptions;
import io.inflight.cli.metrics.MetricsServer;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code inflight run}: clone, then stream, in one go; a rerun resumes whichever it was doing. */
@Command(name = "run", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Clones the source into the target, then streams its changes until stopped: clone followed "
                + "by stream. A rerun resumes where the last one stopped, in either phase.",
                "Passwords: INFLIGHT_SOURCE_PASSWORD / INFLIGHT_TARGET_PASSWORD, else ~/.pgpass (or PGPASSFILE)."})
final class RunCommand implements Callable<Integer> {

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
    CloneSettings clone;

    @Mixin
    StreamSettings stream;

    @Override
    public Integer call() {
        Environment env = main.env();
        Endpoint src = connection.source(env);
        Endpoint tgt = connection.target(env);
        PrintWriter err = spec.commandLine().getErr();
        boolean quiet = main.verbosity() == Verbosity.QUIET;
        Optional<MetricsServer> metrics = metricsOptions.start();
        try {
            return cloneThenStream(src, tgt, quiet, err, metrics);
        } finally {
            metrics.ifPresent(MetricsServer::close);
        }
    }

    private int cloneThenStream(Endpoint src, Endpoint tgt, boolean quiet, PrintWriter err,
                                Optional<MetricsServer> metrics) {
        CloneResult cloned = Cloning.run(clone.options(src, tgt, stream.reconnect.duration()), quiet, err, metrics);
        if (!quiet) {
            CloneSummary.lines(cloned).forEach(err::println);
        }
        StreamOptions options = stream.options(src, tgt, clone.jobs());
        if (stream.untilCaughtUp) {
            options = options.withStopAt(StreamJob.sourcePosition(src));
        }
        Streaming.run(options, quiet, err, job -> { }, result -> {
            if (!quiet) {
                err.println(StreamSummary.line(result));
            }
        }, metrics);
        return 0;
    }
}
