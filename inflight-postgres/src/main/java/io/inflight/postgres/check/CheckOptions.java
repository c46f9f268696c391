package io.inflight.postgres.check;

import io.inflight.core.Endpoint;
import io.inflight.postgres.schema.SchemaFilter;
import java.time.Duration;

/**
 * What {@code inflight check} looks at.
 *
 * @param jobs   the parallel workers a clone would use, for the copy time estimate
 * @param sample how long to measure the source's WAL rate (the copy sample runs within it)
 */
public record CheckOptions(Endpoint source, Endpoint target, SchemaFilter schemas, int jobs, Duration sample) {

    public static final Duration DEFAULT_SAMPLE = Duration.ofSeconds(3);

    public CheckOptions {
        schemas = schemas == null ? SchemaFilter.all() : schemas;
        jobs = Math.max(1, jobs);
        sample = sample == null ? DEFAULT_SAMPLE : sample;
    }
}
