package io.inflight.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --reconnect-for}: how long clone and stream keep resuming after losing a database. */
final class ReconnectOption {

    @Option(names = "--reconnect-for", paramLabel = "SECONDS", defaultValue = "600",
            description = "Keep reconnecting and resuming this long after losing a database, or while the target's"
                    + " disk is full (default: ${DEFAULT-VALUE}; 0: stop at once).")
    long seconds;

    Duration duration() {
        return Duration.ofSeconds(seconds);
    }
}
