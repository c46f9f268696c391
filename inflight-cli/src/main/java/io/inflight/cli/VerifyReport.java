package io.inflight.cli;

import static io.inflight.cli.CloneResultJson.string;

import io.inflight.postgres.verify.Difference;
import io.inflight.postgres.verify.TableReport;
import io.inflight.postgres.verify.VerifyResult;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@code inflight verify} prints: a summary a person can act on, the {@code --json} object (field
 * names are a contract: add, never rename) and the {@code --diff-file} lines. Never prints a row's values
 * for keyed tables, only keys and column names.
 */
final class VerifyReport {

    /** Differences shown in the summary; the rest are in the diff file. */
    static final int SHOWN = 10;

    private VerifyReport() {
    }

    static List<String> summary(VerifyResult r, Path diffFile) {
        List<String> out = new ArrayList<>();
        String verdict = switch (r.outcome()) {
            case EQUAL -> "EQUAL";
            case DIFFERS -> "NOT EQUAL";
            case NOT_COMPARED -> "COULD NOT COMPARE every table";
        };
        out.add(String.format(Locale.ROOT, "verify: %s - %d tables, %,d rows compared in %.1f s", verdict,
                r.tables().size(), r.rowsCompared(), r.elapsed().toMillis() / 1000.0));
        int width = r.tables().stream().mapToInt(t -> t.table().toString().length()).max().orElse(0);
        for (TableReport t : r.tables()) {
            out.add(String.format(Locale.ROOT, "  %-" + width + "s %,12d rows  %s%s%s", t.table(), t.sourceRows(),
                    verdict(t), t.method() == TableReport.Method.MULTISET && t.status() != TableReport.Status.NOT_COMPARED
                            ? "  (no key: compared as a multiset, slower)" : "",
                    t.resolvedByLag() > 0 ? String.format(Locale.ROOT, "  (%,d resolved by lag)", t.resolvedByLag()) : ""));
        }
        r.live().ifPresent(l -> out.add("  live: " + r.resolvedByLag()
                + " difference(s) seen at first were replication lag and resolved (" + l + ")"));
        List<String> shown = new ArrayList<>();
        for (TableReport t : r.tables()) {
            for (Difference d : t.differences()) {
                if (shown.size() < SHOWN) {
                    shown.add("    " + t.table() + " " + d.kind().word() + " " + describe(t, d));
                }
            }
        }
        long total = r.tables().stream().mapToLong(t -> t.differences().size() + t.unlisted()).sum();
        if (!shown.isEmpty()) {
            out.add("  differences" + (total > shown.size() ? " (first " + shown.size() + " of " + total + ")" : "") + ":");
            out.addAll(shown);
        }
        if (diffFile != null && total > 0) {
            out.add("  every difference: " + diffFile);
        } else if (total > shown.size()) {
            out.add("  rerun with --diff-file PATH for the full list");
        }
        return out;
    }

