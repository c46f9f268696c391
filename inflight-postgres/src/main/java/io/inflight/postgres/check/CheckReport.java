package io.inflight.postgres.check;

import io.inflight.core.ErrorCode;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Everything {@code inflight check} found, blockers first, in the order the checks ran within a severity. */
public record CheckReport(List<Finding> findings) {

    public CheckReport {
        findings = findings.stream()
                .sorted(Comparator.comparing(Finding::severity))
                .toList();
    }

    public List<Finding> blockers() {
        return of(Severity.BLOCKER);
    }

    public List<Finding> warnings() {
        return of(Severity.WARNING);
    }

    public List<Finding> of(Severity severity) {
        return findings.stream().filter(f -> f.severity() == severity).toList();
    }

    public boolean ok() {
        return blockers().isEmpty();
    }

    /** The error code of the first blocker: what a clone would stop with first. Empty when nothing blocks. */
    public Optional<ErrorCode> firstBlockerCode() {
        return blockers().stream().findFirst().map(Finding::code);
    }
}
