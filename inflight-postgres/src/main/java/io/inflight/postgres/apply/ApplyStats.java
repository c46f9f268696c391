package io.inflight.postgres.apply;

import io.inflight.core.Lsn;
import io.inflight.core.TableId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/**
 * Counters of what the applier did, readable from any thread while it works (progress display, metrics,
 * logs). The applier is the only writer.
 */
public final class ApplyStats {

    private final Map<TableId, Counts> tables = new ConcurrentHashMap<>();
    private final LongAdder transactions = new LongAdder();
    private final LongAdder changes = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final LongAdder missingRows = new LongAdder();
    private final LongAdder setChanges = new LongAdder();
    private final LongAdder orderedFallbacks = new LongAdder();
    private volatile Lsn appliedLsn = Lsn.INVALID;
    private volatile Instant appliedCommitTime;
    private volatile Instant appliedAt;
    private volatile LongConsumer batchObserver = n -> { };
    /** {@link #changes} at the last commit: the difference is the size of the batch being committed. */
    private long changesAtLastCommit;

    /** Per-table row change counts. */
    public record TableCounts(long inserts, long updates, long deletes, long truncates, long missing) {
        public long total() {
            return inserts + updates + deletes;
        }
    }

    private static final class Counts {
        final LongAdder inserts = new LongAdder();
        final LongAdder updates = new LongAdder();
        final LongAdder deletes = new LongAdder();
        final LongAdder truncates = new LongAdder();
        final LongAdder missing = new LongAdder();
    }

    void applied(RowChange change) {
        Counts c = counts(change.shape().table());
        if (change instanceof RowChange.Insert) {
            c.inserts.increment();
        } else if (change instanceof RowChange.Update) {
            c.updates.increment();
        } else {
            c.deletes.increment();
        }
        changes.increment();
    }

    /** The changes to one table applied together: counted at once, not change by change. */
    void applied(TableId table, List<RowChange> applied) {
        long inserts = 0;
        long updates = 0;
        for (RowChange change : applied) {
            if (change instanceof RowChange.Insert) {
                inserts++;
            } else if (change instanceof RowChange.Update) {
                updates++;
            }
        }
        Counts c = counts(table);
        c.inserts.add(inserts);
        c.updates.add(updates);
        c.deletes.add(applied.size() - inserts - updates);
        changes.add(applied.size());
    }

    void appliedAsSet(int changes) {
        setChanges.add(changes);
    }

    void fellBackToOrder() {
        orderedFallbacks.increment();
    }

    void truncated(TableId table) {
        counts(table).truncates.increment();
    }

    void missing(TableId table) {
        counts(table).missing.increment();
        missingRows.increment();
    }

    /** Told the row changes of each committed target transaction (for a batch-size distribution). */
    public void observeBatches(LongConsumer observer) {
        batchObserver = observer;
    }

    /** Row changes applied since the last commit: what the commit about to be made holds. */
    long uncommittedChanges() {
        return changes.sum() - changesAtLastCommit;
    }

    void committed(Lsn lsn, Instant commitTime, int sourceTransactions) {
        transactions.add(sourceTransactions);
        batches.increment();
        long now = changes.sum();
        if (now > changesAtLastCommit) {
            // a commit without changes only moves an idle stream's position: not a batch worth counting
            batchObserver.accept(now - changesAtLastCommit);
        }
        changesAtLastCommit = now;
        appliedCommitTime = commitTime;
        appliedAt = Instant.now();
        appliedLsn = lsn;
    }

    private Counts counts(TableId table) {
        return tables.computeIfAbsent(table, t -> new Counts());
    }

    /** End LSN of the last source transaction committed on the target; INVALID before the first. */
    public Lsn appliedLsn() {
        return appliedLsn;
    }

    /** Source commit time of that transaction; null before the first. */
    public Instant appliedCommitTime() {
        return appliedCommitTime;
    }

    /** When the applier last committed on the target; null before the first. */
    public Instant appliedAt() {
        return appliedAt;
    }

    public long transactions() {
        return transactions.sum();
    }

    /** Row changes applied (inserts, updates, deletes), including those of batches not yet committed. */
    public long changes() {
        return changes.sum();
    }

    public long batches() {
        return batches.sum();
    }

    /** Updates and deletes whose row was not on the target (a difference the verify step will show). */
    public long missingRows() {
        return missingRows.sum();
    }

    /** Row changes applied through their net effect per table (the set path). */
    public long setChanges() {
        return setChanges.sum();
    }

    /** Times a table's net effect broke a constraint in between and its changes were applied in order instead. */
    public long orderedFallbacks() {
        return orderedFallbacks.sum();
    }

    /** A snapshot of the per-table counts, by table. */
    public Map<TableId, TableCounts> tables() {
        Map<TableId, TableCounts> out = new TreeMap<>();
        tables.forEach((t, c) -> out.put(t, new TableCounts(c.inserts.sum(), c.updates.sum(), c.deletes.sum(),
                c.truncates.sum(), c.missing.sum())));
        return out;
    }
}
