package io.inflight.cli;

import io.inflight.cli.logging.Logging.Verbosity;
import io.inflight.core.Endpoint;
import io.inflight.postgres.clone.CloneOptions;
import io.inflight.postgres.clone.CloneResult;
import io.inflight.postgres.clone.SchemaMode;
import io.inflight.postgres.schema.SchemaFilter;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code inflight clone}: schema and a consistent copy of the data, while the source keeps running. */
@Command(name = "clone", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Copies the schema and a consistent snapshot of the data from the source to the target, "
                + "leaving a replication slot at the snapshot's LSN for the stream to continue from. "
                + "A rerun resumes where the last one stopped.",
                "Passwords: INFLIGHT_SOURCE_PASSWORD / INFLIGHT_TARGET_PASSWORD, else ~/.pgpass (or PGPASSFILE)."})
final class CloneCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    @Option(names = "--source", required = true, paramLabel = "URI",
            description = "postgresql://user@host[:port]/database[?sslmode=...] (no password)")
    String source;

    @Option(names = "--target", required = true, paramLabel = "URI",
            description = "postgresql://user@host[:port]/database[?sslmode=...] (no password)")
    String target;

    @Option(names = "--schema", paramLabel = "create|existing", defaultValue = "create",
            description = "create: make the schema on an empty target; existing: load into the schema the target "
                    + "has (checked first). Default: ${DEFAULT-VALUE}")
    SchemaMode schemaMode;

    @Option(names = "--schemas", split = ",", paramLabel = "NAME", description = "Only these schemas (default: all).")
    List<String> schemas;

    @Option(names = "--exclude-schemas", split = ",", paramLabel = "NAME", description = "Leave these schemas out.")
    List<String> excludeSchemas;

    @Option(names = "--jobs", paramLabel = "N", description = "Parallel workers (default: the number of cores).")
    Integer jobs;

    @Option(names = "--slot", paramLabel = "NAME", defaultValue = CloneOptions.DEFAULT_SLOT,
            description = "Replication slot on the source (default: ${DEFAULT-VALUE}).")
    String slot;

    @Option(names = "--publication", paramLabel = "NAME", defaultValue = CloneOptions.DEFAULT_PUBLICATION,
            description = "Publication on the source (default: ${DEFAULT-VALUE}).")
    String publication;

    @Option(names = "--json", description = "Print the result as one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
        Environment env = main.env();
        Endpoint src = EndpointUri.parse("source", source, Passwords.lookup(env, "source"));
        Endpoint tgt = EndpointUri.parse("target", target, Passwords.lookup(env, "target"));
        CloneOptions options = new CloneOptions(src, tgt, new SchemaFilter(schemas, excludeSchemas),
                schemaMode, jobs == null ? Runtime.getRuntime().availableProcessors() : jobs, slot, publication);
        PrintWriter err = spec.commandLine().getErr();
        CloneResult result = Cloning.run(options, main.verbosity() == Verbosity.QUIET, err);
        if (main.verbosity() != Verbosity.QUIET) {
            CloneSummary.lines(result).forEach(err::println);
        }
        if (json) {
            spec.commandLine().getOut().println(CloneResultJson.render(result));
        }
        return 0;
    }
}
