package io.inflight.cli;

import io.inflight.postgres.schema.SchemaFilter;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --schemas} / {@code --exclude-schemas}: which schemas a command works on. */
final class SchemaOptions {

    @Option(names = "--schemas", split = ",", paramLabel = "NAME", description = "Only these schemas (default: all).")
    List<String> schemas;

    @Option(names = "--exclude-schemas", split = ",", paramLabel = "NAME", description = "Leave these schemas out.")
    List<String> excludeSchemas;

    SchemaFilter filter() {
        return new SchemaFilter(schemas, excludeSchemas);
    }
}
