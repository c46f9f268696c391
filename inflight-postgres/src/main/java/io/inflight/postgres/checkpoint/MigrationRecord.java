package io.inflight.postgres.checkpoint;

import io.inflight.core.Lsn;
import java.time.Instant;

/**
 * The one migration a target holds.
 *
 * @param consistentLsn the main slot's consistent point: tables copied under the main snapshot are exact
 *                      as of this LSN, and the stream starts here
 * @param phase         free text the orchestrator advances, e.g. {@code copy}, {@code copied}
 */
public record MigrationRecord(String slotName, String publication, Lsn consistentLsn, SourceIdentity source,
                              String phase, Instant startedAt, Instant updatedAt) {
}
