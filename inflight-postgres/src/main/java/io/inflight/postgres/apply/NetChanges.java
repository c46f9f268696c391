package io.inflight.postgres.apply;

import io.inflight.postgres.stream.TupleData;
import io.inflight.postgres.stream.TupleData.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The net effect of a run of changes to one keyed table: per key, whether the row must be deleted, inserted or
 * updated (and to what) so that the table ends as it would after applying every change in order. A hot row
 * updated a thousand times becomes one update; a row inserted and deleted within the run disappears.
 *
 * <p>Applied as deletes, then updates, then inserts, the result equals the ordered application except where a
 * unique constraint other than the key is briefly violated in between (two rows swapping a unique value); the
 * caller detects that by the constraint error and falls back to the ordered path. Changes that cannot be reduced
 * safely (an insert of a key the run already holds, a change to a row the run deleted, a key change whose new row
 * lacks TOASTed values the run never saw, anything but inserts to a keyless table) make {@link #reduce} return
 * empty, for the ordered path. Pure.
 */
final class NetChanges {

    /**
     * What to do to the table.
     *
     * @param deletes rows to delete, as tuples holding at least the key columns
     * @param updates rows to update, grouped by the columns to set (positions); key columns hold the key
     * @param inserts whole rows to insert
     */
    record Result(List<TupleData> deletes, Map<List<Integer>, List<TupleData>> updates, List<TupleData> inserts) {
        int size() {
            return deletes.size() + updates.values().stream().mapToInt(List::size).sum() + inserts.size();
        }
    }

    private static final class Entry {
        final boolean existedBefore;
        boolean exists;
        /** The row's latest image; values may be UNCHANGED_TOAST when no full image was seen. Null if deleted. */
        TupleData image;

        Entry(boolean existedBefore, boolean exists) {
            this.existedBefore = existedBefore;
            this.exists = exists;
        }
    }

    private NetChanges() {
    }

    static Optional<Result> reduce(TableShape shape, List<RowChange> changes) {
        if (shape.keyless()) {
            return onlyInserts(shape, changes);
        }
        Map<Object, Entry> rows = new LinkedHashMap<>();
        int[] key = keyPositions(shape);
        for (RowChange change : changes) {
            if (change.shape() != shape && !change.shape().equals(shape) || !apply(key, rows, change)) {
                return Optional.empty();
            }
        }
        List<TupleData> deletes = new ArrayList<>();
        Map<List<Integer>, List<TupleData>> updates = new LinkedHashMap<>();
        List<TupleData> full = null; // updates that set every column: most of them, grouped without a look-up
        List<TupleData> inserts = new ArrayList<>();
        for (Map.Entry<Object, Entry> e : rows.entrySet()) {
            Entry row = e.getValue();
            if (row.existedBefore && !row.exists) {
                deletes.add(keyTuple(shape, e.getKey()));
            } else if (!row.existedBefore && row.exists) {
                inserts.add(row.image);
            } else if (row.existedBefore && !row.image.hasUnchangedToast()) {
                if (full == null) {
                    full = updates.computeIfAbsent(allColumns(shape), m -> new ArrayList<>());
                }
                full.add(row.image);
            } else if (row.existedBefore) {
                updates.computeIfAbsent(present(row.image), m -> new ArrayList<>()).add(row.image);
            }
        }
        return Optional.of(new Result(deletes, updates, inserts));
    }

    /**
     * A keyless table's rows cannot be told apart, so only a run of pure inserts (an append-only log table, the
     * common case) has a net effect to compute: the rows themselves.
     */
    private static Optional<Result> onlyInserts(TableShape shape, List<RowChange> changes) {
        List<TupleData> inserts = new ArrayList<>(changes.size());
        for (RowChange c : changes) {
            if (!(c instanceof RowChange.Insert ins) || !c.shape().equals(shape)) {
                return Optional.empty();
            }
            inserts.add(ins.row());
        }
        return Optional.of(new Result(List.of(), Map.of(), inserts));
    }

    /** Folds one change into the per-key state; false when the run cannot be reduced safely. */
    private static boolean apply(int[] keyPositions, Map<Object, Entry> rows, RowChange change) {
        if (change instanceof RowChange.Insert ins) {
            Object key = key(keyPositions, ins.row());
            if (key == null) {
                return false;
            }
            Entry e = rows.computeIfAbsent(key, k -> new Entry(false, false));
            if (e.exists) {
                return false;
            }
            e.exists = true;
            e.image = ins.row();
            return true;
        }
        if (change instanceof RowChange.Update upd) {
            Object oldKey = key(keyPositions, upd.identity());
            Object newKey = key(keyPositions, upd.row());
            if (oldKey == null || newKey == null) {
                return false;
            }
            Entry old = rows.computeIfAbsent(oldKey, k -> new Entry(true, true));
            if (!old.exists) {
                return false;
            }
            TupleData merged = merge(old.image, upd.row());
            if (oldKey.equals(newKey)) {
                old.image = merged;
                return true;
            }
            if (merged.hasUnchangedToast()) {
                return false;
            }
            // The new key was free on the source when the update ran; if the run touched it before, it was
            // deleted by then.
            Entry moved = rows.computeIfAbsent(newKey, k -> new Entry(false, false));
            if (moved.exists) {
                return false;
            }
            old.exists = false;
            old.image = null;
            moved.exists = true;
            moved.image = merged;
            return true;
        }
        RowChange.Delete del = (RowChange.Delete) change;
        Object key = key(keyPositions, del.identity());
        if (key == null) {
            return false;
        }
        Entry e = rows.computeIfAbsent(key, k -> new Entry(true, true));
        if (!e.exists) {
            return false;
        }
        e.exists = false;
        e.image = null;
        return true;
    }

    /** The new values, with values the change left alone taken from the earlier image where known. */
    private static TupleData merge(TupleData earlier, TupleData row) {
        if (earlier == null || !row.hasUnchangedToast()) {
            return row; // tuples are immutable: the row itself is the image, no copy needed
        }
        Value[] out = row.toArray();
        for (int i = 0; i < out.length; i++) {
            if (out[i] instanceof TupleData.UnchangedToast) {
                out[i] = earlier.get(i);
            }
        }
        return TupleData.of(out);
    }

    /**
     * A tuple's key, to compare by bytes: the one {@link TupleData.Text} of a single-column key (most keys), else
     * the list of them; null when a key value is missing (which a reduced run cannot handle).
     */
    private static Object key(int[] positions, TupleData t) {
        if (positions.length == 1) {
            return t.get(positions[0]) instanceof TupleData.Text text ? text : null;
        }
        Value[] key = new Value[positions.length];
        for (int i = 0; i < key.length; i++) {
            Value v = t.get(positions[i]);
            if (!(v instanceof TupleData.Text)) {
                return null;
            }
            key[i] = v;
        }
        return List.of(key);
    }

    /** The key's column positions, looked up once per run: the list's boxed elements cost a call each, per change. */
    private static int[] keyPositions(TableShape shape) {
        int[] out = new int[shape.key().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = shape.key().get(i);
        }
        return out;
    }

    private static TupleData keyTuple(TableShape shape, Object key) {
        Value[] values = new Value[shape.columns().size()];
        Arrays.fill(values, Value.NULL);
        if (key instanceof TupleData.Text single) {
            values[shape.key().get(0)] = single;
        } else {
            List<?> parts = (List<?>) key;
            for (int i = 0; i < parts.size(); i++) {
                values[shape.key().get(i)] = (Value) parts.get(i);
            }
        }
        return TupleData.of(values);
    }

    private static List<Integer> present(TupleData image) {
        List<Integer> out = new ArrayList<>(image.size());
        for (int i = 0; i < image.size(); i++) {
            if (!(image.get(i) instanceof TupleData.UnchangedToast)) {
                out.add(i);
            }
        }
        return out;
    }

    private static List<Integer> allColumns(TableShape shape) {
        List<Integer> out = new ArrayList<>(shape.columns().size());
        for (int i = 0; i < shape.columns().size(); i++) {
            out.add(i);
        }
        return out;
    }
}
