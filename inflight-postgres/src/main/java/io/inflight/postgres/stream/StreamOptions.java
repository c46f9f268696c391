package io.inflight.postgres.stream;

import io.inflight.core.Endpoint;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.postgres.apply.ApplyOptions;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * What {@link StreamJob} is asked to do. Immutable.
 *
 * @param reconnectFor     how long the stream keeps reconnecting after losing a database before giving up
 * @param maxRetainedWal   WAL the slot may hold back on the source before a warning, in bytes
 * @param stopAt           stop once everything up to this source position is applied; empty to run until stopped
 * @param skipOrigins      replication origins whose transactions are left out (Inflight's own writes coming back)
 * @param copyJobs         parallel workers when a table added to the publication must be copied
 */
public record StreamOptions(Endpoint source, Endpoint target, ApplyOptions apply, Duration reconnectFor,
                            long maxRetainedWal, Optional<Lsn> stopAt, Set<String> skipOrigins, int copyJobs) {

    public static final long DEFAULT_MAX_RETAINED_WAL = 10L << 30;

    public StreamOptions {
        skipOrigins = Set.copyOf(skipOrigins);
        if (reconnectFor.isNegative() || maxRetainedWal < 0 || copyJobs < 1) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "invalid stream options: reconnect for "
                    + reconnectFor + ", retained WAL limit " + maxRetainedWal + ", copy jobs " + copyJobs);
        }
    }

    public static StreamOptions defaults(Endpoint source, Endpoint target) {
        return new StreamOptions(source, target, ApplyOptions.DEFAULT, Duration.ofMinutes(10),
                DEFAULT_MAX_RETAINED_WAL, Optional.empty(), Set.of(), 2);
    }

    public StreamOptions withStopAt(Lsn lsn) {
        return new StreamOptions(source, target, apply, reconnectFor, maxRetainedWal, Optional.of(lsn), skipOrigins,
                copyJobs);
    }

    public StreamOptions withApply(ApplyOptions options) {
        return new StreamOptions(source, target, options, reconnectFor, maxRetainedWal, stopAt, skipOrigins,
                copyJobs);
    }

    public StreamOptions withReconnectFor(Duration d) {
        return new StreamOptions(source, target, apply, d, maxRetainedWal, stopAt, skipOrigins, copyJobs);
    }

    public StreamOptions withMaxRetainedWal(long bytes) {
        return new StreamOptions(source, target, apply, reconnectFor, bytes, stopAt, skipOrigins, copyJobs);
    }
}
