package io.inflight.postgres.cutover;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.checkpoint.StateStore;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.connect.Side;
import io.inflight.postgres.stream.StreamJob;
import io.inflight.postgres.stream.StreamOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the stream into the side writes move to over from whatever process runs it ({@code inflight stream} holds
 * the target's migration lock): asks it to stop through {@code inflight.control}, waits for the lock to come free,
 * then runs the stream in this process on its own thread, so that the drain after the fence is only what the last
 * second wrote. Without a running stream it simply starts one.
 */
final class StreamHandover implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StreamHandover.class);
    private static final long POLL_MS = 2;

    private final StreamOptions options;
    private final ProgressListener progress;
    private final PgConnector target;
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private StreamJob job;
    private Thread thread;

    StreamHandover(StreamOptions options, ProgressListener progress) {
        this.options = options;
        this.progress = progress;
        this.target = new PgConnector(Side.TARGET, options.target());
    }

    /** Stops a running stream (waiting up to {@code wait} for it) and starts streaming here. */
    void takeOver(Duration wait) {
        try (Connection c = target.open()) {
            if (StateStore.isLocked(c)) {
                log.info("asking the stream running into {} to stop", target);
                StateStore.requestStop(c);
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "asking the running stream to stop");
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try (StateStore state = StateStore.open(target)) {
                state.clearStopRequest();
                break;
            } catch (InflightException e) {
                if (e.code() != ErrorCode.OBJECT_CONFLICT || System.nanoTime() > deadline) {
                    throw e.code() != ErrorCode.OBJECT_CONFLICT ? e : new InflightException(ErrorCode.OBJECT_CONFLICT,
                            "the stream into " + target + " did not stop within " + wait.toSeconds() + " s of being"
                                    + " asked to (" + e.getMessage() + "); stop it yourself, then rerun", e);
                }
                sleep(100);
            }
        }
        job = new StreamJob(options, progress, status -> { });
        thread = new Thread(() -> {
            try {
                job.run();
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, "inflight-cutover-stream");
        thread.setDaemon(true);
        thread.start();
    }

    /** Blocks until the stream has applied everything up to {@code lsn}. */
    void awaitApplied(Lsn lsn, Duration timeout, String what) {
        job.awaitPosition(lsn);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (job.stats().appliedLsn().compareTo(lsn) < 0) {
            rethrow();
            if (!thread.isAlive()) {
                throw new InflightException(ErrorCode.INTERNAL, "the stream into " + target + " ended at "
                        + job.stats().appliedLsn() + " before reaching " + lsn);
            }
            if (System.nanoTime() > deadline) {
                throw new InflightException(ErrorCode.RESOURCE_EXHAUSTED, what + ": the stream into " + target
                        + " applied up to " + job.stats().appliedLsn() + " but not " + lsn + " within "
                        + timeout.toSeconds() + " s; let it catch up (lower the write load), then rerun");
            }
            sleep(POLL_MS);
        }
    }

    Lsn applied() {
        return job.stats().appliedLsn();
    }

    /** Asks the stream to stop after what it holds is committed, without waiting: {@link #close} waits. */
    void requestStop() {
        if (job != null) {
            job.stop();
        }
    }

    private void rethrow() {
        RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    @Override
    public void close() {
        if (job != null) {
            job.stop();
            try {
                thread.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InflightException(ErrorCode.INTERRUPTED, "interrupted during cutover");
        }
    }
}
