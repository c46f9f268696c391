package io.inflight.postgres.stream;

import io.inflight.core.Lsn;
import java.time.Duration;
import java.time.Instant;

/**
 * What the streaming thread shares with whoever reports on it: the connection state and how far behind the
 * source the target is in time. Written by the stream's thread only; read from any thread.
 */
final class StreamState {

    private volatile String phase = "connecting";
    /** Source commit time of the oldest transaction received but not yet committed on the target. */
    private volatile Instant oldestPending;
    private volatile Lsn confirmed = Lsn.INVALID;

    void phase(String phase) {
        this.phase = phase;
    }

    String phase() {
        return phase;
    }

    void received(Instant commitTime) {
        if (oldestPending == null) {
            oldestPending = commitTime;
        }
    }

    void applied(Lsn lsn) {
        confirmed = lsn;
        oldestPending = null;
    }

    /** Nothing received is waiting to be applied. */
    void caughtUp() {
        oldestPending = null;
    }

    Lsn confirmed() {
        return confirmed;
    }

    /** How long ago the oldest change not yet on the target was committed on the source; zero when none. */
    Duration lagTime(Instant now) {
        Instant pending = oldestPending;
        if (pending == null || pending.isAfter(now)) {
            return Duration.ZERO;
        }
        return Duration.between(pending, now);
    }
}
