package io.inflight.cli;

import io.inflight.cli.config.Configuration;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Finds the password for a side. {@code INFLIGHT_SOURCE_PASSWORD} / {@code INFLIGHT_TARGET_PASSWORD}
 * first; then the file named by {@code INFLIGHT_SOURCE_PASSWORD_FILE} / {@code INFLIGHT_TARGET_PASSWORD_FILE}
 * (or the configuration file's {@code source.password_file}); when neither is set, none is given and the
 * PostgreSQL driver looks it up in {@code PGPASSFILE} or {@code ~/.pgpass} itself, the same way libpq does.
 */
public final class Passwords {

    private Passwords() {
    }

    public static String variableFor(String side) {
        return "INFLIGHT_" + side.toUpperCase(Locale.ROOT) + "_PASSWORD";
    }

    public static String fileVariableFor(String side) {
        return Configuration.passwordFileVariable(side);
    }

    public static Secret lookup(Environment env, String side) {
        String direct = env.get(variableFor(side));
        if (direct != null && !direct.isEmpty()) {
            return Secret.of(direct);
        }
        String file = env.get(fileVariableFor(side));
        if (file == null || file.isEmpty()) {
            return Secret.none();
        }
        try {
            String text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            // Only the line ending an editor or `echo` adds is dropped: a password may end in spaces.
            return Secret.of(text.replaceFirst("\\r?\\n$", ""));
        } catch (IOException | RuntimeException e) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "cannot read the " + side
                    + " password file " + file + " (" + fileVariableFor(side) + " or " + side + ".password_file): "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }
}
