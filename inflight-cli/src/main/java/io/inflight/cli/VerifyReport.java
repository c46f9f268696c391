package io.inflight.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

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
        ObjectNode o = Json.object();
        o.put("outcome", r.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        o.put("equal", r.outcome() == VerifyResult.Outcome.EQUAL);
        o.put("runId", r.runId());
        o.put("rowsCompared", r.rowsCompared());
        o.put("resolvedByLag", r.resolvedByLag());
        o.put("elapsedMs", r.elapsed().toMillis());
        o.put("live", r.live().orElse(null));
        o.put("diffFile", diffFile == null ? null : diffFile.toString());
        ArrayNode tables = o.putArray("tables");
        for (TableReport t : r.tables()) {
            ObjectNode j = tables.addObject();
            j.put("table", t.table().toString());
            j.put("method", t.method().name().toLowerCase(Locale.ROOT));
            j.put("status", t.status().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            j.set("keyColumns", Json.array(t.keyColumns()));
            j.put("sourceRows", t.sourceRows());
            j.put("targetRows", t.targetRows());
            j.put("missing", t.missing());
            j.put("extra", t.extra());
            j.put("differing", t.differing());
            ObjectNode columns = j.putObject("differingColumns");
            t.differingColumns().forEach(columns::put);
            j.put("resolvedByLag", t.resolvedByLag());
            j.put("unlisted", t.unlisted());
            j.put("reason", t.reason().orElse(null));
            j.put("resumed", t.resumed());
        }
        return Json.write(o);
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
        ObjectNode o = Json.object();
        o.put("table", t.table().toString());
        o.put("kind", d.kind().word());
        if (t.method() == TableReport.Method.MULTISET) {
            o.put("row", d.key().get(0));
            o.put("rows", d.rows());
        } else {
            ObjectNode key = o.putObject("key");
            for (int i = 0; i < t.keyColumns().size(); i++) {
                key.put(t.keyColumns().get(i), d.key().get(i));
            }
            if (d.kind() == Difference.Kind.DIFFERS) {
                o.set("columns", Json.array(d.columns()));
            }
        }
        return Json.write(o);
    }
}
