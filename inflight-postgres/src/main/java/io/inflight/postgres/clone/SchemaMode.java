package io.inflight.postgres.clone;

/** Who makes the target schema. */
public enum SchemaMode {
    /** Inflight recreates the source schema on an empty target (pre-data before the copy, post-data after). */
    CREATE,
    /** The user made it (e.g. the application's own migrations); Inflight checks it matches and loads into it. */
    EXISTING
}
