package io.inflight.postgres.schema;

import io.inflight.core.TableId;
import java.util.List;
import java.util.Optional;

/**
 * A table as the data path (copy, stream, verify) needs it: its columns, the key that identifies a
 * row, and size estimates for planning. Partitioned parents hold no rows themselves; their leaf
 * partitions are tables of their own here, with {@link #partitionOf()} naming the parent.
 *
 * @param keyColumns      the primary key's columns in key order; else those of the smallest unique index
 *                        over NOT NULL columns (see {@link #keyKind}); empty when the table has neither
 * @param replicaIdentity {@code d}efault, {@code n}othing, {@code f}ull or {@code i}ndex, as in pg_class
 * @param estimatedRows   from pg_class.reltuples; -1 when never analyzed
 * @param estimatedBytes  heap plus TOAST on disk
 */
public record TableInfo(TableId id, List<ColumnInfo> columns, List<String> keyColumns, KeyKind keyKind,
                        char replicaIdentity, long estimatedRows, long estimatedBytes, boolean partitioned,
                        Optional<TableId> partitionOf, boolean unlogged) {

    /** How rows of a table are identified. */
    public enum KeyKind { PRIMARY_KEY, UNIQUE_NOT_NULL, NONE }

    public TableInfo {
        columns = List.copyOf(columns);
        keyColumns = List.copyOf(keyColumns);
    }

    /** Columns a COPY carries: every column but stored generated ones, in table order. */
    public List<ColumnInfo> copyColumns() {
        return columns.stream().filter(c -> !c.generated()).toList();
    }

    /** Whether every copied column survives binary COPY between servers. */
    public boolean binaryCopySafe() {
        return copyColumns().stream().allMatch(ColumnInfo::binaryCopySafe);
    }

    /** Holds rows itself (everything but a partitioned parent). */
    public boolean holdsRows() {
        return !partitioned;
    }

    /**
     * Whether UPDATE and DELETE on it can be published without breaking the source: a table in a
     * publication that has no usable replica identity makes the source reject its updates and deletes.
     */
    public boolean hasReplicaIdentity() {
        return switch (replicaIdentity) {
            case 'f', 'i' -> true;
            case 'd' -> keyKind == KeyKind.PRIMARY_KEY;
            default -> false;
        };
    }
}
