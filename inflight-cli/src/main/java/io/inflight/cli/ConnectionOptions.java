package io.inflight.cli;

import io.inflight.core.Endpoint;
import picocli.CommandLine.Option;

/** {@code --source} and {@code --target}: where to connect; passwords never come from here. */
final class ConnectionOptions {

    @Option(names = "--source", required = true, paramLabel = "URI",
            description = "postgresql://user@host[:port]/database[?sslmode=...] (no password)")
    String source;

    @Option(names = "--target", required = true, paramLabel = "URI",
            description = "postgresql://user@host[:port]/database[?sslmode=...] (no password)")
    String target;

    Endpoint source(Environment env) {
        return EndpointUri.parse("source", source, Passwords.lookup(env, "source"));
    }

    Endpoint target(Environment env) {
        return EndpointUri.parse("target", target, Passwords.lookup(env, "target"));
    }
}
