package io.inflight.faults;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The fault suite's section of RELIABILITY.md, in Markdown, from a run's results. */
final class Report {

    private Report() {
    }

    static String markdown(SuiteResult r, String command) {
        StringBuilder md = new StringBuilder();
        md.append("## Fault suite\n\n");
        md.append("`").append(command).append("` (seed ").append(r.settings().seed()).append("), ")
                .append(LocalDate.now(ZoneOffset.UTC)).append(", ").append(r.machine().summary()).append(".\n\n");
        md.append("Under a steady write load on the source (").append(r.settings().writers())
                .append(" writers of `ChangeWorkload`, ").append(r.sourceTransactions())
                .append(" transactions committed during the run), the real `inflight run` (clone, then stream) migrates"
                        + " PostgreSQL 13 to 17 through a TCP proxy to each database while faults strike. After each fault"
                        + " Inflight is restarted with the same command if it ended, the write load pauses, the stream"
                        + " catches up to the source's `pg_current_wal_insert_lsn()`, and every table is compared"
                        + " directly on both servers (row count and a digest of the sorted multiset of row texts: a"
                        + " duplicate counts as a difference, also in the keyless `ledger`), and the slot's"
                        + " `confirmed_flush_lsn` is checked to be at most what the target holds (also right after"
                        + " the fault). Each episode is a fresh target database and clone. The cutover round ends its"
                        + " episode: the write load moves onto a PgBouncer (transaction pooling) in front of the source,"
                        + " the real `inflight cutover --pgbouncer ...` is killed at a step the seed picks, rerun (it must"
                        + " finish), PgBouncer must route to the target, and no client transaction through it may fail;"
                        + " then `inflight stream --reverse` carries the writes back, and the old source is compared with"
                        + " the new primary the same way (the stream back's slot against the old source's stored"
                        + " position).\n\n");
        md.append("| | |\n|---|---|\n");
        md.append(row("Rounds (one fault each)", r.rounds().size()));
        md.append(row("Episodes (fresh clones)", r.episodes()));
        md.append(row("Rows compared, summed over rounds", String.format(Locale.ROOT, "%,d", r.rowsCompared())));
        md.append(row("Tables that differed", r.differences()));
        md.append(row("Slot ahead of target, catch-up, verify, cutover or client failures", r.problems()));
        md.append(row("Result", r.passed() ? "**passed**: 0 differences" : "**FAILED**"));
        md.append(row("Took", String.format(Locale.ROOT, "%.1f min", r.took().toSeconds() / 60.0)));
        md.append('\n');

        md.append("| Fault | Rounds | Phase when it struck | Inflight exits (137 = killed) |\n|---|---:|---|---|\n");
        Map<Fault, List<RoundResult>> byKind = new EnumMap<>(Fault.class);
        r.rounds().forEach(x -> byKind.computeIfAbsent(x.fault(), k -> new ArrayList<>()).add(x));
        for (Fault f : Fault.values()) {
            if (!r.settings().selects(f)) {
                continue;
            }
            List<RoundResult> rounds = byKind.getOrDefault(f, List.of());
            if (r.notRun().contains(f)) {
                md.append("| ").append(f.description).append(" | 0 | not run: ").append(notRunReason(f, r))
                        .append(" | |\n");
                continue;
            }
            md.append("| ").append(f.description).append(" | ").append(rounds.size()).append(" | ")
                    .append(counts(rounds.stream().map(RoundResult::phase).toList())).append(" | ")
                    .append(counts(rounds.stream().flatMap(x -> x.exits().stream()).map(String::valueOf).toList()))
                    .append(" |\n");
        }
        List<RoundResult> failed = r.rounds().stream().filter(x -> !x.passed()).toList();
        if (!failed.isEmpty()) {
            md.append("\nFailed rounds:\n\n");
            for (RoundResult x : failed) {
                md.append("- round ").append(x.round()).append(" (").append(x.fault()).append("): ")
                        .append(String.join("; ", x.differing())).append(' ')
                        .append(String.join("; ", x.problems()).replace('\n', ' ')).append('\n');
            }
        }
        md.append("\nThe short version runs in CI as `FaultSuiteIT` (every available kind once); the long one on demand"
                + " with `./faults --rounds N [--seed S] [--kinds K,...]`, which rewrites this section.\n");
        return md.toString();
    }

    private static String notRunReason(Fault f, SuiteResult r) {
        return f == Fault.KILL_IN_CUTOVER ? "PgBouncer is not installed here (Debian's package pgbouncer)"
                : !r.smallDisk() ? "no small filesystem could be mounted here (needs root)" : "not available";
    }

    /** "copy ×3, post-data ×1". */
    private static String counts(List<String> values) {
        if (values.isEmpty()) {
            return "";
        }
        return values.stream().collect(Collectors.groupingBy(v -> v, TreeMap::new, Collectors.counting())).entrySet()
                .stream().map(e -> e.getKey() + " ×" + e.getValue()).collect(Collectors.joining(", "));
    }

    private static String row(String name, Object value) {
        return "| " + name + " | " + value + " |\n";
    }
}
