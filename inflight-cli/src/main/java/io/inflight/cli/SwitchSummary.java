package io.inflight.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inflight.postgres.cutover.SwitchResult;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a finished cutover or rollback is reported: lines for people, one JSON object for scripts. */
final class SwitchSummary {

    private SwitchSummary() {
    }

    static String text(SwitchResult r) {
        StringBuilder sb = new StringBuilder();
        if (r.alreadyDone()) {
            return r.kind() + " already done: " + r.afterwards();
        }
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
        ObjectNode o = Json.object();
        o.put("kind", r.kind());
        o.put("run", r.runId());
        o.put("writePauseMs", r.writePause().toMillis());
        ObjectNode steps = o.putObject("stepsMs");
        r.steps().forEach((step, took) -> steps.put(step, took.toMillis()));
        o.put("fenceLsn", String.valueOf(r.fenceLsn()));
        o.put("sequences", r.sequences());
        o.put("reverseSlot", r.reverseSlot());
        o.put("resumed", r.resumed());
        o.put("alreadyDone", r.alreadyDone());
        return Json.write(o);
    }
}
