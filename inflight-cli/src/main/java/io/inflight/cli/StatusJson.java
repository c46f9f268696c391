package io.inflight.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inflight.postgres.status.MigrationStatus;
import java.time.Instant;

/** {@code status --json}: one object; field names are a contract (add, never rename). */
final class StatusJson {

    private StatusJson() {
    }

    static String render(MigrationStatus s, Instant now) {
        ObjectNode o = Json.object();
        o.put("migration", s.migrationExists());
        if (!s.migrationExists()) {
            return Json.write(o);
        }
        o.put("phase", s.phase());
        o.put("slot", s.slot());
        o.put("publication", s.publication());
        o.put("consistentLsn", s.consistentLsn().toString());
        o.put("startedAt", String.valueOf(s.startedAt()));
        o.put("tablesCopied", s.tablesCopied());
        o.put("tables", s.tables().size());
        o.put("rowsCopied", s.rowsCopied());
        ArrayNode tables = o.putArray("tableStates");
        for (MigrationStatus.TableCopy t : s.tables()) {
            ObjectNode j = tables.addObject();
            j.put("table", t.table());
            j.put("status", t.status());
            j.put("rowsCopied", t.rowsCopied());
            j.put("bytesCopied", t.bytesCopied());
            j.put("attempts", t.attempts());
            j.put("rowsPerSecond", t.rowsPerSecond(now).orElse(null));
        }
        o.put("appliedLsn", s.appliedLsn().map(Object::toString).orElse(null));
        o.put("appliedCommitTime", s.appliedCommit().map(Object::toString).orElse(null));
        o.put("lagBytes", s.lagBytes().orElse(null));
        o.put("lagMs", s.lagTime(now).map(d -> d.toMillis()).orElse(null));
        o.put("changesApplied", s.changesApplied());
        o.put("changesPerSecond", s.changesPerSecond().orElse(null));
        o.put("sourceReachable", s.source().isPresent());
        s.source().ifPresent(src -> {
            o.put("sourceLsn", src.currentLsn().toString());
            o.put("slotExists", src.slotExists());
            o.put("slotActive", src.slotActive());
            o.put("slotConfirmedLsn", src.confirmedLsn().map(Object::toString).orElse(null));
            o.put("slotRetainedWalBytes", src.retainedWal());
        });
        if (s.lastVerify().isPresent()) {
            MigrationStatus.VerifySummary v = s.lastVerify().get();
            ObjectNode j = o.putObject("lastVerify");
            j.put("runId", v.runId());
            j.put("startedAt", v.startedAt().toString());
            j.put("finishedAt", v.finishedAt().map(Object::toString).orElse(null));
            j.put("clean", v.clean());
            j.put("tables", v.tables());
            j.put("tablesDiffering", v.tablesDiffering());
            j.put("tablesNotCompared", v.tablesNotCompared());
            j.put("missing", v.missing());
            j.put("extra", v.extra());
            j.put("differing", v.differing());
            j.put("resolvedByLag", v.resolvedByLag());
        } else {
            o.putNull("lastVerify");
        }
        return Json.write(o);
    }
}
