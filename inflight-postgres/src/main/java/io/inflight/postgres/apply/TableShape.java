package io.inflight.postgres.apply;

import io.inflight.core.TableId;
import java.util.List;

/**
 * How the changes of one source table land on its target table: the columns the source sends, in the order of
 * every tuple for it, and which of them identify a row.
 *
 * @param columns the published columns, in tuple order (generated columns are never sent)
 * @param key     positions in {@code columns} of the target's key (its primary key, else a unique index over NOT
 *                NULL columns, else the source's replica identity columns); empty when rows have no key and
 *                must be matched on every column ({@code REPLICA IDENTITY FULL} without a key)
 */
public record TableShape(TableId table, List<String> columns, List<Integer> key) {

    public TableShape {
        columns = List.copyOf(columns);
        key = List.copyOf(key);
        for (int k : key) {
            if (k < 0 || k >= columns.size()) {
                throw new IllegalArgumentException("key position " + k + " outside the " + columns.size()
                        + " columns of " + table);
            }
        }
    }

    public boolean keyless() {
        return key.isEmpty();
    }

    /** The names of the key columns, in key order. */
    public List<String> keyColumns() {
        return key.stream().map(columns::get).toList();
    }
}
