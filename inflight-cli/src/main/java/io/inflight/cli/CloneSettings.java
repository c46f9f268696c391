package io.inflight.cli;

import io.inflight.core.Endpoint;
import io.inflight.postgres.clone.CloneOptions;
import io.inflight.postgres.clone.SchemaMode;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What to clone and how; shared by {@code clone} and {@code run}. */
final class CloneSettings {

    @Option(names = "--schema", paramLabel = "create|existing", defaultValue = "create",
            description = "create: make the schema on an empty target; existing: load into the schema the target "
                    + "has (checked first). Default: ${DEFAULT-VALUE}")
    SchemaMode schemaMode;

    @Mixin
    SchemaOptions schemaOptions;

    @Option(names = "--jobs", paramLabel = "N", description = "Parallel workers (default: the number of cores).")
    Integer jobs;

    @Option(names = "--slot", paramLabel = "NAME", defaultValue = CloneOptions.DEFAULT_SLOT,
            description = "Replication slot on the source (default: ${DEFAULT-VALUE}).")
    String slot;

    @Option(names = "--publication", paramLabel = "NAME", defaultValue = CloneOptions.DEFAULT_PUBLICATION,
            description = "Publication on the source (default: ${DEFAULT-VALUE}).")
    String publication;

    int jobs() {
        return jobs == null ? Runtime.getRuntime().availableProcessors() : jobs;
    }

    CloneOptions options(Endpoint source, Endpoint target, Duration reconnectFor) {
        return new CloneOptions(source, target, schemaOptions.filter(), schemaMode, jobs(), slot,
                publication, reconnectFor);
    }
}
