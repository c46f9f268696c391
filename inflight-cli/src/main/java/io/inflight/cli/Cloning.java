package io.inflight.cli;

import io.inflight.cli.metrics.MetricsServer;
import io.inflight.cli.progress.ConsoleProgress;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.clone.CloneJob;
import io.inflight.postgres.clone.CloneOptions;
import io.inflight.postgres.clone.CloneResult;
import java.io.PrintWriter;
import java.util.Optional;

/** Runs a {@link CloneJob} behind a progress display; used by {@code clone} and {@code demo}. */
public final class Cloning {

    private Cloning() {
    }

    /** Blocks until the clone ends; its InflightException, if any, passes through unchanged. */
    public static CloneResult run(CloneOptions options, boolean quiet, PrintWriter err) {
        return run(options, quiet, err, Optional.empty());
    }

    /** As {@link #run(CloneOptions, boolean, PrintWriter)}, also counting into {@code metrics} when given. */
    public static CloneResult run(CloneOptions options, boolean quiet, PrintWriter err, Optional<MetricsServer> metrics) {
        try (ConsoleProgress progress = ConsoleProgress.start(quiet, err)) {
            ProgressListener listener = metrics.map(m -> ProgressListener.both(progress, m.progress()))
                    .orElse(progress);
            return new CloneJob(options, listener).run();
        }
    }
}
