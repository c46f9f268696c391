package io.inflight.cli;

import io.inflight.cli.metrics.MetricsServer;
import io.inflight.cli.progress.ConsoleProgress;
import io.inflight.cli.progress.StreamLines;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.stream.StreamJob;
import io.inflight.postgres.stream.StreamOptions;
import io.inflight.postgres.stream.StreamResult;
import io.inflight.postgres.stream.StreamStatus;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Runs a {@link StreamJob} behind the progress display, until it stops by itself or the process is asked to end
 * (Ctrl-C, SIGTERM): then the job commits what it holds before the process exits, so a rerun continues from
 * exactly there. Used by {@code stream}, {@code run} and {@code demo}.
 */
public final class Streaming {

    private static final long SHUTDOWN_WAIT_SECONDS = 30;

    private Streaming() {
    }

    /**
     * Blocks until the stream ends; its InflightException, if any, passes through unchanged.
     *
     * @param started receives the running job (e.g. to stop it from another thread)
     */
    public static StreamResult run(StreamOptions options, boolean quiet, PrintWriter err, Consumer<StreamJob> started) {
        return run(options, quiet, err, started, Optional.empty());
    }

    /** As {@link #run(StreamOptions, boolean, PrintWriter, Consumer)}, also exposing it through {@code metrics}. */
    public static StreamResult run(StreamOptions options, boolean quiet, PrintWriter err, Consumer<StreamJob> started,
                                   Optional<MetricsServer> metrics) {
        AtomicReference<StreamStatus> latest = new AtomicReference<>();
        try (ConsoleProgress progress = ConsoleProgress.start(quiet, err)) {
            progress.showLive(() -> {
                StreamStatus s = latest.get();
                return s == null ? List.of() : StreamLines.of(s);
            });
            ProgressListener listener = metrics.map(m -> ProgressListener.both(progress, m.progress()))
                    .orElse(progress);
            StreamJob job = new StreamJob(options, listener, status -> {
                latest.set(status);
                metrics.ifPresent(m -> m.streamStatus(status));
            });
            metrics.ifPresent(m -> m.stream(job.stats()));
            CountDownLatch finished = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                job.stop();
                try {
                    finished.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "inflight-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                started.accept(job);
                return job.run();
            } finally {
                finished.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it only waited for us
                }
            }
        }
    }
}
