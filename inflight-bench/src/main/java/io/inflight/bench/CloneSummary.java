package io.inflight.bench;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code inflight clone --json} reports about itself: total time, rows and bytes copied, and the
 * time of each phase ({@code schema}, {@code copy}, {@code post-data}, {@code sequences}) in order.
 */
record CloneSummary(Duration elapsed, long rowsCopied, long bytesCopied, Map<String, Duration> phases) {

    CloneSummary {
        // In the order the CLI reported them, which is the order they ran.
        phases = Collections.unmodifiableMap(new LinkedHashMap<>(phases));
    }

    /**
     * Reads the summary from the CLI's standard output. Lines around the object (a log line that
     * slipped onto stdout) are ignored; the object itself must carry every field.
     */
    static CloneSummary parse(String stdout) {
        int start = stdout.indexOf('{');
        int end = stdout.lastIndexOf('}');
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("no JSON object on standard output: " + abbreviate(stdout));
        }
        if (!(Json.parse(stdout.substring(start, end + 1)) instanceof Map<?, ?> root)) {
            throw new IllegalArgumentException("the JSON on standard output is not an object");
        }
        Object phasesValue = root.get("phasesMs");
        if (!(phasesValue instanceof Map<?, ?> phaseMap)) {
            throw new IllegalArgumentException("the JSON summary has no \"phasesMs\" object");
        }
        Map<String, Duration> phases = new LinkedHashMap<>();
        phaseMap.forEach((k, v) -> phases.put(String.valueOf(k), Duration.ofMillis(asLong(v, "phasesMs." + k))));
        return new CloneSummary(Duration.ofMillis(asLong(root.get("elapsedMs"), "elapsedMs")),
                asLong(root.get("rowsCopied"), "rowsCopied"), asLong(root.get("bytesCopied"), "bytesCopied"),
                phases);
    }

    private static long asLong(Object value, String field) {
        if (value instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException("the JSON summary has no number \"" + field + "\" (found " + value + ")");
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        return t.isEmpty() ? "(empty)" : t.length() <= 200 ? t : t.substring(0, 200) + "...";
    }
}
