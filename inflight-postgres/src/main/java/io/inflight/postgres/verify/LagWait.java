package io.inflight.postgres.verify;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Waits, within a time limit, until the target has applied the source up to an LSN. Thread-safe. */
final class LagWait {

    private static final Logger log = LoggerFactory.getLogger(LagWait.class);
    /** Short: the sooner the target is read after it passed the position, the less the source moved meanwhile. */
    private static final long POLL_MILLIS = 25;

    private final AppliedPosition position;
    private final SidePool target;
    private final Duration timeout;

    LagWait(AppliedPosition position, SidePool target, Duration timeout) {
        this.position = position;
        this.target = target;
        this.timeout = timeout;
    }

    String describe() {
        return position.describe();
    }

    /** True once the applied position is at or past {@code lsn}; false when the time limit passed first. */
    boolean waitFor(Lsn lsn) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Lsn> applied = target.inTransaction("reading the applied position", position::appliedLsn);
            if (applied.isPresent() && applied.get().compareTo(lsn) >= 0) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                log.warn("{} did not reach source LSN {} within {} s (applied: {}); differences found there are "
                        + "reported as they stand", position.describe(), lsn, timeout.toSeconds(),
                        applied.map(Lsn::toString).orElse("unknown"));
                return false;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InflightException(ErrorCode.INTERRUPTED, "verify was interrupted while waiting for "
                        + position.describe() + " to reach source LSN " + lsn, e);
            }
        }
    }
}
