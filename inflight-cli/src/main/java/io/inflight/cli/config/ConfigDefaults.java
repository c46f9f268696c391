package io.inflight.cli.config;

import io.inflight.cli.Environment;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Picocli's source of values for options not given on the command line: the environment variable
 * {@code INFLIGHT_<KEY>} first, then the configuration file (command section, then top level), then the
 * option's own default. So flags override environment variables, which override the file.
 */
public final class ConfigDefaults implements IDefaultValueProvider {

    private final Configuration config;
    private final Environment env;

    public ConfigDefaults(Configuration config, Environment env) {
        this.config = config;
        this.env = env;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec o) || o.command() == null) {
            return null;
        }
        String key = OptionCatalog.key(o);
        if (key == null) {
            return null;
        }
        String fromEnv = env.get(OptionCatalog.variable(key));
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv;
        }
        return config.value(Configuration.commandOf(o), key);
    }

    /**
     * Checks every set {@code INFLIGHT_<KEY>} variable against the options it feeds, so a bad value names
     * the variable rather than an option the user never typed.
     */
    public static void checkEnvironment(Environment env, OptionCatalog catalog) {
        catalog.keys().forEach((key, options) -> {
            String name = OptionCatalog.variable(key);
            String value = env.get(name);
            if (value == null || value.isEmpty()) {
                return;
            }
            for (OptionSpec o : options) {
                String problem = ValueTypes.problem(o, value);
                if (problem != null) {
                    throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "environment variable " + name + " "
                            + problem + " (" + ValueTypes.describe(o) + ", as --" + key + ")");
                }
            }
        });
    }
}
