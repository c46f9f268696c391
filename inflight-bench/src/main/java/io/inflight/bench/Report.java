package io.inflight.bench;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.DoubleFunction;

/**
 * The clone benchmark's findings as a Markdown section: setup, every run, medians, and the ratios
 * against their targets. Medians are over the runs that succeeded; a failed run is shown as failed,
 * never as a time.
 */
record Report(String command, ZonedDateTime when, Machine machine, Dataset dataset, Duration generation, int runs,
        List<Tool> tools, List<Run> results) {

    /** One run of one tool. */
    record Run(Tool tool, int number, Measurement measurement) {
    }

    /** inflight clone may take at most this share of pg_dump + pg_restore's time. */
    static final double CLONE_TARGET = 0.40;
    /** Inflight's copy phase must reach this share of the psql pipe's throughput. */
    static final double COPY_TARGET = 0.90;
    /** inflight verify may take at most this share of the copy phase of the clone it checks. */
    static final double VERIFY_TARGET = 0.50;
    static final String SECTION = "clone";

    Report {
        tools = List.copyOf(tools);
        results = List.copyOf(results);
    }

    boolean allSucceeded() {
        return results.stream().allMatch(r -> r.measurement().ok());
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("## clone: PostgreSQL 13 → PostgreSQL 17\n\n");
        md.append("Produced by `").append(command).append("` on ")
                .append(when.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT)))
                .append(". ").append(runs).append(runs == 1 ? " run" : " runs")
                .append(" of each tool, interleaved (each round runs ");
        md.append(String.join(", ", tools.stream().map(Tool::key).toList()))
                .append(" in this order); medians are over the runs that succeeded.\n\n");
        md.append("- **Machine:** ").append(machine.summary()).append(".\n");
        md.append("- **Servers:** both started by the harness (test kit), fsync, synchronous_commit and "
                + "full_page_writes on, wal_level=logical, shared_buffers=128MB, max_wal_size=2GB; "
                + "the same for every tool. Each run writes into a new, empty target database.\n");
        md.append("- **Dataset:** ").append(datasetSummary()).append(".\n\n");
        md.append("### Times\n\n").append(timesTable().render()).append('\n');
        md.append("### CPU seconds per run\n\n")
                .append("What each run cost in CPU over its timed part (see \"How CPU was measured\" below), split by "
                        + "where it ran; cores busy = total / wall time, of the machine's ").append(machine.cores())
                .append(".\n\n").append(cpuTable().render()).append('\n');
        md.append("### Against the targets\n\n").append(targetsTable().render()).append('\n');
        List<String> failures = failures();
        if (!failures.isEmpty()) {
            md.append("### Failed runs\n\n");
            failures.forEach(f -> md.append("- ").append(f).append('\n'));
            md.append('\n');
        }
        md.append("### How each tool ran\n\n");
        tools.forEach(t -> md.append("- **").append(t.label()).append("**: ").append(t.description()).append('\n'));
        md.append("- After every run the harness counts the rows of each table on the target, and for the tools "
                + "that clone the schema checks every index, constraint and sequence position; any difference "
                + "from the source fails the run.\n");
        md.append("\n### How CPU was measured\n\n").append(cpuMethod());
        return md.toString();
    }

    private String datasetSummary() {
        List<String> parts = new ArrayList<>();
        long smallTables = 0;
        long smallRows = 0;
        for (Dataset.Table t : dataset.tables()) {
            if (t.rows() > Dataset.SMALL_ROWS) {
                parts.add(t.id().name() + " " + count(t.rows()));
            } else {
                smallTables++;
                smallRows += t.rows();
            }
        }
        if (smallTables > 0) {
            parts.add(smallTables + " small tables " + count(smallRows));
        }
        return String.format(Locale.ROOT, "%s rows in %d tables, %s on disk (pg_database_size, indexes included), "
                        + "generated in %s: %s", count(dataset.totalRows()), dataset.tables().size(),
                megabytes(dataset.sizeBytes()), seconds(generation), String.join(", ", parts));
    }

    private MarkdownTable timesTable() {
        List<String> header = new ArrayList<>(List.of("Tool"));
        for (int i = 1; i <= runs; i++) {
            header.add("Run " + i);
        }
        header.addAll(List.of("Median", "Rows/s (median)"));
        MarkdownTable table = new MarkdownTable(header);
        for (Tool tool : tools) {
            List<Run> mine = runsOf(tool.key());
            Optional<Duration> median = medianWall(tool.key());
            List<String> row = new ArrayList<>(List.of(tool.label()));
            mine.forEach(r -> row.add(r.measurement().ok() ? seconds(r.measurement().wall()) : "failed"));
            row.add(median.map(Report::seconds).orElse("—"));
            row.add(median.map(m -> count(Math.round(dataset.totalRows() / (m.toNanos() / 1e9)))).orElse("—"));
            table.row(row);
            Set<String> phases = new LinkedHashSet<>();
            mine.stream().filter(r -> r.measurement().ok()).forEach(r -> phases.addAll(r.measurement().phases().keySet()));
            if (phases.size() > 1) {
                for (String phase : phases) {
                    List<String> sub = new ArrayList<>(List.of("  ↳ " + phase));
                    mine.forEach(r -> sub.add(r.measurement().phase(phase).map(Report::seconds).orElse("—")));
                    sub.add(medianPhase(tool.key(), phase).map(Report::seconds).orElse("—"));
                    sub.add("");
                    table.row(sub);
                }
            }
            if (mine.stream().anyMatch(r -> r.measurement().peakHeapBytes().isPresent())) {
                List<String> sub = new ArrayList<>(List.of("  ↳ peak heap (GC log; max of runs in Median)"));
                mine.forEach(r -> sub.add(heap(r.measurement().peakHeapBytes())));
                sub.add(heap(peakHeap()));
                sub.add("");
                table.row(sub);
            }
        }
        return table;
    }

    private MarkdownTable cpuTable() {
        List<String> header = new ArrayList<>(List.of("Tool"));
        for (int i = 1; i <= runs; i++) {
            header.add("Run " + i);
        }
        header.add("Median");
        MarkdownTable table = new MarkdownTable(header);
        for (Tool tool : tools) {
            List<Run> mine = runsOf(tool.key());
            cpuRow(table, tool.label() + ": total", mine, (c, wall) -> c.total(), Report::cpuSeconds);
            cpuRow(table, "  ↳ source cluster (PostgreSQL " + machine.sourceVersion() + ")", mine,
                    (c, wall) -> c.sourceCluster(), Report::cpuSeconds);
            cpuRow(table, "  ↳ target cluster (PostgreSQL " + machine.targetVersion() + ")", mine,
                    (c, wall) -> c.targetCluster(), Report::cpuSeconds);
            cpuRow(table, "  ↳ client processes (" + tool.clientProcesses() + ")", mine, (c, wall) -> c.process(),
                    Report::cpuSeconds);
            cpuRow(table, "  ↳ cores busy on average (total / wall time)", mine,
                    (c, wall) -> c.total() / (wall.toNanos() / 1e9), v -> String.format(Locale.ROOT, "%.2f", v));
        }
        return table;
    }

    /** One value of the runs' CPU, per run and as the median over the runs that succeeded and have it. */
    private static void cpuRow(MarkdownTable table, String label, List<Run> mine, CpuValue value, DoubleFunction<String> format) {
        List<String> row = new ArrayList<>(List.of(label));
        List<Double> values = new ArrayList<>();
        for (Run r : mine) {
            Measurement m = r.measurement();
            if (!m.ok()) {
                row.add("failed");
            } else if (m.cpu().isEmpty() || m.wall().isZero()) {
                row.add("—");
            } else {
                double v = value.of(m.cpu().get(), m.wall());
                values.add(v);
                row.add(format.apply(v));
            }
        }
        OptionalDouble median = Stats.median(values.stream().mapToDouble(Double::doubleValue).toArray());
        row.add(median.isPresent() ? format.apply(median.getAsDouble()) : "—");
        table.row(row);
    }

    /** A figure derived from one run's CPU and wall time. */
    @FunctionalInterface
    private interface CpuValue {
        double of(CpuSeconds cpu, Duration wall);
    }

    private String cpuMethod() {
        return String.format(Locale.ROOT, """
                - **Source:** Linux's `/proc/<pid>/stat` (utime + stime, in clock ticks of 1/%d s, every thread \
                included): exact, not sampled, read by the harness, which runs on the servers' host.
                - **Window:** read right before each tool's timed part starts and right after it ends, so it covers the \
                tool's wall time: pg_dump and pg_restore together; the psql pipe's copy only (its tables are made \
                before); inflight clone until its JVM exited, before `inflight verify` starts (verify is not counted).
                - **A cluster** (source or target) is its postmaster's process tree: the postmaster's own times and \
                those of the children it reaped (cutime + cstime: every backend or worker that ended in the window, \
                such as a COPY session or a parallel index build's worker) plus the times of each living child; the \
                difference between the two readings is what the cluster used, its background processes included \
                (checkpointer, WAL writer, autovacuum).
                - **Client processes** are the harness's children (pg_dump and pg_restore with their forked `-j` \
                workers, the psql processes, inflight's JVM with all its threads, JIT compiler and GC included). All \
                have exited and been reaped by the window's end, so their whole CPU is the growth of the harness's own \
                reaped-children times (cutime + cstime of `/proc/self/stat`) across the run; no other child of the \
                harness runs meanwhile. The harness's own threads, which only wait for them, are not counted.
                - **Cores busy** = total CPU seconds / wall time: %d means the machine's %d cores were busy throughout.
                """, ProcCpu.TICKS_PER_SECOND, machine.cores(), machine.cores());
    }

    private MarkdownTable targetsTable() {
        MarkdownTable table = new MarkdownTable(List.of("Measure", "Value", "Target", "Met"));
        OptionalDouble clone = Stats.ratio(medianWall(InflightClone.KEY), medianWall(PgDumpRestore.KEY));
        table.row(List.of("inflight clone time / (pg_dump + pg_restore) time", ratio(clone),
                String.format(Locale.ROOT, "≤ %.2f", CLONE_TARGET), met(clone, r -> r <= CLONE_TARGET)));
        OptionalDouble copy = Stats.ratio(medianWall(PsqlCopyPipe.KEY), medianPhase(InflightClone.KEY, Measurement.COPY));
        table.row(List.of("inflight copy-phase throughput / psql pipe throughput (= psql time / copy-phase time)",
                ratio(copy), String.format(Locale.ROOT, "≥ %.2f", COPY_TARGET), met(copy, r -> r >= COPY_TARGET)));
        OptionalDouble verify = Stats.ratio(medianPhase(InflightClone.KEY, Measurement.VERIFY),
                medianPhase(InflightClone.KEY, Measurement.COPY));
        table.row(List.of("inflight verify time / copy-phase time of the clone it checks (same runs)", ratio(verify),
                String.format(Locale.ROOT, "≤ %.2f", VERIFY_TARGET), met(verify, r -> r <= VERIFY_TARGET)));
        OptionalDouble verifyWhole = Stats.ratio(medianPhase(InflightClone.KEY, Measurement.VERIFY),
                medianWall(InflightClone.KEY));
        table.row(List.of("inflight verify time / whole inflight clone time", ratio(verifyWhole), "—", "—"));
        List<Run> inflight = runsOf(InflightClone.KEY);
        long completed = inflight.stream().filter(r -> r.measurement().ok()).count();
        String heapValue = completed == 0 ? "not measured"
                : heap(peakHeap()) + ", " + completed + " of " + inflight.size() + " runs completed";
        table.row(List.of("inflight peak heap, max over runs", heapValue, "completes under -Xmx" + InflightClone.MAX_HEAP,
                completed == 0 ? "not measured" : completed == inflight.size() ? "yes" : "no"));
        return table;
    }

    private List<String> failures() {
        List<String> out = new ArrayList<>();
        for (Run r : results) {
            r.measurement().failure().ifPresent(f -> out.add(r.tool().label() + ", run " + r.number() + ": "
                    + f.replace('\n', ' ').replace("|", "\\|")));
        }
        return out;
    }

    private List<Run> runsOf(String key) {
        return results.stream().filter(r -> r.tool().key().equals(key)).toList();
    }

    private Optional<Duration> medianWall(String key) {
        return Stats.median(runsOf(key).stream().filter(r -> r.measurement().ok()).map(r -> r.measurement().wall()).toList());
    }

    private Optional<Duration> medianPhase(String key, String phase) {
        return Stats.median(runsOf(key).stream().filter(r -> r.measurement().ok())
                .flatMap(r -> r.measurement().phase(phase).stream()).toList());
    }

    private OptionalLong peakHeap() {
        return runsOf(InflightClone.KEY).stream().filter(r -> r.measurement().ok())
                .flatMapToLong(r -> r.measurement().peakHeapBytes().stream()).max();
    }

    private static String met(OptionalDouble value, java.util.function.DoublePredicate target) {
        return value.isEmpty() ? "not measured" : target.test(value.getAsDouble()) ? "yes" : "no";
    }

    private static String ratio(OptionalDouble r) {
        return r.isEmpty() ? "n/a (a tool failed in every run)" : String.format(Locale.ROOT, "%.2f", r.getAsDouble());
    }

    private static String cpuSeconds(double s) {
        return String.format(Locale.ROOT, "%.2f s", s);
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%,d MB", bytes >> 20);
    }

    private static String heap(OptionalLong bytes) {
        return bytes.isEmpty() ? "—" : megabytes(bytes.getAsLong());
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
