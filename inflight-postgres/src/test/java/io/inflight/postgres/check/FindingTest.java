package io.inflight.postgres.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Findings, the report's order and verdict, and the disk judgement, without a server. */
class FindingTest {

    @Test
    void aBlockerBecomesTheErrorACloneStopsWith() {
        Finding f = Finding.blocker(ErrorCode.LOGICAL_REPLICATION_DISABLED, "wal_level", "wal_level",
                "source has wal_level = replica", "Run ALTER SYSTEM SET wal_level = logical;");
        InflightException e = f.toException();
        assertThat(e.code()).isEqualTo(ErrorCode.LOGICAL_REPLICATION_DISABLED);
        assertThat(e.getMessage()).isEqualTo("source has wal_level = replica. Run ALTER SYSTEM SET wal_level = logical;");
        assertThatThrownBy(() -> new Finding(Severity.BLOCKER, null, "x", "", "m", ""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reportPutsBlockersFirstAndNamesTheFirstCode() {
        CheckReport r = new CheckReport(List.of(Finding.info("a", "", "note"),
                Finding.warning("b", "", "careful", ""),
                Finding.blocker(ErrorCode.UNSUPPORTED, "c", "", "no", "fix"),
                Finding.blocker(ErrorCode.INSUFFICIENT_PRIVILEGE, "d", "", "no", "grant")));
        assertThat(r.findings()).extracting(Finding::check).containsExactly("c", "d", "b", "a");
        assertThat(r.ok()).isFalse();
        assertThat(r.firstBlockerCode()).contains(ErrorCode.UNSUPPORTED);
        assertThat(new CheckReport(List.of(Finding.info("a", "", "note"))).ok()).isTrue();
    }

    @Test
    void tooLittleFreeDiskBlocks() {
        Finding low = SizeEstimate.judgeDisk("/data", 1L << 30, 3L << 30);
        assertThat(low.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
        assertThat(low.message()).contains("has 1.0 GB free, but the data takes about 3.0 GB");
        assertThat(SizeEstimate.judgeDisk("/data", 5L << 30, 3L << 30).severity()).isEqualTo(Severity.INFO);
    }
}
