package io.inflight.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
        ObjectNode o = Json.object();
        o.put("slot", r.slotName());
        o.put("publication", r.publication());
        o.put("consistentPoint", r.consistentPoint() == null ? null : r.consistentPoint().toString());
        o.put("tablesCopied", r.tablesCopied());
        o.put("tablesSkipped", r.tablesSkipped());
        o.put("rowsCopied", r.rowsCopied());
        o.put("bytesCopied", r.bytesCopied());
        o.put("elapsedMs", millis(r.elapsed()));
        ObjectNode phases = o.putObject("phasesMs");
        if (r.phases() != null) {
            for (Map.Entry<String, Duration> e : r.phases().entrySet()) {
                phases.put(e.getKey(), millis(e.getValue()));
            }
        }
        return Json.write(o);
    }

    private static long millis(Duration d) {
        return d == null ? 0 : d.toMillis();
    }
}
