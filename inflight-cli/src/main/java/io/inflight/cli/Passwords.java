package io.inflight.cli;

import io.inflight.core.Secret;
import java.util.Locale;

/**
 * Finds the password for a side. {@code INFLIGHT_SOURCE_PASSWORD} / {@code INFLIGHT_TARGET_PASSWORD}
 * first; when unset, none is given and the PostgreSQL driver looks it up in {@code PGPASSFILE} or
 * {@code ~/.pgpass} itself, the same way libpq does.
 */
public final class Passwords {

    private Passwords() {
    }

    public static String variableFor(String side) {
        return "INFLIGHT_" + side.toUpperCase(Locale.ROOT) + "_PASSWORD";
    }

    public static Secret lookup(Environment env, String side) {
        return Secret.of(env.get(variableFor(side)));
    }
}
