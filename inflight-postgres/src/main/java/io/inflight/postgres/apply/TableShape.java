package io.inflight.postgres.apply;

import io.inflight.core.TableId;
import java.util.List;

/**
 * How the changes of one source table land on its target table: the columns the source sends, in the order of
 * every tuple for it, and which of them identify a row.
 *
 * @param columns the published columns, in tuple order (generated columns are never sent)
 * @param types   each column's type on the target, as {@code format_type} spells it (usable in a cast)
 * @param key     positions in {@code columns} of the target's key (its primary key, else a unique index over NOT
 *                NULL columns, else the source's replica identity columns); empty when rows have no key and
 *                must be matched on every column ({@code REPLICA IDENTITY FULL} without a key)
 */
public record TableShape(TableId table, List<String> columns, List<String> types, List<Integer> key) {

    public TableShape {
        columns = List.copyOf(columns);
        types = List.copyOf(types);
        key = List.copyOf(key);
        if (types.size() != columns.size()) {
            throw new IllegalArgumentException(types.size() + " types for " + columns.size() + " columns of " + table);
        }
        for (int k : key) {
            if (k < 0 || k >= columns.size()) {
                throw new IllegalArgumentException("key position " + k + " outside the " + columns.size()
                        + " columns of " + table);
            }
        }
    }

    /** Written out, like {@link TableId}'s: compared for every change of a batch; mostly the very same shape. */
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof TableShape other && table.equals(other.table) && columns.equals(other.columns)
                && types.equals(other.types) && key.equals(other.key);
    }

    @Override
    public int hashCode() {
        return ((table.hashCode() * 31 + columns.hashCode()) * 31 + types.hashCode()) * 31 + key.hashCode();
    }

    public boolean keyless() {
        return key.isEmpty();
    }

    /** The names of the key columns, in key order. */
    public List<String> keyColumns() {
        return key.stream().map(columns::get).toList();
    }
}
