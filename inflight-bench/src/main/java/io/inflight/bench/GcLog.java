package io.inflight.bench;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a unified JVM GC log ({@code -Xlog:gc}) for the largest heap occupancy it saw: the "before"
 * figure of lines like {@code GC(3) Pause Young (Normal) (G1 Evacuation Pause) 45M->12M(256M) 3.1ms}.
 * The heap is never fuller than just before a collection, so that maximum is the peak the log can show.
 */
final class GcLog {

    private static final Pattern OCCUPANCY = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    private GcLog() {
    }

    /** The peak occupancy in bytes, or empty when no collection happened (the log has no figure). */
    static OptionalLong peakHeapBytes(String log) {
        long peak = -1;
        Matcher m = OCCUPANCY.matcher(log);
        while (m.find()) {
            peak = Math.max(peak, Math.max(bytes(m.group(1), m.group(2)), bytes(m.group(3), m.group(4))));
        }
        return peak < 0 ? OptionalLong.empty() : OptionalLong.of(peak);
    }

    private static long bytes(String amount, String unit) {
        long n = Long.parseLong(amount);
        return switch (unit) {
            case "K" -> n << 10;
            case "M" -> n << 20;
            default -> n << 30;
        };
    }
}
