package io.inflight.cli;

import io.inflight.postgres.cleanup.Cleanup;
import io.inflight.postgres.clone.CloneOptions;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code inflight cleanup}: drops the migration's slot and publication (and, on request, its state). */
@Command(name = "cleanup", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Drops the migration's replication slot (which holds WAL back on the source while it exists) "
                + "and publication on the source, and its replication origin on the target. Refuses while a stream "
                + "runs. With --drop-state also the migration's state on the target (schema inflight): the migration "
                + "cannot be resumed after that.",
                "Passwords: INFLIGHT_SOURCE_PASSWORD / INFLIGHT_TARGET_PASSWORD, else ~/.pgpass (or PGPASSFILE)."})
final class CleanupCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--slot", paramLabel = "NAME", defaultValue = CloneOptions.DEFAULT_SLOT,
            description = "Slot to drop when the target records no migration (default: ${DEFAULT-VALUE}).")
    String slot;

    @Option(names = "--publication", paramLabel = "NAME", defaultValue = CloneOptions.DEFAULT_PUBLICATION,
            description = "Publication to drop when the target records no migration (default: ${DEFAULT-VALUE}).")
    String publication;

    @Option(names = "--drop-state", description = "Also drop schema inflight (the migration's state) on the target.")
    boolean dropState;

    @Override
    public Integer call() {
        Environment env = main.env();
        List<String> done = new Cleanup(connection.source(env), connection.target(env)).run(slot, publication,
                dropState);
        PrintWriter err = spec.commandLine().getErr();
        if (done.isEmpty()) {
            err.println("nothing to clean up");
        }
        done.forEach(err::println);
        return 0;
    }
}
