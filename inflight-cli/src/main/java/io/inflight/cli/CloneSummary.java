package io.inflight.cli;

import io.inflight.cli.progress.ProgressMath;
import io.inflight.postgres.clone.CloneResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What a finished clone did, in a few lines for a person. Pure. */
public final class CloneSummary {

    private CloneSummary() {
    }

    public static List<String> lines(CloneResult r) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "clone finished in %s: %d tables copied%s, %s rows, %s (%s/s while copying)",
                ProgressMath.duration(r.elapsed()), r.tablesCopied(),
                r.tablesSkipped() > 0 ? " (" + r.tablesSkipped() + " already copied by an earlier run)" : "",
                ProgressMath.count(r.rowsCopied()), ProgressMath.bytes(r.bytesCopied()),
                ProgressMath.bytes(ProgressMath.perSecond(r.bytesCopied(), copyTime(r)))));
        if (r.phases() != null && !r.phases().isEmpty()) {
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, Duration> e : r.phases().entrySet()) {
                parts.add(e.getKey() + " " + ProgressMath.duration(e.getValue()));
            }
            lines.add("  phases: " + String.join(", ", parts));
        }
        lines.add("  replication slot \"" + r.slotName() + "\" holds the changes from LSN " + r.consistentPoint()
                + " on (publication \"" + r.publication() + "\")");
        return lines;
    }

    /** The copy phase's time when reported, else the whole run's, for an honest rate. */
    static Duration copyTime(CloneResult r) {
        Duration copy = r.phases() == null ? null : r.phases().get("copy");
        return copy != null && !copy.isZero() ? copy : r.elapsed();
    }
}
