package io.inflight.cli;

import io.inflight.postgres.clone.CloneResult;
import java.time.Duration;
import java.util.Map;

/**
 * {@code clone --json}: the result as one JSON object on one line, for scripts and the benchmark
 * harness. Field names are a contract; add fields, never rename them.
 */
public final class CloneResultJson {

    private CloneResultJson() {
    }

    public static String render(CloneResult r) {
        StringBuilder sb = new StringBuilder("{");
        field(sb, "slot", string(r.slotName()));
        field(sb, "publication", string(r.publication()));
        field(sb, "consistentPoint", r.consistentPoint() == null ? "null" : string(r.consistentPoint().toString()));
        field(sb, "tablesCopied", Integer.toString(r.tablesCopied()));
        field(sb, "tablesSkipped", Integer.toString(r.tablesSkipped()));
        field(sb, "rowsCopied", Long.toString(r.rowsCopied()));
        field(sb, "bytesCopied", Long.toString(r.bytesCopied()));
        field(sb, "elapsedMs", Long.toString(millis(r.elapsed())));
        StringBuilder phases = new StringBuilder("{");
        if (r.phases() != null) {
            for (Map.Entry<String, Duration> e : r.phases().entrySet()) {
                field(phases, e.getKey(), Long.toString(millis(e.getValue())));
            }
        }
        field(sb, "phasesMs", phases.append('}').toString());
        return sb.append('}').toString();
    }

    private static long millis(Duration d) {
        return d == null ? 0 : d.toMillis();
    }

    private static void field(StringBuilder sb, String name, String json) {
        if (sb.length() > 1) {
            sb.append(',');
        }
        sb.append(string(name)).append(':').append(json);
    }

    static String string(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
