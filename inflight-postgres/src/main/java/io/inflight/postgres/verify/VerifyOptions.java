package io.inflight.postgres.verify;

import io.inflight.core.Endpoint;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.postgres.schema.SchemaFilter;
import java.time.Duration;

/**
 * What {@link VerifyJob} is asked to do. Immutable; validated on construction.
 *
 * @param jobs              connections per side, and tables compared at once
 * @param maxRowsPerSecond  cap on rows read from the source per second, 0 for none
 * @param live              how to tell lag from differences
 * @param liveTimeout       how long to wait, per re-check, for the target to catch up
 * @param restart           start a new verify run instead of resuming an unfinished one
 */
public record VerifyOptions(Endpoint source, Endpoint target, SchemaFilter schemas, int jobs, long maxRowsPerSecond,
                            LiveMode live, Duration liveTimeout, boolean restart) {

    public VerifyOptions {
        if (jobs < 1) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "--jobs must be at least 1, got " + jobs);
        }
        if (maxRowsPerSecond < 0) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION,
                    "--max-rows-per-second must be 0 (no limit) or more, got " + maxRowsPerSecond);
        }
        if (liveTimeout.isNegative()) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "--live-timeout must not be negative");
        }
    }

    public static VerifyOptions defaults(Endpoint source, Endpoint target) {
        return new VerifyOptions(source, target, SchemaFilter.all(), Runtime.getRuntime().availableProcessors(), 0,
                LiveMode.AUTO, Duration.ofSeconds(60), false);
    }

    public VerifyOptions withJobs(int n) {
        return new VerifyOptions(source, target, schemas, n, maxRowsPerSecond, live, liveTimeout, restart);
    }

    public VerifyOptions withLive(LiveMode mode, Duration timeout) {
        return new VerifyOptions(source, target, schemas, jobs, maxRowsPerSecond, mode, timeout, restart);
    }

    public VerifyOptions withMaxRowsPerSecond(long rate) {
        return new VerifyOptions(source, target, schemas, jobs, rate, live, liveTimeout, restart);
    }

    public VerifyOptions withRestart(boolean r) {
        return new VerifyOptions(source, target, schemas, jobs, maxRowsPerSecond, live, liveTimeout, r);
    }

    public VerifyOptions withSchemas(SchemaFilter filter) {
        return new VerifyOptions(source, target, filter, jobs, maxRowsPerSecond, live, liveTimeout, restart);
    }
}
