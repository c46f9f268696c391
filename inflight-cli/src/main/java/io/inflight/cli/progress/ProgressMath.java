package io.inflight.cli.progress;

import java.time.Duration;
import java.util.Locale;
import java.util.OptionalDouble;

/** Pure arithmetic and formatting behind the progress display: sizes, rates, fractions and ETAs. */
public final class ProgressMath {

    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB"};

    private ProgressMath() {
    }

    /**
     * How far a table (or the whole copy) is, from 0 to 1. Rows are preferred because the estimate
     * (pg_class.reltuples) counts the same thing we count; bytes on disk and bytes of COPY data differ
     * by the tuple overhead, so they only serve when no row estimate exists. Empty when neither does.
     */
    public static OptionalDouble fraction(long rows, long estimatedRows, long bytes, long estimatedBytes) {
        if (estimatedRows > 0) {
            return OptionalDouble.of(Math.min(1.0, (double) rows / estimatedRows));
        }
        if (estimatedBytes > 0) {
            return OptionalDouble.of(Math.min(1.0, (double) bytes / estimatedBytes));
        }
        return OptionalDouble.empty();
    }

    /**
     * Time left if the rest goes as fast as what is done so far; empty when nothing is done yet or the
     * estimate is already reached (the estimate was low, so no honest number exists).
     */
    public static Duration eta(OptionalDouble fraction, Duration elapsed) {
        if (fraction.isEmpty() || fraction.getAsDouble() <= 0 || fraction.getAsDouble() >= 1) {
            return null;
        }
        double f = fraction.getAsDouble();
        double leftNanos = elapsed.toNanos() * (1 - f) / f;
        return Duration.ofNanos((long) leftNanos);
    }

    /** Units per second; 0 before any time has passed. */
    public static double perSecond(long amount, Duration elapsed) {
        long nanos = elapsed.toNanos();
        return nanos <= 0 ? 0 : amount * 1e9 / nanos;
    }

    /** {@code 0 B}, {@code 999 B}, {@code 1.0 kB}, {@code 12.3 MB}: powers of 1000 with one decimal. */
    public static String bytes(double bytes) {
        if (bytes < 1000) {
            return String.format(Locale.ROOT, "%.0f B", Math.max(0, bytes));
        }
        int unit = 0;
        double v = bytes;
        while (v >= 999.95 && unit < UNITS.length - 1) {
            v /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, UNITS[unit]);
    }

    /** {@code 1,234,567}. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** {@code 42%}, or {@code ?} when unknown. */
    public static String percent(OptionalDouble fraction) {
        return fraction.isPresent() ? String.format(Locale.ROOT, "%d%%", (int) Math.floor(fraction.getAsDouble() * 100))
                : "?";
    }

    /** {@code 0:07}, {@code 12:34}, {@code 1:02:03}; {@code --:--} when null. */
    public static String clock(Duration d) {
        if (d == null) {
            return "--:--";
        }
        long s = Math.max(0, (d.toMillis() + 500) / 1000);
        long h = s / 3600;
        long m = (s % 3600) / 60;
        long sec = s % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec)
                : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }

    /** {@code 850 ms}, {@code 3.4 s}, {@code 2m05s}: for phase timings. */
    public static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        long s = ms / 1000;
        return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }

    /** Cuts a line to a terminal's width, marking the cut. */
    public static String fit(String line, int width) {
        if (width < 4 || line.length() <= width) {
            return line;
        }
        return line.substring(0, width - 1) + "…";
    }
}
