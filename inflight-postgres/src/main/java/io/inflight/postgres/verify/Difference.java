package io.inflight.postgres.verify;

import java.util.List;

/**
 * One difference verify found in a table.
 *
 * @param key     the key columns' values as text (normalized, see {@link SessionSettings}); for a table
 *                compared as a multiset, the one element is the whole row's text
 * @param columns for {@link Kind#DIFFERS}, the columns whose values differ, in table order; else empty
 * @param rows    how many rows: 1 for a keyed table, the surplus of identical rows for a multiset
 */
public record Difference(Kind kind, List<String> key, List<String> columns, long rows) {

    /** What the target has wrong. */
    public enum Kind {
        /** The source has the row, the target does not. */
        MISSING,
        /** The target has a row the source does not. */
        EXTRA,
        /** Both have the key, with different values. */
        DIFFERS;

        /** The word used in reports and the diff file. */
        public String word() {
            return switch (this) {
                case MISSING -> "missing";
                case EXTRA -> "extra";
                case DIFFERS -> "differs";
            };
        }

        public static Kind ofWord(String word) {
            for (Kind k : values()) {
                if (k.word().equals(word)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown difference kind: " + word);
        }
    }

    public Difference {
        key = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(key));
        columns = List.copyOf(columns);
    }
}
