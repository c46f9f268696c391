package io.inflight.cli.config;

import io.inflight.cli.Environment;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import java.nio.file.Path;

/**
 * Where the configuration file is: {@code --config FILE} (or {@code --config=FILE}) anywhere on the
 * command line, else {@code INFLIGHT_CONFIG}. Found before picocli parses, because the file supplies the
 * options' defaults.
 */
public final class ConfigLocation {

    public static final String VARIABLE = "INFLIGHT_CONFIG";

    private ConfigLocation() {
    }

    /** The file, or null when none is given. */
    public static Path find(String[] args, Environment env) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                break;
            }
            if (args[i].equals("--config")) {
                if (i + 1 >= args.length || args[i + 1].isBlank()) {
                    throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "--config needs a file name");
                }
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        String fromEnv = env.get(VARIABLE);
        return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv);
    }
}
