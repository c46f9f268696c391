package io.inflight.core;

import java.util.regex.Pattern;

/** SQL identifier quoting. Identifiers built into SQL are always quoted; see {@link #quote}. */
public final class Identifiers {

    private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_$]*");

    private Identifiers() {
    }

    public static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** For messages: {@code orders} stays bare, {@code Order Items} becomes {@code "Order Items"}. */
    public static String quoteIfNeeded(String identifier) {
        return PLAIN.matcher(identifier).matches() ? identifier : quote(identifier);
    }

    /** A string literal for SQL text, standard-conforming strings assumed (the default since 9.1). */
    public static String literal(String value) {
        return '\'' + value.replace("'", "''") + '\'';
    }
}
