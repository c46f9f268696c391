package io.inflight.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code inflight clone --json} reports about itself: total time, rows and bytes copied, and the
 * time of each phase ({@code schema}, {@code copy}, {@code post-data}, {@code sequences}) in order.
 */
record CloneSummary(Duration elapsed, long rowsCopied, long bytesCopied, Map<String, Duration> phases) {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

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
        JsonNode root;
        try {
            root = MAPPER.readTree(stdout.substring(start, end + 1));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the JSON on standard output does not parse: " + e.getOriginalMessage()
                    + ": " + abbreviate(stdout));
        }
        JsonNode phaseNode = root.path("phasesMs");
        if (!phaseNode.isObject()) {
            throw new IllegalArgumentException("the JSON summary has no \"phasesMs\" object");
        }
        Map<String, Duration> phases = new LinkedHashMap<>();
        phaseNode.fields().forEachRemaining(e ->
                phases.put(e.getKey(), Duration.ofMillis(asLong(e.getValue(), "phasesMs." + e.getKey()))));
        return new CloneSummary(Duration.ofMillis(asLong(root.path("elapsedMs"), "elapsedMs")),
                asLong(root.path("rowsCopied"), "rowsCopied"), asLong(root.path("bytesCopied"), "bytesCopied"),
                phases);
    }

    private static long asLong(JsonNode value, String field) {
        if (value.isIntegralNumber()) {
            return value.longValue();
        }
        throw new IllegalArgumentException("the JSON summary has no number \"" + field + "\" (found " + value + ")");
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        return t.isEmpty() ? "(empty)" : t.length() <= 200 ? t : t.substring(0, 200) + "...";
    }
}
