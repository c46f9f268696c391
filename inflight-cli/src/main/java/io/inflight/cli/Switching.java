package io.inflight.cli;

import io.inflight.cli.logging.Logging.Verbosity;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.cutover.SwitchOptions;
import io.inflight.postgres.cutover.SwitchResult;
import io.inflight.postgres.cutover.Switchover;
import java.io.PrintWriter;
import java.util.function.BiFunction;
import picocli.CommandLine.Model.CommandSpec;

/** What {@code cutover} and {@code rollback} share: they differ only in the direction of the switch. */
final class Switching {

    private Switching() {
    }

    /** Runs the switch, printing each step as it finishes and the summary (or {@code --json}) at the end. */
    static int run(Main main, CommandSpec spec, ConnectionOptions connection, SwitchSettings settings, boolean json,
                   BiFunction<SwitchOptions, ProgressListener, Switchover> direction) {
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
        SwitchResult result = direction.apply(options, progress).run();
        if (!quiet) {
            err.println(SwitchSummary.text(result));
        }
        if (json) {
            spec.commandLine().getOut().println(SwitchSummary.json(result));
        }
        return 0;
    }
}
