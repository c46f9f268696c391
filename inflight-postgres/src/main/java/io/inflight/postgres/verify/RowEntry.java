package io.inflight.postgres.verify;

import java.util.List;

/**
 * One row (keyed table) or one distinct row (multiset) as a side reported it: only hashes and the key,
 * never the row's values.
 *
 * @param bucket the bucket of a keyed row (the first sort key); 0 for a multiset
 * @param id     the key's text for a keyed row; the row hash in decimal for a multiset
 * @param key    the key columns' values as text; empty for a multiset
 * @param hash   the row hash
 * @param count  1 for a keyed row; how many identical rows for a multiset
 */
record RowEntry(long bucket, String id, List<String> key, long hash, long count) {

    RowEntry {
        key = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(key));
    }

    static RowEntry multiset(long hash, long count) {
        return new RowEntry(0, Long.toString(hash), List.of(), hash, count);
    }

    /** Same content: same row hash and multiplicity. */
    boolean sameAs(RowEntry other) {
        return other != null && hash == other.hash && count == other.count;
    }
}
