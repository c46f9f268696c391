package io.inflight.cli.progress;

import io.inflight.core.TableId;
import io.inflight.postgres.apply.ApplyStats.TableCounts;
import io.inflight.postgres.stream.StreamStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The stream's status as a person reads it: one line for position, lag and rate, one for the busiest tables. */
public final class StreamLines {

    private static final int TABLES_SHOWN = 4;

    private StreamLines() {
    }

    public static List<String> of(StreamStatus s) {
        List<String> lines = new ArrayList<>(2);
        StringBuilder b = new StringBuilder(s.phase());
        b.append(" · applied ").append(s.appliedLsn());
        if (s.sourceLsn().isPresent()) {
            b.append(" · lag ").append(ProgressMath.bytes(s.lagBytes())).append(", ").append(seconds(s.lagTime()));
        } else {
            b.append(" · lag unknown (source unreachable)");
        }
        b.append(" · ").append(ProgressMath.count(Math.round(s.changesPerSecond()))).append(" changes/s · ")
                .append(ProgressMath.count(s.transactions())).append(" tx, ")
                .append(ProgressMath.count(s.changes())).append(" changes");
        s.retainedWalBytes().ifPresent(r -> b.append(" · slot holds ").append(ProgressMath.bytes(r)));
        if (s.missingRows() > 0) {
            b.append(" · ").append(ProgressMath.count(s.missingRows())).append(" rows missing on target!");
        }
        lines.add(b.toString());
        if (!s.tables().isEmpty()) {
            lines.add("  " + tables(s.tables()));
        }
        return lines;
    }

    /** The busiest tables: {@code name +inserts ~updates -deletes}. */
    static String tables(Map<TableId, TableCounts> tables) {
        String shown = tables.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<TableId, TableCounts> e) -> e.getValue().total())
                        .reversed().thenComparing(Map.Entry::getKey))
                .limit(TABLES_SHOWN)
                .map(e -> e.getKey() + " +" + ProgressMath.count(e.getValue().inserts()) + " ~"
                        + ProgressMath.count(e.getValue().updates()) + " -" + ProgressMath.count(e.getValue().deletes())
                        + (e.getValue().truncates() > 0 ? " truncated " + e.getValue().truncates() + "x" : ""))
                .collect(Collectors.joining(" · "));
        return tables.size() > TABLES_SHOWN ? shown + " · " + (tables.size() - TABLES_SHOWN) + " more tables" : shown;
    }

    private static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
