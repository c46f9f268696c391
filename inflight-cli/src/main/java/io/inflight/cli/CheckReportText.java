package io.inflight.cli;

import io.inflight.cli.logging.Masking;
import io.inflight.postgres.check.CheckReport;
import io.inflight.postgres.check.Finding;
import io.inflight.postgres.check.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code inflight check}'s human form: one block per finding, blockers first, then a verdict line. */
final class CheckReportText {

    private CheckReportText() {
    }

    static List<String> lines(CheckReport report) {
        List<String> lines = new ArrayList<>();
        int checkWidth = report.findings().stream().mapToInt(f -> f.check().length()).max().orElse(5);
        for (Finding f : report.findings()) {
            String severity = f.severity().name();
            lines.add(String.format(Locale.ROOT, "%-7s  %-" + checkWidth + "s  %s", severity, f.check(),
                    Masking.mask(f.message())));
            if (!f.fix().isEmpty()) {
                for (String fixLine : f.fix().split("\n")) {
                    lines.add(" ".repeat(9 + checkWidth + 2) + "fix: " + Masking.mask(fixLine));
                }
            }
        }
        int blockers = report.blockers().size();
        int warnings = report.warnings().size();
        lines.add("");
        lines.add(blockers == 0
                ? "OK: nothing blocks the migration (" + warnings + " warning(s), "
                        + report.of(Severity.INFO).size() + " note(s))."
                : "NOT READY: " + blockers + " blocker(s), " + warnings + " warning(s). Fix the blockers and run"
                        + " inflight check again.");
        return lines;
    }
}
