package io.inflight.postgres.apply;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * Changes per second over the last {@value #WINDOW_SECONDS} seconds of commits: steady enough to read, recent enough
 * to show a stall. Not thread-safe: the thread that commits owns it.
 */
final class ApplyRate {

    static final int WINDOW_SECONDS = 10;

    private record Sample(long nanos, long changes) {
    }

    private final Deque<Sample> samples = new ArrayDeque<>();

    /** Records that {@code changes} had been applied in total at {@code nanos}; returns the rate over the window. */
    double at(long nanos, long changes) {
        samples.addLast(new Sample(nanos, changes));
        long horizon = nanos - TimeUnit.SECONDS.toNanos(WINDOW_SECONDS);
        while (samples.size() > 2 && samples.peekFirst().nanos() < horizon) {
            samples.removeFirst();
        }
        Sample first = samples.peekFirst();
        long elapsed = nanos - first.nanos();
        return elapsed <= 0 ? 0 : (changes - first.changes()) * 1e9 / elapsed;
    }
}
