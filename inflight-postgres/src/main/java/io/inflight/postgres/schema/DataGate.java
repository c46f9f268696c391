package io.inflight.postgres.schema;

import io.inflight.core.TableId;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Which tables' rows are on the target yet, so that post-data work on a table can start as soon as that
 * table is copied while others are still copying. A step waiting here must not touch a table whose copy
 * is running or yet to run: an index or trigger there would slow or act on the load, an ALTER TABLE would
 * wait on the copy's lock, and a table left half-copied by a crash is emptied on the rerun, which the
 * foreign keys and triggers of post-data would get in the way of.
 *
 * <p>Thread-safe. Listeners are called outside the gate's lock, on the thread that changed it.
 */
public final class DataGate {

    private final Set<TableId> pending;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private boolean complete;
    private boolean aborted;

    /** A gate waiting for {@code pending} to be copied. */
    public DataGate(Collection<TableId> pending) {
        this.pending = new HashSet<>(pending);
    }

    /** A gate for post-data run after the whole copy: everything is there. */
    public static DataGate allCopied() {
        DataGate gate = new DataGate(Set.of());
        gate.complete = true;
        return gate;
    }

    /** {@code table}'s rows are committed on the target. */
    public void copied(TableId table) {
        synchronized (this) {
            pending.remove(table);
        }
        fire();
    }

    /** Every table is copied: steps that need all the data may start. */
    public void complete() {
        synchronized (this) {
            complete = true;
            pending.clear();
        }
        fire();
    }

    /** The copy failed: nothing more will become ready. */
    public void abort() {
        synchronized (this) {
            aborted = true;
        }
        fire();
    }

    /** Whether the rows of {@code tables} are all there; {@code null} asks for every table. */
    synchronized boolean ready(Set<TableId> tables) {
        if (aborted) {
            return false;
        }
        if (tables == null || complete) {
            return complete;
        }
        for (TableId t : tables) {
            if (pending.contains(t)) {
                return false;
            }
        }
        return true;
    }

    /** Whether readiness can still change: false once complete or aborted. */
    synchronized boolean open() {
        return !complete && !aborted;
    }

    synchronized boolean aborted() {
        return aborted;
    }

    void onChange(Runnable listener) {
        listeners.add(listener);
    }

    private void fire() {
        listeners.forEach(Runnable::run);
    }
}
