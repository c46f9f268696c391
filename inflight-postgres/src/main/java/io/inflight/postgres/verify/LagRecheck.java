package io.inflight.postgres.verify;

import io.inflight.core.Lsn;
import io.inflight.core.TableId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live mode: tells replication lag from real differences, for the differences the merge of one table found.
 *
 * <p>Each round is one <em>observation</em> of the differing keys taken in an order that makes the two sides
 * comparable: the source is read first, noting its WAL insert position in the same snapshot; then verify waits
 * until the target has applied the source up to that position; then the target is read. Every change the source
 * read saw is then on the target too, so the two reads differ only if the target is wrong or the source changed
 * that key again in between. The first round takes the merge's own source read; each later round reads the
 * source again, and so also checks whether the source moved since the previous observation.
 *
 * <p>A difference is <em>persistent</em>, and reported, once {@link #CONFIRMATIONS} consecutive observations saw
 * it identically: the same source row, the same target row, and the two differ, so nothing that happened between
 * the observations (an update, a delete, a TRUNCATE and refill) can explain it. A difference whose sides agree in
 * any observation is lag, and so is one still changing after {@link #MAX_ROUNDS} observations (a row rewritten
 * faster than the target catches up): both are counted as resolved by lag. When the target does not reach a
 * position within the live timeout, the differences not yet judged are reported as they stand, with a warning.
 *
 * <p>One instance per table; runs on the calling thread.
 */
final class LagRecheck {

    private static final Logger log = LoggerFactory.getLogger(LagRecheck.class);

    /** Observations at most. */
    static final int MAX_ROUNDS = 5;
    /** Identical consecutive observations that make a difference persistent. */
    static final int CONFIRMATIONS = 2;

    /** The differences that persisted (as last observed), and how many were lag. */
    record Outcome(List<Mismatch> persistent, long resolvedByLag) {
    }

    private final TableId table;
    private final SideReader source;
    private final SideReader target;
    private final LagWait wait;

    LagRecheck(TableId table, SideReader source, SideReader target, LagWait wait) {
        this.table = table;
        this.source = source;
        this.target = target;
        this.wait = wait;
    }

    /** A difference being judged: its last observation and how many identical ones in a row saw it. */
    private static final class Pending {
        final RowEntry wanted;
        Mismatch last;
        int streak;

        Pending(Mismatch found) {
            this.wanted = found.either();
            this.last = found;
        }
    }

    /**
     * @param found   the differences as the merge found them (their source sides read at or before
     *                {@code foundAt})
     * @param foundAt the source's WAL insert position at the merge's read
     */
    Outcome judge(List<Mismatch> found, Lsn foundAt) {
        Map<String, Pending> pending = new LinkedHashMap<>();
        Map<String, RowEntry> sourceRows = new LinkedHashMap<>();
        for (Mismatch m : found) {
            pending.put(m.id(), new Pending(m));
            sourceRows.put(m.id(), m.source());
        }
        List<Mismatch> persistent = new ArrayList<>();
        long resolved = 0;
        Lsn sourceAt = foundAt;
        for (int round = 1; !pending.isEmpty(); round++) {
            if (!wait.waitFor(sourceAt)) {
                pending.values().forEach(p -> persistent.add(p.last));
                return new Outcome(persistent, resolved);
            }
            SideReader.Read t = target.byIds(wanted(pending));
            int before = pending.size();
            long lag = 0;
            int confirmed = 0;
            var it = pending.values().iterator();
            while (it.hasNext()) {
                Pending p = it.next();
                String id = p.last.id();
                Mismatch seen = new Mismatch(id, sourceRows.get(id), t.rows().get(id));
                if (agree(seen)) {
                    lag++;
                    it.remove();
                    continue;
                }
                p.streak = round > 1 && identical(p.last, seen) ? p.streak + 1 : 1;
                p.last = seen;
                if (p.streak >= CONFIRMATIONS) {
                    persistent.add(seen);
                    confirmed++;
                    it.remove();
                }
            }
            resolved += lag;
            log.debug("{}: observation {} (source LSN {}): of {} differences, {} were lag, {} persist", table, round,
                    sourceAt, before, lag, confirmed);
            if (pending.isEmpty()) {
                break;
            }
            if (round == MAX_ROUNDS) {
                log.info("{}: {} difference(s) still changing after {} observations: counted as lag", table,
                        pending.size(), MAX_ROUNDS);
                resolved += pending.size();
                break;
            }
            SideReader.Read s = source.byIds(wanted(pending));
            sourceRows = s.rows();
            sourceAt = s.lsn().orElseThrow();
        }
        return new Outcome(persistent, resolved);
    }

    private static List<RowEntry> wanted(Map<String, Pending> pending) {
        return pending.values().stream().map(p -> p.wanted).toList();
    }

    /** Both sides lack the key, or hold the same row (the same number of times, for a multiset). */
    private static boolean agree(Mismatch m) {
        return m.source() == null ? m.target() == null : m.source().sameAs(m.target());
    }

    private static boolean identical(Mismatch a, Mismatch b) {
        return same(a.source(), b.source()) && same(a.target(), b.target());
    }

    private static boolean same(RowEntry a, RowEntry b) {
        return a == null ? b == null : a.sameAs(b);
    }
}
