package io.inflight.cli;

import io.inflight.cli.logging.Logging.Verbosity;
import io.inflight.core.Endpoint;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.verify.LiveMode;
import io.inflight.postgres.verify.VerifyJob;
import io.inflight.postgres.verify.VerifyOptions;
import io.inflight.postgres.verify.VerifyResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code inflight verify}: did every row arrive, exactly once? */
@Command(name = "verify", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Compares every table of the source and the target by key (tables without one as a multiset) "
                + "and reports rows missing, extra or different on the target. Only hashes cross the network until "
                + "the differing keys are found. Reads the source only; a rerun resumes a verify that stopped.",
                "Exit 0: equal; 21: not equal; 16: some table could not be compared; other codes: see README.",
                "Passwords: INFLIGHT_SOURCE_PASSWORD / INFLIGHT_TARGET_PASSWORD, else ~/.pgpass (or PGPASSFILE)."})
final class VerifyCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    SchemaOptions schemaOptions;

    @Option(names = "--jobs", paramLabel = "N",
            description = "Connections per side and tables compared at once (default: the number of cores).")
    Integer jobs;

    @Option(names = "--max-rows-per-second", paramLabel = "N", defaultValue = "0",
            description = "Read at most N rows per second from the source (default: no limit).")
    long maxRowsPerSecond;

    @Option(names = "--live", paramLabel = "auto|off|stream|subscription:NAME", defaultValue = "auto",
            description = "How to tell replication lag from differences: auto (default) uses the Inflight stream's "
                    + "position if the target has one, else the target database's only subscription, else off.")
    String live;

    @Option(names = "--live-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long to wait for the target to catch up before a re-check (default: ${DEFAULT-VALUE}).")
    long liveTimeoutSeconds;

    @Option(names = "--restart", description = "Start a new verify run instead of resuming one that stopped.")
    boolean restart;

    @Option(names = "--diff-file", paramLabel = "PATH",
            description = "Write every difference found, one JSON object per line, to PATH.")
    Path diffFile;

    @Option(names = "--json", description = "Print the result as one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
        Environment env = main.env();
        Endpoint src = connection.source(env);
        Endpoint tgt = connection.target(env);
        if (liveTimeoutSeconds < 0) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "--live-timeout must not be negative");
        }
        VerifyOptions options = new VerifyOptions(src, tgt, schemaOptions.filter(),
                jobs == null ? Runtime.getRuntime().availableProcessors() : jobs, maxRowsPerSecond,
                LiveMode.parse(live), Duration.ofSeconds(liveTimeoutSeconds), restart);
        VerifyResult result = new VerifyJob(options, ProgressListener.NONE).run();
        if (diffFile != null) {
            try {
                VerifyReport.writeDiffFile(result, diffFile);
            } catch (IOException e) {
                throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "cannot write the diff file " + diffFile
                        + ": " + e.getMessage() + "; check the directory exists and is writable", e);
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        if (main.verbosity() != Verbosity.QUIET) {
            VerifyReport.summary(result, diffFile).forEach(err::println);
        }
        if (json) {
            spec.commandLine().getOut().println(VerifyReport.json(result, diffFile));
        }
        return exitCode(result.outcome());
    }

    static int exitCode(VerifyResult.Outcome outcome) {
        return switch (outcome) {
            case EQUAL -> 0;
            case DIFFERS -> ErrorCode.DATA_DIFFERS.exitCode();
            case NOT_COMPARED -> ErrorCode.SCHEMA_MISMATCH.exitCode();
        };
    }
}
