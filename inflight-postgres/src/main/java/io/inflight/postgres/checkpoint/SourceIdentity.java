package io.inflight.postgres.checkpoint;

import java.util.Objects;

/**
 * Which source database a migration follows: the cluster's system identifier (from
 * {@code IDENTIFY_SYSTEM}, unique per initdb) and the database name. A rerun against another
 * source is refused by comparing these.
 */
public record SourceIdentity(String systemId, String database) {

    public SourceIdentity {
        Objects.requireNonNull(systemId, "systemId");
        Objects.requireNonNull(database, "database");
    }

    @Override
    public String toString() {
        return "database '" + database + "' of cluster " + systemId;
    }
}