    private static String verdict(TableReport t) {
        if (t.status() == TableReport.Status.NOT_COMPARED) {
            return "NOT COMPARED: " + t.reason().orElse("");
        }
        if (t.status() == TableReport.Status.EQUAL) {
            return "equal" + (t.resumed() ? " (compared before the last stop)" : "");
        }
        List<String> parts = new ArrayList<>();
        if (t.missing() > 0) {
            parts.add(String.format(Locale.ROOT, "%,d missing on the target", t.missing()));
        }
        if (t.extra() > 0) {
            parts.add(String.format(Locale.ROOT, "%,d extra on the target", t.extra()));
        }
        if (t.differing() > 0) {
            parts.add(String.format(Locale.ROOT, "%,d differing (%s)", t.differing(), t.differingColumns().entrySet()
                    .stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", "))));
        }
        return String.join(", ", parts);
    }

    private static String describe(TableReport t, Difference d) {
        if (t.method() == TableReport.Method.MULTISET) {
            return "row " + d.key().get(0) + (d.rows() > 1 ? " x" + d.rows() : "");
        }
        List<String> kv = new ArrayList<>();
        for (int i = 0; i < t.keyColumns().size(); i++) {
            kv.add(t.keyColumns().get(i) + "=" + d.key().get(i));
        }
        return String.join(", ", kv) + (d.columns().isEmpty() ? "" : " (columns: " + String.join(", ", d.columns()) + ")");
    }

    static String json(VerifyResult r, Path diffFile) {
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"outcome\":").append(string(r.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-')));
        sb.append(",\"equal\":").append(r.outcome() == VerifyResult.Outcome.EQUAL);
        sb.append(",\"runId\":").append(r.runId());
        sb.append(",\"rowsCompared\":").append(r.rowsCompared());
        sb.append(",\"resolvedByLag\":").append(r.resolvedByLag());
        sb.append(",\"elapsedMs\":").append(r.elapsed().toMillis());
        sb.append(",\"live\":").append(string(r.live().orElse(null)));
        sb.append(",\"diffFile\":").append(string(diffFile == null ? null : diffFile.toString()));
        sb.append(",\"tables\":[");
        for (int i = 0; i < r.tables().size(); i++) {
            TableReport t = r.tables().get(i);
            sb.append(i == 0 ? "" : ",").append('{');
            sb.append("\"table\":").append(string(t.table().toString()));
            sb.append(",\"method\":").append(string(t.method().name().toLowerCase(Locale.ROOT)));
            sb.append(",\"status\":").append(string(t.status().name().toLowerCase(Locale.ROOT).replace('_', '-')));
            sb.append(",\"keyColumns\":").append(array(t.keyColumns()));
            sb.append(",\"sourceRows\":").append(t.sourceRows());
            sb.append(",\"targetRows\":").append(t.targetRows());
            sb.append(",\"missing\":").append(t.missing());
            sb.append(",\"extra\":").append(t.extra());
            sb.append(",\"differing\":").append(t.differing());
            sb.append(",\"differingColumns\":{");
            int j = 0;
            for (Map.Entry<String, Long> e : t.differingColumns().entrySet()) {
                sb.append(j++ == 0 ? "" : ",").append(string(e.getKey())).append(':').append(e.getValue());
            }
            sb.append('}');
            sb.append(",\"resolvedByLag\":").append(t.resolvedByLag());
            sb.append(",\"unlisted\":").append(t.unlisted());
            sb.append(",\"reason\":").append(string(t.reason().orElse(null)));
            sb.append(",\"resumed\":").append(t.resumed());
            sb.append('}');
        }
        return sb.append("]}").toString();
    }

    /** One JSON object per difference: table, kind, key (column: value) or row (multiset), columns, rows. */
    static void writeDiffFile(VerifyResult r, Path file) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (TableReport t : r.tables()) {
                for (Difference d : t.differences()) {
                    w.write(diffLine(t, d));
                    w.newLine();
                }
            }
        }
    }

    static String diffLine(TableReport t, Difference d) {
        StringBuilder sb = new StringBuilder("{\"table\":").append(string(t.table().toString()));
        sb.append(",\"kind\":").append(string(d.kind().word()));
        if (t.method() == TableReport.Method.MULTISET) {
            sb.append(",\"row\":").append(string(d.key().get(0))).append(",\"rows\":").append(d.rows());
        } else {
            sb.append(",\"key\":{");
            for (int i = 0; i < t.keyColumns().size(); i++) {
                sb.append(i == 0 ? "" : ",").append(string(t.keyColumns().get(i))).append(':').append(string(d.key().get(i)));
            }
            sb.append('}');
            if (d.kind() == Difference.Kind.DIFFERS) {
                sb.append(",\"columns\":").append(array(d.columns()));
            }
        }
        return sb.append('}').toString();
    }

    private static String array(List<String> items) {
        return "[" + items.stream().map(CloneResultJson::string).collect(Collectors.joining(",")) + "]";
    }
}
