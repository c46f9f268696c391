package io.inflight.postgres.clone;

import io.inflight.core.Endpoint;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.postgres.schema.SchemaFilter;

/**
 * What {@link CloneJob} is asked to do. Immutable; validated on construction.
 *
 * @param jobs        parallel copy and index-build workers (defaults to the machine's cores)
 * @param slotName    logical replication slot on the source that the stream continues from
 * @param publication publication on the source; created when missing, used as is when a DBA made it
 */
public record CloneOptions(Endpoint source, Endpoint target, SchemaFilter schemas, SchemaMode schemaMode,
                           int jobs, String slotName, String publication) {

    public static final String DEFAULT_SLOT = "inflight";
    public static final String DEFAULT_PUBLICATION = "inflight";

    public CloneOptions {
        if (jobs < 1) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "--jobs must be at least 1, got " + jobs);
        }
        if (!slotName.matches("[a-z0-9_]{1,63}")) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "slot name '" + slotName
                    + "' is invalid: PostgreSQL allows only lower-case letters, digits and _ (at most 63)");
        }
        if (publication.isBlank()) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "publication name must not be empty");
        }
    }

    public static CloneOptions defaults(Endpoint source, Endpoint target) {
        return new CloneOptions(source, target, SchemaFilter.all(), SchemaMode.CREATE,
                Runtime.getRuntime().availableProcessors(), DEFAULT_SLOT, DEFAULT_PUBLICATION);
    }

    public CloneOptions withJobs(int n) {
        return new CloneOptions(source, target, schemas, schemaMode, n, slotName, publication);
    }

    public CloneOptions withSchemaMode(SchemaMode mode) {
        return new CloneOptions(source, target, schemas, mode, jobs, slotName, publication);
    }

    public CloneOptions withSchemas(SchemaFilter filter) {
        return new CloneOptions(source, target, filter, schemaMode, jobs, slotName, publication);
    }

    public CloneOptions withSlot(String slot, String pub) {
        return new CloneOptions(source, target, schemas, schemaMode, jobs, slot, pub);
    }
}
