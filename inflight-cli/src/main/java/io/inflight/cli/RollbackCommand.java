package io.inflight.cli;

import io.inflight.postgres.cutover.Switchover;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code inflight rollback}: see {@link Switchover#rollback}. */
@Command(name = "rollback", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Moves the writes back from the target to the source after a cutover: fence the target, drain the stream back, carry sequences back, repoint PgBouncer to the source, resume; the forward stream then continues.",
                "Passwords: INFLIGHT_SOURCE_PASSWORD / INFLIGHT_TARGET_PASSWORD (else ~/.pgpass),"
                        + " INFLIGHT_PGBOUNCER_PASSWORD for PgBouncer's console."})
final class RollbackCommand implements Callable<Integer> {

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
        return Switching.run(main, spec, connection, settings, json, Switchover::rollback);
    }
}
