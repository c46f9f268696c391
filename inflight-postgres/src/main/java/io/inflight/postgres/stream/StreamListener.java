package io.inflight.postgres.stream;

/** Receives the stream's status about once a second, on a thread of its own; must not block for long. */
@FunctionalInterface
public interface StreamListener {

    StreamListener NONE = status -> { };

    void status(StreamStatus status);
}
