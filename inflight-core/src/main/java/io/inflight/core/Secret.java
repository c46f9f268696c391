package io.inflight.core;

import java.util.Arrays;

/** A password or key. Its string form is always masked, so it can sit in records that get logged. */
public final class Secret {

    private static final Secret NONE = new Secret(new char[0]);

    private final char[] value;

    private Secret(char[] value) {
        this.value = value;
    }

    public static Secret of(String value) {
        return value == null || value.isEmpty() ? NONE : new Secret(value.toCharArray());
    }

    public static Secret none() {
        return NONE;
    }

    public boolean isPresent() {
        return value.length > 0;
    }

    /** The clear text, for handing to a driver only. */
    public String reveal() {
        return new String(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && Arrays.equals(value, s.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return isPresent() ? "******" : "(none)";
    }
}
