package io.inflight.bench;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.DoubleFunction;
import java.util.function.DoublePredicate;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The stream benchmark's findings as a Markdown section: setup, every round, medians over the rounds that
 * succeeded, and the ratios against the targets. A failed round is listed as failed, never as a number.
 */
record StreamReport(String command, ZonedDateTime when, Machine machine, String loadAverage, int scale, int clients,
                    int seconds, Optional<Integer> rate, long backlogTarget, int runs, List<StreamRun> results) {

    /** Inflight's apply and catch-up rate must reach this multiple of the native subscription's. */
    static final double RATE_TARGET = 1.5;
    /** Inflight's lag p99 under steady load must stay within this many seconds. */
    static final double LAG_TARGET_SECONDS = 1.0;

    StreamReport {
        results = List.copyOf(results);
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("## stream: PostgreSQL 13 → PostgreSQL 17, inflight stream vs. native logical replication\n\n");
        md.append("Produced by `").append(command).append("` on ")
                .append(when.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT))).append(". ")
                .append(runs).append(runs == 1 ? " round" : " rounds")
                .append("; medians are over the rounds that succeeded (").append(ok().size()).append(" of ")
                .append(results.size()).append(" run).\n\n");
        md.append("- **Machine:** ").append(machine.summary()).append("; load average (1, 5, 15 min) when the benchmark "
                + "started: ").append(loadAverage).append(" — the machine was shared, so absolute numbers are noisy; "
                + "both appliers ran on it under the same conditions.\n");
        md.append("- **Servers:** one source, one target, both started by the harness (test kit) and shared by both appliers: "
                + "fsync, synchronous_commit and full_page_writes on, wal_level=logical, shared_buffers=128MB, "
                + "max_wal_size=2GB. The target holds two databases: one cloned (`inflight clone --jobs 2`) and streamed by "
                + "`inflight stream`, one filled and kept by `CREATE SUBSCRIPTION ... WITH (copy_data = true)` (all other "
                + "subscription options at their defaults, so its apply worker commits with synchronous_commit=off; "
                + "Inflight commits with synchronous_commit=on).\n");
        md.append(String.format(Locale.ROOT, "- **Load:** pgbench 15, built-in TPC-B-like script (4 row changes per "
                        + "transaction), scale %d (%,d accounts), %d clients%s; `pgbench_history` has REPLICA IDENTITY FULL "
                        + "(it has no key).%n%n", scale, scale * 100_000L, clients,
                rate.map(r -> ", throttled to " + r + " transactions/s").orElse(", unthrottled")));
        md.append("### Steady load: ").append(seconds).append(" s of pgbench while both apply\n\n")
                .append(steadyTable().render()).append('\n');
        md.append("### Backlog catch-up: both stopped, about ").append(count(backlogTarget))
                .append(" changes piled up, then each catches up alone\n\n").append(catchUpTable().render()).append('\n');
        md.append("Where the time went while catching up, once connected (`pg_stat_activity` of the sessions in the "
                + "applier's target database and of its walsender, sampled every 100 ms; state/wait event, \"cpu\" = no wait "
                + "event):\n\n");
        for (StreamRun r : ok()) {
            for (Appliers a : r.catchUpOrder()) {
                md.append("- round ").append(r.number()).append(", ").append(a.label).append(": ")
                        .append(r.catchUps().get(a).serverView()).append('\n');
            }
            md.append("- round ").append(r.number()).append(", ").append(RecvLogicalReader.LABEL).append(": ")
                    .append(r.recvLogical().serverView()).append('\n');
        }
        md.append('\n');
        md.append("CPU seconds used while catching up (from /proc: each cluster's processes, of them the reader's walsender, "
                + "and the reader's own process; cores busy = total / time caught up in):\n\n").append(cpuTable().render())
                .append('\n');
        md.append("### Against the targets\n\n").append(targetsTable().render()).append('\n');
        List<String> failures = results.stream().filter(r -> !r.ok())
                .map(r -> "round " + r.number() + ": " + r.failure().orElseThrow().replace('\n', ' ').replace("|", "\\|")).toList();
        if (!failures.isEmpty()) {
            md.append("### Failed rounds\n\n");
            failures.forEach(f -> md.append("- ").append(f).append('\n'));
            md.append('\n');
        }
        md.append(method());
        return md.toString();
    }

    private MarkdownTable steadyTable() {
        MarkdownTable t = new MarkdownTable(header("Measure"));
        row(t, "source load (changes/s committed)", StreamReport::count, StreamRun::loadRate);
        for (Appliers a : Appliers.values()) {
            row(t, a.label + ": apply rate (changes/s)", StreamReport::count, r -> r.applyRate(a));
        }
        for (Appliers a : Appliers.values()) {
            percentiles(t, a.label + ": lag applied on the target, p50 / p99 / max", StreamReport::secs,
                    r -> r.lag().get(a).appliedSeconds());
        }
        for (Appliers a : Appliers.values()) {
            percentiles(t, a.label + ": lag confirmed to the source slot, p50 / p99 / max", StreamReport::secs,
                    r -> r.lag().get(a).confirmedSeconds());
        }
        for (Appliers a : Appliers.values()) {
            percentiles(t, a.label + ": slot lag in bytes, p50 / p99 / max", StreamReport::kib,
                    r -> r.lag().get(a).confirmedBytes());
        }
        return t;
    }

    private void percentiles(MarkdownTable t, String label, DoubleFunction<String> format, Function<StreamRun, Percentiles> p) {
        row(t, label, format, r -> p.apply(r).p50(), r -> p.apply(r).p99(), r -> p.apply(r).max());
    }

    private MarkdownTable catchUpTable() {
        MarkdownTable t = new MarkdownTable(header("Measure"));
        row(t, "backlog (row changes)", StreamReport::count, r -> r.backlogChanges());
        for (Appliers a : Appliers.values()) {
            row(t, a.label + ": caught up (applied on the target)", StreamReport::secs1, r -> sec(r.catchUps().get(a).applied()));
            row(t, a.label + ": catch-up rate (changes/s)", StreamReport::count, r -> r.catchUpRate(a));
            row(t, a.label + ": of which starting until its slot is active", StreamReport::secs1,
                    r -> sec(r.catchUps().get(a).connected()));
            row(t, a.label + ": catch-up rate once connected (changes/s)", StreamReport::count, r -> r.connectedCatchUpRate(a));
            row(t, a.label + ": slot confirmed the backlog's end", StreamReport::secs1, r -> sec(r.catchUps().get(a).confirmed()));
        }
        row(t, RecvLogicalReader.LABEL + " (a reader that waits on the socket): received the backlog", StreamReport::secs1,
                r -> sec(r.recvLogical().done()));
        row(t, RecvLogicalReader.LABEL + ": rate (changes/s)", StreamReport::count, StreamRun::recvLogicalRate);
        row(t, RecvLogicalReader.LABEL + ": of which starting until its slot is active", StreamReport::secs1,
                r -> sec(r.recvLogical().connected()));
        List<String> order = new ArrayList<>(List.of("first to catch up"));
        results.forEach(r -> order.add(r.ok() ? r.catchUpOrder().get(0).label : "failed"));
        order.add("(alternating)");
        t.row(order);
        return t;
    }

    /** A reader of the backlog as the CPU table shows it; {@code processLabel} empty when it has no process of its own. */
    private record Reader(String label, Function<StreamRun, CpuSeconds> cpu, Function<StreamRun, Duration> elapsed,
                          String targetLabel, Optional<String> processLabel) {
    }

    private MarkdownTable cpuTable() {
        List<Reader> readers = List.of(
                new Reader(Appliers.INFLIGHT.label, r -> r.catchUps().get(Appliers.INFLIGHT).cpu(),
                        r -> r.catchUps().get(Appliers.INFLIGHT).applied(), "target cluster", Optional.of("its JVM")),
                new Reader(Appliers.NATIVE.label, r -> r.catchUps().get(Appliers.NATIVE).cpu(),
                        r -> r.catchUps().get(Appliers.NATIVE).applied(), "target cluster (its apply worker included)",
                        Optional.empty()),
                new Reader(RecvLogicalReader.LABEL, r -> r.recvLogical().cpu(), r -> r.recvLogical().done(),
                        "target cluster (idle: not its target)", Optional.of("its process")));
        MarkdownTable t = new MarkdownTable(header("Measure"));
        for (Reader x : readers) {
            joinedRow(t, x.label() + ": source cluster (of which walsender)", v -> v.get(0) + " (" + v.get(1) + ")", StreamReport::secs,
                    r -> x.cpu().apply(r).sourceCluster(), r -> x.cpu().apply(r).walsender());
            row(t, x.label() + ": " + x.targetLabel(), StreamReport::secs, r -> x.cpu().apply(r).targetCluster());
            x.processLabel().ifPresent(l -> row(t, x.label() + ": " + l, StreamReport::secs, r -> x.cpu().apply(r).process()));
            row(t, x.label() + ": total", StreamReport::secs, r -> x.cpu().apply(r).total());
            row(t, x.label() + ": cores busy (total / time caught up in)", StreamReport::ratio,
                    r -> x.cpu().apply(r).total() / sec(x.elapsed().apply(r)));
        }
        return t;
    }

    private MarkdownTable targetsTable() {
        MarkdownTable t = new MarkdownTable(List.of("Measure", "Inflight (median)", "native (median)", "Value", "Target", "Met"));
        OptionalDouble ia = median(r -> r.applyRate(Appliers.INFLIGHT));
        OptionalDouble na = median(r -> r.applyRate(Appliers.NATIVE));
        OptionalDouble load = median(StreamRun::loadRate);
        OptionalDouble applyRatio = ratio(ia, na);
        t.row(List.of("steady apply rate, Inflight / native", fmt(ia, StreamReport::count), fmt(na, StreamReport::count),
                fmt(applyRatio, StreamReport::ratio), "≥ " + ratio(RATE_TARGET),
                met(applyRatio, v -> v >= RATE_TARGET) + (load.isPresent() && ia.isPresent() && na.isPresent()
                        && Math.min(ia.getAsDouble(), na.getAsDouble()) >= 0.97 * load.getAsDouble()
                        ? " (both kept up with the load: this ratio cannot exceed 1, see the catch-up)" : "")));
        OptionalDouble ic = median(r -> r.catchUpRate(Appliers.INFLIGHT));
        OptionalDouble nc = median(r -> r.catchUpRate(Appliers.NATIVE));
        OptionalDouble catchRatio = ratio(ic, nc);
        t.row(List.of("catch-up rate, Inflight / native", fmt(ic, StreamReport::count), fmt(nc, StreamReport::count),
                fmt(catchRatio, StreamReport::ratio), "≥ " + ratio(RATE_TARGET), met(catchRatio, v -> v >= RATE_TARGET)));
        OptionalDouble icc = median(r -> r.connectedCatchUpRate(Appliers.INFLIGHT));
        OptionalDouble ncc = median(r -> r.connectedCatchUpRate(Appliers.NATIVE));
        OptionalDouble connectedRatio = ratio(icc, ncc);
        t.row(List.of("catch-up rate once connected (start-up left out), Inflight / native", fmt(icc, StreamReport::count),
                fmt(ncc, StreamReport::count), fmt(connectedRatio, StreamReport::ratio), "(for insight)", "—"));
        OptionalDouble il = median(r -> r.lag().get(Appliers.INFLIGHT).appliedSeconds().p99());
        OptionalDouble nl = median(r -> r.lag().get(Appliers.NATIVE).appliedSeconds().p99());
        t.row(List.of("lag p99 at steady load, applied on the target", fmt(il, StreamReport::secs), fmt(nl, StreamReport::secs),
                fmt(il, StreamReport::secs), "≤ " + secs(LAG_TARGET_SECONDS), met(il, v -> v <= LAG_TARGET_SECONDS)));
        OptionalDouble ilc = median(r -> r.lag().get(Appliers.INFLIGHT).confirmedSeconds().p99());
        OptionalDouble nlc = median(r -> r.lag().get(Appliers.NATIVE).confirmedSeconds().p99());
        t.row(List.of("lag p99 at steady load, confirmed to the source slot", fmt(ilc, StreamReport::secs),
                fmt(nlc, StreamReport::secs), fmt(ilc, StreamReport::secs), "≤ " + secs(LAG_TARGET_SECONDS),
                met(ilc, v -> v <= LAG_TARGET_SECONDS)));
        return t;
    }

    private String method() {
        return """
                ### How it was measured

                - **Setup (once):** `pgbench -i` on the source; `inflight clone` (the CLI's jar in its own JVM, as the `./inflight` launcher starts it: `java @inflight-cli/jvm.options -Xmx256m -jar ...`, with its class-data archive for the \
                command, `inflight-cli/target/cds/<command>.jsa`, mapped once the command's first run recorded it; every \
                `inflight` process below likewise) into \
                one target database; `pgbench -i -I dtp` (tables and keys, no rows) and a subscription with copy_data into \
                the other, waited for until every table is ready (`srsubstate = 'r'`). Then `inflight stream` starts as a \
                process and keeps running, like the subscription, except while the backlog piles up.
                - **Change counts are exact:** every transaction of pgbench's script inserts exactly one `pgbench_history` \
                row and changes 4 rows in all, so row changes = 4 × the growth of `pgbench_history`, counted on the \
                source (load, backlog) and on each target (apply rate). Apply rate = changes committed on the target \
                between pgbench's start and its exit / that time. (Counting `n_tup_ins/upd/del` instead would not be \
                exact: statistics are flushed lazily, and Inflight writes a key's net change once per batch.)
                - **Lag** is sampled every %d ms during the load, from the harness's own connections: the source's \
                `pg_current_wal_insert_lsn()` and each slot's `confirmed_flush_lsn` in one query, then each target's \
                applied position (Inflight: `inflight.stream_position.applied_lsn`; native: the subscription's \
                replication origin, `pg_replication_origin_status.remote_lsn`) — both the end LSN of the last source \
                transaction committed on the target. Bytes = insert position − applier position. Seconds: the harness \
                keeps a timeline of (time, insert position) and finds, by linear interpolation between the two samples \
                around it, when the source's insert position passed the applier's position; lag = now − that time (0 \
                when the applier is at the head). "Applied" is the lag of the target's data; "confirmed to the source \
                slot" adds the time until the applier reports the position back (Inflight: a status update from its slot \
                reader every 250 ms; the native worker reports after each batch it reads, once its WAL is flushed).
                - **Backlog:** `inflight stream` gets SIGTERM (it commits what it applied and exits) and the subscription \
                is disabled (`ALTER SUBSCRIPTION ... DISABLE`); once neither slot is active, pgbench runs a fixed number \
                of transactions (with `PGOPTIONS='-c synchronous_commit=off'`, which only makes the source write the \
                same WAL faster), then one marker transaction updates `pgbench_branches` row 1. Each applier is then \
                started alone (Inflight: a new `inflight stream` process, JVM start included; native: `ALTER SUBSCRIPTION \
                ... ENABLE`) after a CHECKPOINT on both servers, and timed until the marker is visible on its target \
                (polled every %d ms): both apply whole source transactions in commit order, so the marker being there \
                means the whole backlog is. "Starting until its slot is active" is until `pg_replication_slots.active` turns \
                true (Inflight: JVM start, connections, reading its state; native: the launcher starting the worker); \
                the rate "once connected" leaves that out. "Slot confirmed" is until the slot's `confirmed_flush_lsn` passed the \
                source's insert position taken after the marker. The order alternates between rounds.
                - **pg_recvlogical → /dev/null:** a third slot (`%s`, plugin pgoutput) is created on the source once \
                both appliers have stopped, before the backlog piles up, so it starts where theirs do. After both \
                catch-ups and a CHECKPOINT on both servers, `pg_recvlogical` 15 reads it: `--start --endpos=<the \
                source's insert position taken after the marker> -o proto_version=1 -o publication_names="%s"` (the \
                protocol version and publication `inflight stream` reads), `-f -` with standard output discarded and `-F \
                0` (it never fsyncs); timed from starting the process until it exits, having received the backlog's end. \
                The source's walsender decodes the same WAL into the same messages as for Inflight, for a reader that \
                does nothing with them. It is not a lower bound for the appliers: the reader sleeps on its socket \
                between messages, so each send wakes it, and the walsender's CPU per change depends on its reader (see \
                its walsender row in the CPU table against the appliers'). It shows what the walsender costs for such a \
                reader, not how fast any applier could be. It runs last in each round, its WAL as warm in the page cache \
                as for the second applier; its slot is dropped at the end of each round.
                - **CPU while catching up:** read from Linux's `/proc/<pid>/stat` (utime + stime, counted in clock ticks \
                of 1/%d s, every thread included): exact, not sampled. A cluster's CPU is its postmaster's process tree: \
                the postmaster's own times and those of the children it reaped (cutime + cstime: every child that ended, \
                such as a walsender or a short connection) plus the times of each living child; read right before the \
                reader starts and again when it has caught up (the marker seen on its target, the same end as its time; \
                pg_recvlogical: its exit), the difference is what the cluster used. The harness's own two polling \
                sessions are left out (it runs with the quick JIT compiler and the serial collector, and reads the \
                server view only every 100 ms, so as to take little of the two cores from what it measures); everything else counts (checkpointer, WAL writer, autovacuum), so \
                pg_recvlogical's target-cluster row is that background alone. The walsender is the slot's `active_pid`, \
                read every %d ms and at the end (if it exited first, its last reading stands). Own process: the \
                `inflight stream` JVM's times; pg_recvlogical's, from the harness's reaped-children times across its \
                run; the native subscription has none (its apply worker is a process of the target cluster). During \
                pg_recvlogical's run both appliers stay connected, idle. Cores busy = total / time caught up in, of the \
                machine's %d.
                - **Correctness:** after the initial copy and after each phase, the harness waits for a marker on both \
                targets and compares every pgbench table on the source and both targets (row count and an md5 over the \
                sorted md5s of all rows); any difference fails the round.
                """.formatted(LagSampler.INTERVAL.toMillis(), 20, RecvLogicalReader.SLOT, InflightStream.PUBLICATION,
                ProcCpu.TICKS_PER_SECOND, 20, machine.cores());
    }

    private List<String> header(String first) {
        List<String> h = new ArrayList<>(List.of(first));
        results.forEach(r -> h.add("Run " + r.number()));
        h.add("Median");
        return h;
    }

    /** One row: per round, and as the median over rounds, each value formatted, several joined with " / ". */
    @SafeVarargs
    private void row(MarkdownTable t, String label, DoubleFunction<String> format, ToDoubleFunction<StreamRun>... values) {
        joinedRow(t, label, v -> String.join(" / ", v), format, values);
    }

    /** One row whose cells join several formatted values with {@code join}. */
    @SafeVarargs
    private void joinedRow(MarkdownTable t, String label, Function<List<String>, String> join, DoubleFunction<String> format,
                           ToDoubleFunction<StreamRun>... values) {
        List<String> cells = new ArrayList<>(List.of(label));
        for (StreamRun r : results) {
            cells.add(r.ok() ? join.apply(Arrays.stream(values).map(v -> format.apply(v.applyAsDouble(r))).toList()) : "failed");
        }
        cells.add(join.apply(Arrays.stream(values).map(v -> fmt(median(v), format)).toList()));
        t.row(cells);
    }

    private List<StreamRun> ok() {
        return results.stream().filter(StreamRun::ok).toList();
    }

    private OptionalDouble median(ToDoubleFunction<StreamRun> value) {
        return Stats.median(ok().stream().mapToDouble(value).toArray());
    }

    private static OptionalDouble ratio(OptionalDouble a, OptionalDouble b) {
        return a.isPresent() && b.isPresent() && b.getAsDouble() > 0 ? OptionalDouble.of(a.getAsDouble() / b.getAsDouble())
                : OptionalDouble.empty();
    }

    private static String met(OptionalDouble v, DoublePredicate ok) {
        return v.isEmpty() ? "not measured" : ok.test(v.getAsDouble()) ? "yes" : "no";
    }

    private static String fmt(OptionalDouble v, DoubleFunction<String> format) {
        return v.isEmpty() ? "—" : format.apply(v.getAsDouble());
    }

    private static double sec(Duration d) {
        return d.toNanos() / 1e9;
    }

    static String seconds(Duration d) {
        return secs1(sec(d));
    }

    static String secs(double s) {
        return String.format(Locale.ROOT, "%.2f s", s);
    }

    static String secs1(double s) {
        return String.format(Locale.ROOT, "%.1f s", s);
    }

    private static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2f", r);
    }

    private static String count(double n) {
        return String.format(Locale.ROOT, "%,.0f", n);
    }

    private static String kib(double bytes) {
        return String.format(Locale.ROOT, "%,.0f kB", bytes / 1024);
    }
}
