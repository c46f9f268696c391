package io.inflight.cli;

import io.inflight.postgres.cutover.Switchover;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code inflight cutover}: see {@link Switchover#cutover}. */
@Command(name = "cutover", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Moves the application's writes from the source to the target: fence (PgBouncer PAUSE, or read-only), drain the stream, carry sequences over, check row counts, set up the stream back, repoint PgBouncer, resume. Prints the write pause and each step's time. A rerun after a crash continues (or --abort undoes a run that had not flipped yet).",
                "Passwords: INFLIGHT_SOURCE_PASSWORD / INFLIGHT_TARGET_PASSWORD (else ~/.pgpass),"
                        + " INFLIGHT_PGBOUNCER_PASSWORD for PgBouncer's console."})
final class CutoverCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    SwitchSettings settings;

    @Option(names = "--json", description = "Print the result as one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
        return Switching.run(main, spec, connection, settings, json, Switchover::cutover);
    }
}
