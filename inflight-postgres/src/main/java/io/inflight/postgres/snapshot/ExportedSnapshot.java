package io.inflight.postgres.snapshot;

import io.inflight.core.Lsn;
import java.util.Objects;

/**
 * A snapshot exported by the source together with a replication slot: rows read under {@link #name()}
 * plus the changes the slot decodes from transactions committing at or after {@link #lsn()} are exactly
 * the source. Valid only while the connection that exported it stays open and idle.
 */
public record ExportedSnapshot(String name, Lsn lsn) {

    public ExportedSnapshot {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(lsn, "lsn");
    }
}
