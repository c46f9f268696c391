package io.inflight.cli;

import io.inflight.cli.progress.ConsoleProgress;
import io.inflight.postgres.clone.CloneJob;
import io.inflight.postgres.clone.CloneOptions;
import io.inflight.postgres.clone.CloneResult;
import java.io.PrintWriter;

/** Runs a {@link CloneJob} behind a progress display; used by {@code clone} and {@code demo}. */
public final class Cloning {

    private Cloning() {
    }

    /** Blocks until the clone ends; its InflightException, if any, passes through unchanged. */
    public static CloneResult run(CloneOptions options, boolean quiet, PrintWriter err) {
        try (ConsoleProgress progress = ConsoleProgress.start(quiet, err)) {
            return new CloneJob(options, progress).run();
        }
    }
}
