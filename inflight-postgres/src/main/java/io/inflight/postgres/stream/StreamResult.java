package io.inflight.postgres.stream;

import io.inflight.core.Lsn;
import java.time.Duration;

/** What a stream run did before it stopped. */
public record StreamResult(Lsn appliedLsn, long transactions, long changes, long missingRows, int reconnects,
                           Duration elapsed) {
}
