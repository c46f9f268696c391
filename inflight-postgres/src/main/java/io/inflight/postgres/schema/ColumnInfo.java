package io.inflight.postgres.schema;

/**
 * A column as the data path sees it.
 *
 * @param type            the type as {@code format_type} spells it, e.g. {@code numeric(12,2)}
 * @param generated       a stored generated column: never copied, the target computes it
 * @param binaryCopySafe  binary COPY output of this column loads on another server: false for types
 *                        whose binary form embeds type OIDs (composites, arrays of user types) or that
 *                        have no binary send/receive functions
 */
public record ColumnInfo(String name, int position, String type, long typeOid, boolean notNull,
                         boolean generated, boolean binaryCopySafe) {
}
