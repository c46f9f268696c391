package io.inflight.faults;

import java.util.Random;

/** Sleeps that turn an interrupt into an unchecked stop of the suite. */
final class Pause {

    private Pause() {
    }

    static void millis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** A random pause between {@code min} and {@code max} ms; returns how long it was. */
    static long between(Random random, long min, long max) {
        long ms = min + (long) (random.nextDouble() * (max - min));
        millis(ms);
        return ms;
    }
}
