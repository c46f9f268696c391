package io.inflight.cli;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.postgres.schema.SchemaFilter;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/** {@code --schemas} / {@code --exclude-schemas}: which schemas a command works on. */
final class SchemaOptions {

    @Option(names = "--schemas", split = ",", paramLabel = "NAME", description = "Only these schemas (default: all).")
    List<String> schemas;

    @Option(names = "--exclude-schemas", split = ",", paramLabel = "NAME", description = "Leave these schemas out.")
    List<String> excludeSchemas;

    /** @throws InflightException INVALID_CONFIGURATION when one schema is both asked for and left out */
    SchemaFilter filter() {
        if (schemas != null && excludeSchemas != null) {
            List<String> both = schemas.stream().filter(excludeSchemas::contains).distinct().toList();
            if (!both.isEmpty()) {
                throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "schema(s) "
                        + both.stream().map(n -> "'" + n + "'").collect(Collectors.joining(", "))
                        + " named by both --schemas and --exclude-schemas (on the command line, in INFLIGHT_SCHEMAS /"
                        + " INFLIGHT_EXCLUDE_SCHEMAS or the configuration file); keep each schema in one of them only");
            }
        }
        return new SchemaFilter(schemas, excludeSchemas);
    }
}
