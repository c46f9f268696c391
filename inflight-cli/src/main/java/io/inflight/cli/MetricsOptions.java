package io.inflight.cli;

import io.inflight.cli.metrics.MetricsServer;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --metrics-port}: serve Prometheus metrics while the command runs. */
final class MetricsOptions {

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics on http://ADDRESS:PORT/metrics while running (default: off).")
    Integer port;

    @Option(names = "--metrics-address", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address the metrics endpoint listens on (default: ${DEFAULT-VALUE}).")
    String address;

    /** The server, started, or empty when not asked for. */
    Optional<MetricsServer> start() {
        return port == null ? Optional.empty() : Optional.of(MetricsServer.start(address, port));
    }
}
