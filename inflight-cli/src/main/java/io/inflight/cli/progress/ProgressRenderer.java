package io.inflight.cli.progress;

import io.inflight.cli.progress.ProgressState.Snapshot;
import io.inflight.cli.progress.ProgressState.TableView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/** Turns a {@link Snapshot} into text. Pure: no clock, no I/O. */
public final class ProgressRenderer {

    /** Active tables shown at most on a terminal; the rest are summed into one line. */
    static final int MAX_TABLE_LINES = 8;

    private ProgressRenderer() {
    }

    /** The live block: one line per active table, then the overall line. */
    public static List<String> terminalLines(Snapshot s, int width) {
        List<String> lines = new ArrayList<>();
        int nameWidth = 12;
        for (TableView t : s.active()) {
            nameWidth = Math.max(nameWidth, Math.min(40, t.table().toString().length()));
        }
        int shown = 0;
        for (TableView t : s.active()) {
            if (shown++ == MAX_TABLE_LINES) {
                lines.add(String.format(Locale.ROOT, "  ... and %d more tables", s.active().size() - MAX_TABLE_LINES));
                break;
            }
            lines.add(ProgressMath.fit(tableLine(t, nameWidth), width));
        }
        lines.add(ProgressMath.fit(overallLine(s), width));
        return lines;
    }

    static String tableLine(TableView t, int nameWidth) {
        OptionalDouble f = ProgressMath.fraction(t.rows(), t.estimatedRows(), t.bytes(), t.estimatedBytes());
        String name = t.table().toString();
        if (name.length() > nameWidth) {
            name = name.substring(0, nameWidth - 1) + "…";
        }
        String rows = t.estimatedRows() > 0 ? ProgressMath.count(t.rows()) + "/" + ProgressMath.count(t.estimatedRows())
                : ProgressMath.count(t.rows());
        return String.format(Locale.ROOT, "  %-" + nameWidth + "s %21s rows %10s %10s/s %4s  ETA %s", name, rows,
                ProgressMath.bytes(t.bytes()), ProgressMath.bytes(ProgressMath.perSecond(t.bytes(), t.elapsed())),
                ProgressMath.percent(f), ProgressMath.clock(ProgressMath.eta(f, t.elapsed())));
    }

    /** The overall state in one line; also the periodic line when not on a terminal. */
    public static String overallLine(Snapshot s) {
        OptionalDouble f = overallFraction(s);
        String skipped = s.tablesSkipped() > 0 ? " (" + s.tablesSkipped() + " skipped)" : "";
        return String.format(Locale.ROOT, "%s: %d/%d tables%s, %s rows, %s, %s/s, %s, ETA %s",
                s.phase().isEmpty() ? "copy" : s.phase(), s.tablesDone() + s.tablesSkipped(), s.tablesTotal(), skipped,
                ProgressMath.count(s.rows()), ProgressMath.bytes(s.bytes()),
                ProgressMath.bytes(ProgressMath.perSecond(s.bytes(), s.copyElapsed())), ProgressMath.percent(f),
                ProgressMath.clock(ProgressMath.eta(f, s.copyElapsed())));
    }

    static OptionalDouble overallFraction(Snapshot s) {
        if (s.tablesTotal() > 0 && s.tablesDone() + s.tablesSkipped() >= s.tablesTotal() && s.active().isEmpty()) {
            return OptionalDouble.of(1.0);
        }
        return ProgressMath.fraction(s.rows(), s.estimatedRows(), s.bytes(), s.estimatedBytes());
    }

    /** For a summary after the copy: the whole copy's rate. */
    public static String rate(long bytes, Duration elapsed) {
        return ProgressMath.bytes(ProgressMath.perSecond(bytes, elapsed)) + "/s";
    }
}
