package io.inflight.cli;

import io.inflight.postgres.cutover.SwitchResult;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a finished cutover or rollback is reported: lines for people, one JSON object for scripts. */
final class SwitchSummary {

    private SwitchSummary() {
    }

    static String text(SwitchResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append(r.kind()).append(" done").append(r.resumed() ? " (continued an interrupted run)" : "")
                .append(": writes paused for ").append(r.writePause().toMillis()).append(" ms\n");
        r.steps().forEach((step, took) -> sb.append(String.format(Locale.ROOT, "  %-10s %6d ms%n", step,
                took.toMillis())));
        if (!r.reverseSlot().isEmpty()) {
            sb.append("stream back reads slot '").append(r.reverseSlot()).append("'; run ")
                    .append(r.kind().equals("cutover") ? "inflight stream --reverse" : "inflight stream")
                    .append(" to keep the other side in step\n");
        }
        if (!r.afterwards().isEmpty()) {
            sb.append(r.afterwards()).append('\n');
        }
        return sb.toString().stripTrailing();
    }

    static String json(SwitchResult r) {
        String steps = r.steps().entrySet().stream().map(e -> "\"" + e.getKey() + "\":" + e.getValue().toMillis())
                .collect(Collectors.joining(",", "{", "}"));
        return String.format(Locale.ROOT, "{\"kind\":\"%s\",\"run\":%d,\"write_pause_ms\":%d,\"steps_ms\":%s,"
                        + "\"fence_lsn\":\"%s\",\"sequences\":%d,\"reverse_slot\":\"%s\",\"resumed\":%s}", r.kind(),
                r.runId(), r.writePause().toMillis(), steps, r.fenceLsn(), r.sequences(), r.reverseSlot(),
                r.resumed());
    }
}
