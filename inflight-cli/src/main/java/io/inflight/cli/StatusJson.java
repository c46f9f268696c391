package io.inflight.cli;

import io.inflight.postgres.status.MigrationStatus;
import java.time.Instant;
import java.util.StringJoiner;

/** {@code status --json}: one object; field names are a contract (add, never rename). */
final class StatusJson {

    private StatusJson() {
    }

    static String render(MigrationStatus s, Instant now) {
        StringJoiner o = new StringJoiner(",", "{", "}");
        o.add(field("migration", Boolean.toString(s.migrationExists())));
        if (!s.migrationExists()) {
            return o.toString();
        }
        o.add(field("phase", str(s.phase())));
        o.add(field("slot", str(s.slot())));
        o.add(field("publication", str(s.publication())));
        o.add(field("consistentLsn", str(s.consistentLsn().toString())));
        o.add(field("startedAt", str(String.valueOf(s.startedAt()))));
        o.add(field("tablesCopied", Long.toString(s.tablesCopied())));
        o.add(field("tables", Integer.toString(s.tables().size())));
        o.add(field("rowsCopied", Long.toString(s.rowsCopied())));
        StringJoiner tables = new StringJoiner(",", "[", "]");
        for (MigrationStatus.TableCopy t : s.tables()) {
            tables.add("{" + field("table", str(t.table())) + "," + field("status", str(t.status())) + ","
                    + field("rowsCopied", Long.toString(t.rowsCopied())) + ","
                    + field("bytesCopied", Long.toString(t.bytesCopied())) + ","
                    + field("attempts", Integer.toString(t.attempts())) + "}");
        }
        o.add(field("tableStates", tables.toString()));
        o.add(field("appliedLsn", s.appliedLsn().map(l -> str(l.toString())).orElse("null")));
        o.add(field("appliedCommitTime", s.appliedCommit().map(t -> str(t.toString())).orElse("null")));
        o.add(field("lagBytes", s.lagBytes().map(String::valueOf).orElse("null")));
        o.add(field("lagMs", s.lagTime(now).map(d -> Long.toString(d.toMillis())).orElse("null")));
        o.add(field("sourceReachable", Boolean.toString(s.source().isPresent())));
        s.source().ifPresent(src -> {
            o.add(field("sourceLsn", str(src.currentLsn().toString())));
            o.add(field("slotExists", Boolean.toString(src.slotExists())));
            o.add(field("slotActive", Boolean.toString(src.slotActive())));
            o.add(field("slotConfirmedLsn", src.confirmedLsn().map(l -> str(l.toString())).orElse("null")));
            o.add(field("slotRetainedWalBytes", Long.toString(src.retainedWal())));
        });
        o.add(field("lastVerify", s.lastVerify().map(StatusJson::verify).orElse("null")));
        return o.toString();
    }

    private static String verify(MigrationStatus.VerifySummary v) {
        StringJoiner o = new StringJoiner(",", "{", "}");
        o.add(field("runId", Long.toString(v.runId())));
        o.add(field("startedAt", str(v.startedAt().toString())));
        o.add(field("finishedAt", v.finishedAt().map(t -> str(t.toString())).orElse("null")));
        o.add(field("clean", Boolean.toString(v.clean())));
        o.add(field("tables", Integer.toString(v.tables())));
        o.add(field("tablesDiffering", Integer.toString(v.tablesDiffering())));
        o.add(field("tablesNotCompared", Integer.toString(v.tablesNotCompared())));
        o.add(field("missing", Long.toString(v.missing())));
        o.add(field("extra", Long.toString(v.extra())));
        o.add(field("differing", Long.toString(v.differing())));
        o.add(field("resolvedByLag", Long.toString(v.resolvedByLag())));
        return o.toString();
    }

    private static String field(String name, String json) {
        return str(name) + ":" + json;
    }

    private static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
