package io.inflight.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.TableId;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReportTest {

    private static final Machine MACHINE = new Machine(2, 1L << 34, "CPU", "Linux", "Java 17", "13.18", "17.2", "pg_dump 15");
    private static final Dataset DATASET = new Dataset("benchdb", List.of(new Dataset.Table(TableId.of("public", "ledger"), 1_000_000,
            200L << 20)), 300L << 20, Set.of());

    /** A tool as the report sees it: its names only; the report never runs it. */
    private record Named(String key, String label, String description, String clientProcesses, boolean dataOnly) implements Tool {
        @Override
        public Measurement run(String targetDatabase) {
            throw new UnsupportedOperationException("not run in a report test");
        }
    }

    private static final Tool PGDUMP = new Named(PgDumpRestore.KEY, "pg_dump -Fd -j2 + pg_restore -j2", "dump, then restore.",
            "pg_dump, pg_restore and their workers", false);
    private static final Tool PSQL = new Named(PsqlCopyPipe.KEY, "psql binary COPY pipe ×2 (data only)", "pipes.",
            "psql, two per table", true);
    private static final Tool INFLIGHT = new Named(InflightClone.KEY, "inflight clone --jobs 2", "the CLI.", "its JVM", false);

    private static Measurement ran(double wallSeconds, Map<String, Duration> phases, double source, double target, double client) {
        return Measurement.succeeded(secs(wallSeconds), phases).withCpu(new CpuSeconds(source, 0, target, client));
    }

    private static Duration secs(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }

    private static Report report(List<Report.Run> results) {
        int runs = results.stream().mapToInt(Report.Run::number).max().orElse(1);
        return new Report("./bench clone --scale 1.0 --runs " + runs + " --jobs 2",
                ZonedDateTime.of(2026, 1, 2, 3, 4, 0, 0, ZoneOffset.UTC), MACHINE, DATASET, Duration.ofSeconds(60), runs,
                List.of(PGDUMP, PSQL, INFLIGHT), results);
    }

    /** Three rounds in which every tool succeeds; CPU figures chosen so that totals and ratios are round. */
    private static List<Report.Run> threeGoodRounds() {
        List<Report.Run> results = new ArrayList<>();
        double[][] pgdump = {{40, 10, 30, 8}, {50, 12, 34, 10}, {45, 11, 40, 9}};
        double[][] psql = {{10, 4, 8, 3}, {12, 5, 9, 4}, {11, 6, 10, 6}};
        double[][] inflight = {{20, 3, 30, 5}, {25, 4, 36, 6}, {22, 2, 28, 4}};
        for (int i = 0; i < 3; i++) {
            double[] d = pgdump[i];
            results.add(new Report.Run(PGDUMP, i + 1, ran(d[0], Map.of("dump", secs(d[0] / 4), "restore", secs(d[0] * 3 / 4)),
                    d[1], d[2], d[3])));
            double[] p = psql[i];
            results.add(new Report.Run(PSQL, i + 1, ran(p[0], Map.of(Measurement.COPY, secs(p[0])), p[1], p[2], p[3])));
            double[] f = inflight[i];
            results.add(new Report.Run(INFLIGHT, i + 1, ran(f[0], Map.of(Measurement.COPY, secs(f[0] / 2)), f[1], f[2], f[3])));
        }
        return results;
    }

    @Test
    void cpuSecondsPerToolPerRunSplitByWhereTheyRanWithTheirMedian() {
        String md = report(threeGoodRounds()).markdown();
        assertThat(md).contains("### CPU seconds per run").contains("cores busy = total / wall time, of the machine's 2");
        // pg_dump + pg_restore: 10 + 30 + 8 = 48, 12 + 34 + 10 = 56, 11 + 40 + 9 = 60 over 40, 50, 45 s
        assertThat(md).containsPattern("\\| pg_dump -Fd -j2 \\+ pg_restore -j2: total +\\| 48\\.00 s +\\| 56\\.00 s +\\| 60\\.00 s"
                + " +\\| 56\\.00 s +\\|");
        assertThat(md).containsPattern("\\|   ↳ source cluster \\(PostgreSQL 13\\.18\\) +\\| 10\\.00 s +\\| 12\\.00 s +\\| 11\\.00 s"
                + " +\\| 11\\.00 s +\\|");
        assertThat(md).containsPattern("\\|   ↳ target cluster \\(PostgreSQL 17\\.2\\) +\\| 30\\.00 s +\\| 34\\.00 s +\\| 40\\.00 s"
                + " +\\| 34\\.00 s +\\|");
        assertThat(md).containsPattern("\\|   ↳ client processes \\(pg_dump, pg_restore and their workers\\) +\\| 8\\.00 s"
                + " +\\| 10\\.00 s +\\| 9\\.00 s +\\| 9\\.00 s +\\|");
        // 48/40, 56/50, 60/45: the median of the runs' ratios, not a ratio of medians
        assertThat(md).containsPattern("\\|   ↳ cores busy on average \\(total / wall time\\) +\\| 1\\.20 +\\| 1\\.12 +\\| 1\\.33"
                + " +\\| 1\\.20 +\\|");
        assertThat(md).containsPattern("\\| psql binary COPY pipe ×2 \\(data only\\): total +\\| 15\\.00 s +\\| 18\\.00 s");
        assertThat(md).containsPattern("\\|   ↳ client processes \\(psql, two per table\\) +\\| 3\\.00 s");
        // inflight: 38/20, 46/25, 34/22 -> 1.90, 1.84, 1.55
        assertThat(md).containsPattern("\\| inflight clone --jobs 2: total +\\| 38\\.00 s +\\| 46\\.00 s +\\| 34\\.00 s +\\| 38\\.00 s");
        assertThat(md).containsPattern("\\|   ↳ client processes \\(its JVM\\) +\\| 5\\.00 s +\\| 6\\.00 s +\\| 4\\.00 s +\\| 5\\.00 s");
        assertThat(md).containsPattern("\\|   ↳ cores busy on average \\(total / wall time\\) +\\| 1\\.90 +\\| 1\\.84 +\\| 1\\.55"
                + " +\\| 1\\.84 +\\|");
        // the table sits between the times and the targets
        assertThat(md.indexOf("### Times")).isLessThan(md.indexOf("### CPU seconds per run"));
        assertThat(md.indexOf("### CPU seconds per run")).isLessThan(md.indexOf("### Against the targets"));
    }

    @Test
    void aFailedRunIsFailedInTheCpuTableAndARunWithoutCpuIsBlankBothLeftOutOfTheMedian() {
        List<Report.Run> results = new ArrayList<>(threeGoodRounds());
        results.set(7, new Report.Run(PSQL, 3, Measurement.succeeded(secs(11), Map.of(Measurement.COPY, secs(11)))));
        results.set(8, new Report.Run(INFLIGHT, 3, Measurement.failed(secs(5), "inflight clone exit 1: boom")));
        String md = report(results).markdown();
        // psql: 15, 18 and no figure -> median 16.5
        assertThat(md).containsPattern("\\| psql binary COPY pipe ×2 \\(data only\\): total +\\| 15\\.00 s +\\| 18\\.00 s +\\| — +\\|"
                + " 16\\.50 s +\\|");
        // inflight: 38, 46 and a failure -> median 42; its cores busy 1.90, 1.84 -> 1.87
        assertThat(md).containsPattern("\\| inflight clone --jobs 2: total +\\| 38\\.00 s +\\| 46\\.00 s +\\| failed +\\| 42\\.00 s");
        assertThat(md).containsPattern("\\|   ↳ cores busy on average \\(total / wall time\\) +\\| 1\\.90 +\\| 1\\.84 +\\| failed"
                + " +\\| 1\\.87 +\\|");
        assertThat(md).contains("- inflight clone --jobs 2, run 3: inflight clone exit 1: boom");
    }

    @Test
    void aFailureAfterTheRunKeepsItsCpuOutOfTheTable() {
        Measurement wrong = ran(30, Map.of(), 1, 2, 3).failedAfterwards("the target differs from the source (1 difference): x");
        List<Report.Run> results = new ArrayList<>(threeGoodRounds().subList(0, 3));
        results.set(0, new Report.Run(PGDUMP, 1, wrong));
        String md = report(results).markdown();
        assertThat(md).containsPattern("\\| pg_dump -Fd -j2 \\+ pg_restore -j2: total +\\| failed +\\| — +\\|");
        assertThat(md).containsPattern("\\| inflight clone --jobs 2: total +\\| 38\\.00 s +\\| 38\\.00 s +\\|");
    }

    @Test
    void theMethodSaysWhatEachWindowCoversAndThatVerifyIsNotCounted() {
        String md = report(threeGoodRounds()).markdown();
        assertThat(md).contains("### How CPU was measured")
                .contains("`/proc/<pid>/stat` (utime + stime, in clock ticks of 1/" + ProcCpu.TICKS_PER_SECOND + " s")
                .contains("before `inflight verify` starts (verify is not counted)")
                .contains("cutime + cstime of `/proc/self/stat`")
                .contains("its postmaster's process tree")
                .contains("2 means the machine's 2 cores were busy throughout");
        assertThat(md.indexOf("### How each tool ran")).isLessThan(md.indexOf("### How CPU was measured"));
    }
}
