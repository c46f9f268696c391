package io.inflight.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StreamReportTest {

    private static final Machine MACHINE = new Machine(2, 1L << 34, "CPU", "Linux", "Java 17", "13.18", "17.2", "pgbench 15");

    private static Percentiles p(double p50, double p99, double max) {
        return new Percentiles(p50, p99, max, 100);
    }

    /** A round in which Inflight applies {@code inflightCatchUp} s and native {@code nativeCatchUp} s for 1 M changes. */
    private static StreamRun run(int n, double inflightCatchUp, double nativeCatchUp, double inflightP99) {
        return run(n, inflightCatchUp, nativeCatchUp, inflightP99, 5);
    }

    /** ... and pg_recvlogical receives them in {@code recvLogical} s. */
    private static StreamRun run(int n, double inflightCatchUp, double nativeCatchUp, double inflightP99, double recvLogical) {
        LagSampler.Lag inflight = new LagSampler.Lag(p(0.1, inflightP99, inflightP99 + 0.1), p(1, 2, 3), p(0.5, 1.5, 2),
                p(10_000, 20_000, 30_000));
        LagSampler.Lag nat = new LagSampler.Lag(p(0.05, 0.2, 0.3), p(1, 2, 3), p(0.1, 0.3, 0.4), p(1_000, 2_000, 3_000));
        return new StreamRun(n, 60_000, Duration.ofSeconds(60), Map.of(Appliers.INFLIGHT, 60_000L, Appliers.NATIVE, 30_000L),
                Map.of(Appliers.INFLIGHT, inflight, Appliers.NATIVE, nat), 1_000_000,
                Map.of(Appliers.INFLIGHT, new StreamRun.CatchUp(Duration.ofSeconds(1), Duration.ofMillis(Math.round(inflightCatchUp * 1000)),
                                Duration.ofSeconds(30), "target sessions: active/cpu 90%", new CpuSeconds(4, 3, 6, 2 * n)),
                        Appliers.NATIVE, new StreamRun.CatchUp(Duration.ofSeconds(1), Duration.ofMillis(Math.round(nativeCatchUp * 1000)),
                                Duration.ofSeconds(30), "target sessions: all idle 50%", new CpuSeconds(5, 3.5, 7, 0))),
                List.of(Appliers.INFLIGHT, Appliers.NATIVE),
                new StreamRun.RecvLogical(Duration.ofMillis(100), Duration.ofMillis(Math.round(recvLogical * 1000)),
                        "walsender: active/cpu 95%", new CpuSeconds(7.5, 7, 0.25, 1)),
                Optional.empty());
    }

    private static StreamReport report(List<StreamRun> runs) {
        return new StreamReport("./bench stream --runs 3", ZonedDateTime.of(2026, 1, 2, 3, 4, 0, 0, ZoneOffset.UTC), MACHINE,
                "1.00, 1.00, 1.00", 10, 4, 60, Optional.empty(), 1_000_000, runs.size(), runs);
    }

    @Test
    void mediansOverRoundsAndTheirRatioAgainstTheTargets() {
        // catch-up rates: Inflight 100k/s, 50k/s, 40k/s -> median 50k; native 20k/s each -> ratio 2.50
        String md = report(List.of(run(1, 10, 50, 0.5), run(2, 20, 50, 0.9), run(3, 25, 50, 2.0))).markdown();
        assertThat(md).contains("Produced by `./bench stream --runs 3`");
        assertThat(md).containsPattern("\\| catch-up rate, Inflight / native +\\| 50,000 +\\| 20,000 +\\| 2\\.50 +\\| ≥ 1\\.50 +\\| yes");
        // steady: Inflight 1000 changes/s, native 500 -> 2.00
        assertThat(md).containsPattern("\\| steady apply rate, Inflight / native +\\| 1,000 +\\| 500 +\\| 2\\.00 +\\| ≥ 1\\.50 +\\| yes");
        // Inflight's applied lag p99: 0.5, 0.9, 2.0 -> median 0.90 s, within 1 s
        assertThat(md).containsPattern("\\| lag p99 at steady load, applied on the target +\\| 0\\.90 s +\\| 0\\.20 s +\\| 0\\.90 s +\\| ≤ 1\\.00 s +\\| yes");
        assertThat(md).contains("- round 2, inflight stream: target sessions: active/cpu 90%");
        assertThat(md).containsPattern("inflight stream: lag applied on the target, p50 / p99 / max +\\| 0\\.10 s / 0\\.50 s / 0\\.60 s");
    }

    @Test
    void pgRecvlogicalPerRoundAsAReaderThatWaitsNotAsABoundForTheAppliers() {
        // pg_recvlogical: 4 s, 5 s, 8 s for 1 M changes -> 250k, 200k, 125k/s, median 200k
        String md = report(List.of(run(1, 10, 50, 0.5, 4), run(2, 20, 50, 0.9, 5), run(3, 25, 50, 2.0, 8))).markdown();
        assertThat(md).containsPattern("\\| pg_recvlogical → /dev/null \\(a reader that waits on the socket\\): received the backlog"
                + " +\\| 4\\.0 s +\\| 5\\.0 s +\\| 8\\.0 s +\\| 5\\.0 s +\\|");
        assertThat(md).containsPattern("\\| pg_recvlogical → /dev/null: rate \\(changes/s\\) +\\| 250,000 +\\| 200,000 +\\| 125,000"
                + " +\\| 200,000 +\\|");
        assertThat(md).containsPattern("\\| pg_recvlogical → /dev/null: of which starting until its slot is active +\\| 0\\.1 s");
        assertThat(md).contains("- round 3, pg_recvlogical → /dev/null: walsender: active/cpu 95%");
        assertThat(md).contains("- **pg_recvlogical → /dev/null:** a third slot (`recvlogical`, plugin pgoutput)")
                .contains("publication_names=\"inflight\"").contains("It is not a lower bound for the appliers");
        assertThat(md).doesNotContain("floor").doesNotContain("any applier could reach");
    }

    @Test
    void cpuSecondsPerReaderPerRoundAndTheirMedian() {
        // Inflight: source 4 (walsender 3) + target 6 + JVM 2n -> 12, 14, 16 s over 10, 20, 25 s caught up
        String md = report(List.of(run(1, 10, 50, 0.5), run(2, 20, 50, 0.9), run(3, 25, 50, 2.0))).markdown();
        assertThat(md).contains("CPU seconds used while catching up");
        assertThat(md).containsPattern("\\| inflight stream: source cluster \\(of which walsender\\) +\\| 4\\.00 s \\(3\\.00 s\\)"
                + " +\\| 4\\.00 s \\(3\\.00 s\\) +\\| 4\\.00 s \\(3\\.00 s\\) +\\| 4\\.00 s \\(3\\.00 s\\) +\\|");
        assertThat(md).containsPattern("\\| inflight stream: its JVM +\\| 2\\.00 s +\\| 4\\.00 s +\\| 6\\.00 s +\\| 4\\.00 s +\\|");
        assertThat(md).containsPattern("\\| inflight stream: total +\\| 12\\.00 s +\\| 14\\.00 s +\\| 16\\.00 s +\\| 14\\.00 s +\\|");
        // 12/10, 14/20, 16/25 -> 1.20, 0.70, 0.64: median 0.70
        assertThat(md).containsPattern("\\| inflight stream: cores busy \\(total / time caught up in\\) +\\| 1\\.20 +\\| 0\\.70"
                + " +\\| 0\\.64 +\\| 0\\.70 +\\|");
        // native has no process of its own: its worker is counted in the target cluster; 12 s over 50 s
        assertThat(md).containsPattern("\\| native subscription: target cluster \\(its apply worker included\\) +\\| 7\\.00 s");
        assertThat(md).doesNotContain("native subscription: its");
        assertThat(md).containsPattern("\\| native subscription: cores busy \\(total / time caught up in\\) +\\| 0\\.24 +");
        // pg_recvlogical: 7.5 (7) + 0.25 + 1 = 8.75 s over 5 s
        assertThat(md).containsPattern("\\| pg_recvlogical → /dev/null: source cluster \\(of which walsender\\) +\\| 7\\.50 s \\(7\\.00 s\\)");
        assertThat(md).containsPattern("\\| pg_recvlogical → /dev/null: its process +\\| 1\\.00 s");
        assertThat(md).containsPattern("\\| pg_recvlogical → /dev/null: cores busy \\(total / time caught up in\\) +\\| 1\\.75 +");
        assertThat(md).contains("- **CPU while catching up:** read from Linux's `/proc/<pid>/stat`");
    }

    @Test
    void aFailedRoundIsShownAsFailedAndLeftOutOfTheMedians() {
        String md = report(List.of(run(1, 10, 50, 0.5), StreamRun.failed(2, "a target differs | badly"))).markdown();
        assertThat(md).contains("### Failed rounds").contains("- round 2: a target differs \\| badly");
        assertThat(md).containsPattern("\\| catch-up rate, Inflight / native +\\| 100,000 +\\| 20,000 +\\| 5\\.00");
        assertThat(md).containsPattern("inflight stream: catch-up rate \\(changes/s\\) +\\| 100,000 +\\| failed +\\| 100,000");
        assertThat(md).containsPattern("pg_recvlogical → /dev/null: rate \\(changes/s\\) +\\| 200,000 +\\| failed +\\| 200,000");
        assertThat(md).containsPattern("inflight stream: total +\\| 12\\.00 s +\\| failed +\\| 12\\.00 s");
        assertThat(md).doesNotContain("round 2, pg_recvlogical");
    }

    @Test
    void noSuccessfulRoundMeansNotMeasured() {
        String md = report(List.of(StreamRun.failed(1, "boom"))).markdown();
        assertThat(md).containsPattern("\\| catch-up rate, Inflight / native +\\| — +\\| — +\\| — +\\| ≥ 1\\.50 +\\| not measured");
        assertThat(md).containsPattern("\\| inflight stream: total +\\| failed +\\| — +\\|");
    }
}
