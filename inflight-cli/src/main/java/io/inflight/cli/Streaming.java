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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Runs a {@link StreamJob} behind the progress display, until it stops by itself or the process is asked to end
 * (Ctrl-C, SIGTERM): then the job commits what it holds before the process exits, so a rerun continues from
 * exactly there. Used by {@code stream} and {@code run}.
 *
 * <p>A stream stopped by a signal still reports where it stopped, then the JVM ends as every process a signal
 * ended does: exit code 130 after Ctrl-C (SIGINT), 143 after SIGTERM. Scripts and service managers read those as
 * "stopped on request" (for systemd, {@code SuccessExitStatus=143}); the stream's own failures keep their
 * {@link io.inflight.core.ErrorCode} exit codes.
 */
public final class Streaming {

    private static final long SHUTDOWN_WAIT_SECONDS = 30;

    private Streaming() {
    }

    /**
     * Blocks until the stream ends; its InflightException, if any, passes through unchanged.
     *
     * @param started receives the running job (e.g. to stop it from another thread)
     * @param report  tells the user how the stream ended; runs before a pending signal lets the JVM exit
     */
    public static StreamResult run(StreamOptions options, boolean quiet, PrintWriter err, Consumer<StreamJob> started,
                                   Consumer<StreamResult> report) {
        return run(options, quiet, err, started, report, Optional.empty());
    }

    /** Without a report: for callers that tell the user themselves once it returns (the demo). */
    public static StreamResult run(StreamOptions options, boolean quiet, PrintWriter err, Consumer<StreamJob> started) {
        return run(options, quiet, err, started, result -> { }, Optional.empty());
    }

    /** As {@link #run(StreamOptions, boolean, PrintWriter, Consumer, Consumer)}, also exposed through {@code metrics}. */
    public static StreamResult run(StreamOptions options, boolean quiet, PrintWriter err, Consumer<StreamJob> started,
                                   Consumer<StreamResult> report, Optional<MetricsServer> metrics) {
        AtomicReference<StreamJob> running = new AtomicReference<>();
        CountDownLatch finished = new CountDownLatch(1);
        // The JVM halts as soon as its shutdown hooks return: this one holds it until the job has committed, the
        // display is closed and the result is reported (releasing it any earlier lost the summary on SIGTERM).
        AtomicBoolean stopping = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            stopping.set(true);
            StreamJob job = running.get();
            if (job != null) {
                job.stop();
            }
            try {
                finished.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "inflight-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            StreamResult result;
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
                running.set(job);
                if (stopping.get()) {
                    job.stop(); // the signal came before the job existed: stop it before it starts
                }
                started.accept(job);
                result = job.run();
            }
            report.accept(result);
            err.flush();
            return result;
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
