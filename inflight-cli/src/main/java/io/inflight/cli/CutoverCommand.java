package io.inflight.cli;

import io.inflight.cli.logging.Logging.Verbosity;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.cutover.SwitchOptions;
import io.inflight.postgres.cutover.SwitchResult;
import io.inflight.postgres.cutover.Switchover;
import java.io.PrintWriter;
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
        Environment env = main.env();
        SwitchOptions options = settings.options(env, connection.source(env), connection.target(env));
        PrintWriter err = spec.commandLine().getErr();
        boolean quiet = main.verbosity() == Verbosity.QUIET;
        ProgressListener progress = new ProgressListener() {
            @Override
            public void stepFinished(String description, long millis) {
                if (!quiet) {
                    err.println(description + " (" + millis + " ms)");
                }
            }

            @Override
            public void warning(String message) {
                err.println("warning: " + message);
            }
        };
        SwitchResult result = Switchover.cutover(options, progress).run();
        if (!quiet) {
            err.println(SwitchSummary.text(result));
        }
        if (json) {
            spec.commandLine().getOut().println(SwitchSummary.json(result));
        }
        return 0;
    }
}
