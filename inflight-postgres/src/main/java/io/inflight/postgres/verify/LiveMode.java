package io.inflight.postgres.verify;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import java.util.Optional;

/**
 * How verify learns how far the target has caught up with the source, to tell lag from real differences.
 *
 * @param subscription for {@link Kind#SUBSCRIPTION}, the subscription's name on the target
 */
public record LiveMode(Kind kind, Optional<String> subscription) {

    public enum Kind {
        /** The stream's position if the target has one, else the target database's only subscription, else off. */
        AUTO,
        /** Differences are final as found: nothing is replicating into the target. */
        OFF,
        /** Inflight's own stream ({@code inflight.stream_position} on the target). */
        STREAM,
        /** A native logical replication subscription on the target. */
        SUBSCRIPTION
    }

    public static final LiveMode AUTO = new LiveMode(Kind.AUTO, Optional.empty());
    public static final LiveMode OFF = new LiveMode(Kind.OFF, Optional.empty());

    /** {@code auto}, {@code off}, {@code stream} or {@code subscription:NAME}. */
    public static LiveMode parse(String text) {
        String t = text.strip();
        if (t.startsWith("subscription:") && t.length() > "subscription:".length()) {
            return new LiveMode(Kind.SUBSCRIPTION, Optional.of(t.substring("subscription:".length())));
        }
        return switch (t) {
            case "auto" -> AUTO;
            case "off" -> OFF;
            case "stream" -> new LiveMode(Kind.STREAM, Optional.empty());
            default -> throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "--live '" + text
                    + "' is not one of auto, off, stream, subscription:NAME");
        };
    }
}
