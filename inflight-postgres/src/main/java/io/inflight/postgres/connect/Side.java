package io.inflight.postgres.connect;

import java.util.Locale;

/** Which database a connection talks to; messages and settings are named after it. */
public enum Side {
    SOURCE, TARGET;

    /** The lower-case word used in messages and option names: {@code source}, {@code target}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
