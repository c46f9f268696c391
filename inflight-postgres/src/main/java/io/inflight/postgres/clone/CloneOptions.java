package io.inflight.postgres.clone;

import io.inflight.core.Endpoint;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.postgres.schema.SchemaFilter;
import java.time.Duration;

/**
 * What {@link CloneJob} is asked to do. Immutable; validated on construction.
 *
 * @param jobs        parallel copy and index-build workers (defaults to the machine's cores)
 * @param slotName    logical replication slot on the source that the stream continues from
 * @param publication publication on the source; created when missing, used as is when a DBA made it
 * @param reconnectFor how long to keep resuming after losing a database (or its disk filling) once the clone
 *                     has begun; zero gives up at the first such failure
 */
public record CloneOptions(Endpoint source, Endpoint target, SchemaFilter schemas, SchemaMode schemaMode,
                           int jobs, String slotName, String publication, Duration reconnectFor) {

    public static final Duration DEFAULT_RECONNECT_FOR = Duration.ofMinutes(10);

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
        if (reconnectFor == null || reconnectFor.isNegative()) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "--reconnect-for must be 0 or more seconds");
        }
        if (publication.isBlank()) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "publication name must not be empty");
        }
    }

    public static CloneOptions defaults(Endpoint source, Endpoint target) {
        return new CloneOptions(source, target, SchemaFilter.all(), SchemaMode.CREATE,
                Runtime.getRuntime().availableProcessors(), DEFAULT_SLOT, DEFAULT_PUBLICATION, DEFAULT_RECONNECT_FOR);
    }

    public CloneOptions withJobs(int n) {
        return new CloneOptions(source, target, schemas, schemaMode, n, slotName, publication, reconnectFor);
    }

    public CloneOptions withSchemaMode(SchemaMode mode) {
        return new CloneOptions(source, target, schemas, mode, jobs, slotName, publication, reconnectFor);
    }

    public CloneOptions withSchemas(SchemaFilter filter) {
        return new CloneOptions(source, target, filter, schemaMode, jobs, slotName, publication, reconnectFor);
    }

    public CloneOptions withSlot(String slot, String pub) {
        return new CloneOptions(source, target, schemas, schemaMode, jobs, slot, pub, reconnectFor);
    }

    public CloneOptions withReconnectFor(Duration d) {
        return new CloneOptions(source, target, schemas, schemaMode, jobs, slotName, publication, d);
    }
}
