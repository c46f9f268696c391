package io.inflight.cli;

import io.inflight.cli.config.ConfigDefaults;
import io.inflight.cli.config.ConfigLocation;
import io.inflight.cli.config.Configuration;
import io.inflight.cli.config.OptionCatalog;
import io.inflight.cli.demo.DemoCommand;
import io.inflight.cli.logging.Logging;
import io.inflight.cli.logging.Logging.Verbosity;
import io.inflight.cli.logging.Masking;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * Entry point of the {@code inflight} command. The one place where failures become what the user
 * reads: an {@link InflightException} prints {@code inflight: <message>} and exits with its
 * {@link ErrorCode}'s code; a usage error exits as {@link ErrorCode#INVALID_CONFIGURATION}; anything
 * else is a fault of ours and exits as {@link ErrorCode#INTERNAL}.
 */
@Command(name = "inflight", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Moves a live PostgreSQL database to another PostgreSQL server without downtime.")
public final class Main implements Callable<Integer> {

    /**
     * The subcommands, in the order usage lists them. They are not in the {@code @Command} annotation: picocli
     * builds the model of every command it names by reflection before parsing, about 90 ms of a command's start
     * (interpreted code, on the path to a stream's first change), so a run builds only the one it invokes when
     * it can tell which (see {@link #commandLine}).
     */
    private static final List<Class<?>> SUBCOMMANDS = List.of(CheckCommand.class, CloneCommand.class,
            StreamCommand.class, RunCommand.class, CutoverCommand.class, RollbackCommand.class, VerifyCommand.class,
            StatusCommand.class, CleanupCommand.class, ConfigCommand.class, DemoCommand.class,
            CommandLine.HelpCommand.class);

    /** Commands that read the whole tree: help lists the others, config describes every key. */
    private static final Set<String> NEED_ALL = Set.of("help", "config");

    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    private Environment env;
    private Verbosity verbosity = Verbosity.NORMAL;

    Main(Environment env) {
        this.env = env;
    }

    public static void main(String[] args) {
        Logging.prepare();
        System.exit(run(Environment.system(), System.out, System.err, args));
    }

    /** Runs one command line and returns its exit code; never calls System.exit (tests run it in-process). */
    public static int run(Environment env, PrintStream out, PrintStream err, String... args) {
        Main main = new Main(env);
        Path file;
        try {
            file = ConfigLocation.find(args, env);
        } catch (InflightException e) {
            err.println("inflight: " + Masking.mask(e.getMessage()));
            err.flush();
            return e.code().exitCode();
        }
        CommandLine cl = commandLine(main, file == null ? invoked(args) : null);
        cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        try {
            main.env = configure(cl, env, file);
        } catch (InflightException e) {
            cl.getErr().println("inflight: " + Masking.mask(e.getMessage()));
            cl.getErr().flush();
            return e.code().exitCode();
        }
        cl.setExecutionStrategy(pr -> {
            main.verbosity = GlobalOptions.of(pr);
            Logging.configure(main.verbosity);
            return new CommandLine.RunLast().execute(pr);
        });
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((e, cmd, pr) -> main.failure(e, cmd.getErr()));
        int code;
        try {
            code = cl.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli passes Errors through; without this the JVM would print a stack trace and exit with 1.
            // Whatever filled the heap is unreachable once the stack has unwound, so there is room to say so.
            cl.getErr().println("inflight: the Java heap (" + (Runtime.getRuntime().maxMemory() >> 20) + " MB) is"
                    + " too small for what was being read or applied (" + e.getMessage() + "); nothing"
                    + " uncommitted was kept. Rerun the same command with a bigger heap, e.g."
                    + " INFLIGHT_JAVA_OPTS=-Xmx2g ./inflight ... or java -Xmx2g -jar inflight.jar ...: it resumes");
            code = ErrorCode.RESOURCE_EXHAUSTED.exitCode();
        }
        cl.getOut().flush();
        cl.getErr().flush();
        return code;
    }

    /** The command line with every subcommand: for usage, the configuration reference, and tests. */
    static CommandLine commandLine(Environment env) {
        return commandLine(new Main(env), null);
    }

    /**
     * The command line for {@code main} with only subcommand {@code only}, or with all of them when it is null or
     * names none. The invoked command's options are then the configurable ones: a variable {@code INFLIGHT_<KEY>}
     * another command would read is left alone. With a configuration file every command is built, because the
     * file may hold sections for any of them, each key checked.
     */
    private static CommandLine commandLine(Main main, String only) {
        CommandLine cl = new CommandLine(main);
        boolean known = false;
        for (Class<?> c : SUBCOMMANDS) {
            known |= name(c).equals(only);
        }
        for (Class<?> c : SUBCOMMANDS) {
            if (!known || name(c).equals(only)) {
                cl.addSubcommand(c);
            }
        }
        return cl;
    }

    /** The subcommand the arguments name (the first word that is not an option), unless it needs the whole tree. */
    private static String invoked(String[] args) {
        for (String a : args) {
            if (a.equals("--")) {
                return null;
            }
            if (!a.startsWith("-")) {
                return NEED_ALL.contains(a) ? null : a;
            }
        }
        return null;
    }

    private static String name(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

    /**
     * Makes the configuration file and {@code INFLIGHT_<KEY>} variables the defaults of every command's
     * options, checked first so that a bad key stops the run naming it; returns the environment commands see.
     */
    private static Environment configure(CommandLine cl, Environment env, Path file) {
        OptionCatalog catalog = OptionCatalog.of(cl.getCommandSpec());
        Configuration config = file == null ? Configuration.none() : Configuration.load(file, catalog);
        ConfigDefaults.checkEnvironment(env, catalog);
        cl.setDefaultValueProvider(new ConfigDefaults(config, env));
        return config.overlay(env);
    }

    Environment env() {
        return env;
    }

    /** What --verbose / --quiet asked for, once the command line is parsed. */
    public Verbosity verbosity() {
        return verbosity;
    }

    /** {@code inflight} alone: say what there is. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ErrorCode.INVALID_CONFIGURATION.exitCode();
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("inflight: " + Masking.mask(e.getMessage()));
        err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for its options.");
        return ErrorCode.INVALID_CONFIGURATION.exitCode();
    }

    private int failure(Exception e, PrintWriter err) {
        InflightException known = findInflight(e);
        if (known != null) {
            err.println("inflight: " + Masking.mask(known.getMessage()));
            if (verbosity == Verbosity.VERBOSE) {
                err.print(stackTrace(known));
            }
            return known.code().exitCode();
        }
        err.println("inflight: internal error: " + Masking.mask(String.valueOf(e))
                + (verbosity == Verbosity.VERBOSE ? "" : " (rerun with --verbose for the stack trace)"));
        if (verbosity == Verbosity.VERBOSE) {
            err.print(stackTrace(e));
        }
        return ErrorCode.INTERNAL.exitCode();
    }

    /** Worker pools wrap what their tasks threw; the user must still see the InflightException inside. */
    static InflightException findInflight(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InflightException ie) {
                return ie;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static String stackTrace(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        return Masking.mask(sw.toString());
    }

    /** The version from the jar's manifest; "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"inflight " + (v == null ? "dev" : v)};
        }
    }
}
