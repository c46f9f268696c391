package io.inflight.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Sets how much Inflight logs, from {@code --verbose} / {@code --quiet}. Libraries stay at WARN. */
public final class Logging {

    /** How chatty the command line is. */
    public enum Verbosity { QUIET, NORMAL, VERBOSE }

    private Logging() {
    }

    public static void configure(Verbosity verbosity) {
        if (!(LoggerFactory.getLogger("io.inflight") instanceof Logger inflight)) {
            return; // another SLF4J binding (embedded use): its configuration rules
        }
        inflight.setLevel(switch (verbosity) {
            case QUIET -> Level.WARN;
            case NORMAL -> Level.INFO;
            case VERBOSE -> Level.DEBUG;
        });
    }
}
