package io.inflight.postgres.snapshot;

import io.inflight.core.Identifiers;
import io.inflight.postgres.schema.TableInfo;
import java.util.stream.Collectors;

/**
 * One COPY stream: a range of a table (or all of it), with the statements run on either side.
 *
 * @param rangeNo        index of the range in its table's plan, as recorded in {@code range_state}
 * @param estimatedBytes for scheduling only: biggest first
 */
record CopyTask(TableInfo table, int rangeNo, CopyRange range, long estimatedBytes) {

    /** Whether both sides use binary COPY (fast, exact) rather than text (for types whose binary form is not portable). */
    boolean binary() {
        return table.binaryCopySafe();
    }

    /** The COPY ... TO STDOUT run on the source, inside the worker's snapshot. */
    String copyOutSql() {
        String format = binary() ? " (FORMAT binary)" : "";
        if (range.predicate().isEmpty()) {
            return "COPY " + table.id().quoted() + columnList() + " TO STDOUT" + format;
        }
        // ONLY: an inheritance parent's children are tables of their own in the plan.
        return "COPY (SELECT " + columns() + " FROM ONLY " + table.id().quoted() + " WHERE "
                + range.predicate().get() + ") TO STDOUT" + format;
    }

    /** The COPY ... FROM STDIN run on the target; generated columns are left to the target to compute. */
    String copyInSql() {
        return "COPY " + table.id().quoted() + columnList() + " FROM STDIN" + (binary() ? " (FORMAT binary)" : "");
    }

    private String columns() {
        return table.copyColumns().stream().map(c -> Identifiers.quote(c.name())).collect(Collectors.joining(", "));
    }

    /** Empty for a table without copyable columns: COPY then carries rows without fields. */
    private String columnList() {
        String cols = columns();
        return cols.isEmpty() ? "" : " (" + cols + ")";
    }

    @Override
    public String toString() {
        return table.id() + (range.predicate().isEmpty() ? "" : " range " + rangeNo);
    }
}
