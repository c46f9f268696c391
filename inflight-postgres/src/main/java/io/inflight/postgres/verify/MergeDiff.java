package io.inflight.postgres.verify;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.function.Consumer;

/**
 * Walks the rows of both sides in their shared order (see {@link TableSql#rowsOfBuckets}) and reports every
 * key or distinct row on which they disagree, holding only the current row of each side: memory does not
 * grow with the table. Pure.
 */
final class MergeDiff {

    /** Keyed rows: by bucket, then the key text's UTF-8 bytes, unsigned, as {@code convert_to} orders them. */
    static final Comparator<RowEntry> KEYED = Comparator.comparingLong(RowEntry::bucket)
            .thenComparing((a, b) -> Arrays.compareUnsigned(a.id().getBytes(StandardCharsets.UTF_8),
                    b.id().getBytes(StandardCharsets.UTF_8)));

    /** Multiset rows: by row hash, as bigint orders (signed). */
    static final Comparator<RowEntry> MULTISET = Comparator.comparingLong(RowEntry::hash);

    private MergeDiff() {
    }

    static void merge(Iterator<RowEntry> source, Iterator<RowEntry> target, Comparator<RowEntry> order,
                      Consumer<Mismatch> out) {
        RowEntry s = next(source);
        RowEntry t = next(target);
        while (s != null || t != null) {
            int cmp = s == null ? 1 : t == null ? -1 : order.compare(s, t);
            if (cmp < 0) {
                out.accept(new Mismatch(s.id(), s, null));
                s = next(source);
            } else if (cmp > 0) {
                out.accept(new Mismatch(t.id(), null, t));
                t = next(target);
            } else {
                if (!s.sameAs(t)) {
                    out.accept(new Mismatch(s.id(), s, t));
                }
                s = next(source);
                t = next(target);
            }
        }
    }

    private static RowEntry next(Iterator<RowEntry> it) {
        return it.hasNext() ? it.next() : null;
    }
}
