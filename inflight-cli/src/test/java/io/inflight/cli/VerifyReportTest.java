package io.inflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.TableId;
import io.inflight.postgres.verify.Difference;
import io.inflight.postgres.verify.TableReport;
import io.inflight.postgres.verify.VerifyResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VerifyReportTest {

    static final TableReport ORDERS = new TableReport(TableId.of("shop", "orders"), TableReport.Method.KEY,
            TableReport.Status.DIFFERS, List.of("id", "region"), 1000, 1000, 1, 1, 1, Map.of("note", 1L), 2,
            List.of(new Difference(Difference.Kind.MISSING, List.of("7", "eu \"west\""), List.of(), 1),
                    new Difference(Difference.Kind.EXTRA, List.of("8", "us"), List.of(), 1),
                    new Difference(Difference.Kind.DIFFERS, List.of("9", "us"), List.of("note"), 1)),
            Optional.empty(), Duration.ofMillis(5), false);
    static final TableReport LOG = new TableReport(TableId.of("shop", "log"), TableReport.Method.MULTISET,
            TableReport.Status.EQUAL, List.of(), 50, 50, 0, 0, 0, Map.of(), 0, List.of(), Optional.empty(),
            Duration.ofMillis(1), false);

    @Test
    void diffLinesAreJsonWithTheKeyByColumn() {
        assertThat(VerifyReport.diffLine(ORDERS, ORDERS.differences().get(0)))
                .isEqualTo("{\"table\":\"shop.orders\",\"kind\":\"missing\",\"key\":{\"id\":\"7\",\"region\":\"eu \\\"west\\\"\"}}");
        assertThat(VerifyReport.diffLine(ORDERS, ORDERS.differences().get(2)))
                .isEqualTo("{\"table\":\"shop.orders\",\"kind\":\"differs\",\"key\":{\"id\":\"9\",\"region\":\"us\"},"
                        + "\"columns\":[\"note\"]}");
    }

    @Test
    void summarySaysWhatToActOn() {
        VerifyResult r = new VerifyResult(3, List.of(LOG, ORDERS), Duration.ofMillis(1500), Optional.of("subscription \"s\""));
        List<String> lines = VerifyReport.summary(r, Path.of("diff.jsonl"));
        assertThat(lines.get(0)).isEqualTo("verify: NOT EQUAL - 2 tables, 1,050 rows compared in 1.5 s");
        assertThat(String.join("\n", lines))
                .contains("shop.log", "equal  (no key: compared as a multiset, slower)")
                .contains("1 missing on the target, 1 extra on the target, 1 differing (note: 1)  (2 resolved by lag)")
                .contains("live: 2 difference(s) seen at first were replication lag and resolved (subscription \"s\")")
                .contains("shop.orders missing id=7, region=eu \"west\"")
                .contains("shop.orders differs id=9, region=us (columns: note)")
                .contains("every difference: diff.jsonl");
        assertThat(VerifyReport.json(r, null)).startsWith("{\"outcome\":\"differs\",\"equal\":false,\"runId\":3,"
                + "\"rowsCompared\":1050,\"resolvedByLag\":2,\"elapsedMs\":1500,\"live\":\"subscription \\\"s\\\"\","
                + "\"diffFile\":null,\"tables\":[{\"table\":\"shop.log\",\"method\":\"multiset\",\"status\":\"equal\"");
        assertThat(VerifyCommand.exitCode(VerifyResult.Outcome.EQUAL)).isZero();
        assertThat(VerifyCommand.exitCode(VerifyResult.Outcome.DIFFERS)).isEqualTo(22);
        assertThat(VerifyCommand.exitCode(VerifyResult.Outcome.NOT_COMPARED)).isEqualTo(16);
    }
}
