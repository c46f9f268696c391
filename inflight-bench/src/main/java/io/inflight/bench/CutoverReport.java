package io.inflight.bench;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The cutover benchmark's findings as a Markdown section: setup, each round's pauses (as Inflight reports them, and
 * as the clients saw them: each client's longest time between two commits, p50 over the clients and the max), and
 * the verdict against the 1 s target. A failed round is listed as failed, never as a number.
 */
record CutoverReport(String command, ZonedDateTime when, Machine machine, String loadBefore, String loadAfter,
                     int clients, int accounts, int steadySeconds, List<CutoverBenchmark.Round> rounds) {

    /** The longest write pause a client may see. */
    static final double TARGET_MS = 1000;

    CutoverReport {
        rounds = List.copyOf(rounds);
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("## cutover: PostgreSQL 13 → PostgreSQL 17 through PgBouncer, write pause under load\n\n");
        md.append("Produced by `").append(command).append("` on ")
                .append(when.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT))).append(".\n\n");
        md.append("- **Machine:** ").append(machine.summary()).append("; load average (1, 5, 15 min) at the start: ")
                .append(loadBefore).append(", at the end: ").append(loadAfter)
                .append(" — the machine was shared, so the numbers are noisy.\n");
        md.append("- **Setup per round:** a fresh database pair, PgBouncer 1.18 (transaction pooling) in front of the"
                + " source; `inflight clone`, `inflight stream`, " + steadySeconds + " s of load, `inflight cutover"
                + " --pgbouncer ... --skip-verify-check`, `inflight stream --reverse`, " + steadySeconds + " s, `inflight"
                + " rollback --pgbouncer ...`; each a separate process of the real CLI jar. Servers durable (fsync and"
                + " synchronous_commit on).\n");
        md.append(String.format(Locale.ROOT, "- **Load:** %d clients through PgBouncer, each committing back to back"
                + " one transaction that inserts an order and moves an account's balance (%,d accounts).%n", clients,
                accounts));
        md.append("- **Pause as the client sees it:** for each client, the longest time between two of its commits"
                + " during the command; p50 over the clients and the max. *Reported* is Inflight's own measure, from"
                + " the fence (PAUSE) to the RESUME.\n");
        md.append("- **Checked each round:** no client transaction failed; at the end (clients stopped, stream caught"
                + " up) both sides hold the same rows and exactly one order per committed transaction.\n\n");
        md.append("| round | cutover: reported | cutover: client p50 | cutover: client max | rollback: reported"
                + " | rollback: client p50 | rollback: client max | transactions | result |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (CutoverBenchmark.Round r : rounds) {
            md.append("| ").append(r.number()).append(" | ")
                    .append(cells(r.cutover())).append(" | ").append(cells(r.rollback())).append(" | ")
                    .append(String.format(Locale.ROOT, "%,d", r.commits())).append(" | ")
                    .append(r.ok() ? "ok" : "FAILED: " + r.error().replace("|", "/")).append(" |\n");
        }
        List<CutoverBenchmark.Round> ok = rounds.stream().filter(CutoverBenchmark.Round::ok).toList();
        md.append('\n');
        if (ok.isEmpty()) {
            md.append("No round succeeded.\n");
            return md.toString();
        }
        double cutMax = max(ok, r -> r.cutover());
        double rollMax = max(ok, r -> r.rollback());
        md.append(String.format(Locale.ROOT, "Over %d successful round%s: cutover, median of the clients' p50 %.0f ms,"
                        + " max %.0f ms; rollback, median of the clients' p50 %.0f ms, max %.0f ms. Target: at most %.0f"
                        + " ms max — %s.%n", ok.size(), ok.size() == 1 ? "" : "s", medianP50(ok, r -> r.cutover()),
                cutMax, medianP50(ok, r -> r.rollback()), rollMax, TARGET_MS,
                Math.max(cutMax, rollMax) <= TARGET_MS ? "met" : "NOT met"));
        return md.toString();
    }

    private static String cells(CutoverBenchmark.Switch s) {
        if (s == null) {
            return "– | – | –";
        }
        Percentiles p = Percentiles.of(s.clientGapsMs());
        return String.format(Locale.ROOT, "%d ms | %.0f ms | %.0f ms", s.reportedPauseMs(), p.p50(), p.max());
    }

    private static double max(List<CutoverBenchmark.Round> ok, Function<CutoverBenchmark.Round,
            CutoverBenchmark.Switch> which) {
        return ok.stream().mapToDouble(r -> Percentiles.of(which.apply(r).clientGapsMs()).max()).max().orElse(0);
    }

    private static double medianP50(List<CutoverBenchmark.Round> ok, Function<CutoverBenchmark.Round,
            CutoverBenchmark.Switch> which) {
        List<Double> p50s = new ArrayList<>();
        ok.forEach(r -> p50s.add(Percentiles.of(which.apply(r).clientGapsMs()).p50()));
        return Percentiles.of(p50s).p50();
    }
}
