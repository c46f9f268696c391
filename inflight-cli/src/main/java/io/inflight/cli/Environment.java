package io.inflight.cli;

import java.util.Map;

/**
 * Where the command line reads environment variables: the process environment in production, a map
 * in tests (the JVM's own environment cannot be changed from inside).
 */
@FunctionalInterface
public interface Environment {

    /** The variable's value, or null when it is not set. */
    String get(String name);

    static Environment system() {
        return System::getenv;
    }

    static Environment of(Map<String, String> variables) {
        return variables::get;
    }
}
