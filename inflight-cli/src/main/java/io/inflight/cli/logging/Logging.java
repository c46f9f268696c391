package io.inflight.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Sets how much Inflight logs, from {@code --verbose} / {@code --quiet}. Libraries stay at WARN. */
public final class Logging {

    /** How chatty the command line is. */
    public enum Verbosity { QUIET, NORMAL, VERBOSE }

    /** Sets up the logging back end beside the main thread; {@link #configure} waits for it. */
    private static Thread setup;

    private Logging() {
    }

    /**
     * Starts setting up the logging back end on a thread of its own: logback's start is some 40 ms of code run
     * before it was ever compiled, which the command line's parsing on the main thread can hide. Until
     * {@link #configure} returns nothing else may log: SLF4J hands loggers asked for during the setup to a
     * stand-in. For {@code main} only, once.
     */
    public static synchronized void prepare() {
        if (setup == null) {
            setup = new Thread(LoggerFactory::getILoggerFactory, "inflight-logging-setup");
            setup.setDaemon(true);
            setup.start();
        }
    }

    public static void configure(Verbosity verbosity) {
        awaitSetup();
        if (!(LoggerFactory.getLogger("io.inflight") instanceof Logger inflight)) {
            return; // another SLF4J binding (embedded use): its configuration rules
        }
        inflight.setLevel(switch (verbosity) {
            case QUIET -> Level.WARN;
            case NORMAL -> Level.INFO;
            case VERBOSE -> Level.DEBUG;
        });
    }

    private static void awaitSetup() {
        Thread t;
        synchronized (Logging.class) {
            t = setup;
        }
        if (t == null) {
            return;
        }
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
