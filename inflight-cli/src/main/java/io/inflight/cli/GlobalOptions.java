package io.inflight.cli;

import io.inflight.cli.logging.Logging.Verbosity;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/** {@code --verbose} / {@code --quiet}, accepted before or after the subcommand's name. */
public final class GlobalOptions {

    @Option(names = {"-v", "--verbose"}, description = "Log debug detail, and stack traces on errors.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "Only warnings and errors; no progress display.")
    boolean quiet;

    // Read by Main before parsing (ConfigLocation), so that the file's values become option defaults.
    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML configuration file (default: INFLIGHT_CONFIG); flags and INFLIGHT_<KEY> override it.")
    String config;

    /** What the whole command line asked for, wherever the option stood; --verbose wins over --quiet. */
    static Verbosity of(ParseResult pr) {
        boolean verbose = false;
        boolean quiet = false;
        for (ParseResult p = pr; p != null; p = p.subcommand()) {
            verbose |= p.hasMatchedOption("--verbose");
            quiet |= p.hasMatchedOption("--quiet");
        }
        return verbose ? Verbosity.VERBOSE : quiet ? Verbosity.QUIET : Verbosity.NORMAL;
    }
}
