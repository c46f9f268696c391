package io.inflight.postgres.verify;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The answer of one verify: every table's report (in table order), and how live differences were judged.
 *
 * @param runId     the verify run on the target these results belong to (a rerun resumes it)
 * @param live      what told verify how far the target had caught up, e.g. "subscription sub1"; empty when
 *                  differences were taken as found
 */
public record VerifyResult(long runId, List<TableReport> tables, Duration elapsed, Optional<String> live) {

    /** The three answers a script needs. */
    public enum Outcome { EQUAL, DIFFERS, NOT_COMPARED }

    public VerifyResult {
        tables = List.copyOf(tables);
    }

    /** DIFFERS if any table differs (certain, even if another could not be compared), then NOT_COMPARED. */
    public Outcome outcome() {
        if (tables.stream().anyMatch(t -> t.status() == TableReport.Status.DIFFERS)) {
            return Outcome.DIFFERS;
        }
        if (tables.stream().anyMatch(t -> t.status() == TableReport.Status.NOT_COMPARED)) {
            return Outcome.NOT_COMPARED;
        }
        return Outcome.EQUAL;
    }

    public long rowsCompared() {
        return tables.stream().mapToLong(TableReport::sourceRows).sum();
    }

    public long resolvedByLag() {
        return tables.stream().mapToLong(TableReport::resolvedByLag).sum();
    }
}
