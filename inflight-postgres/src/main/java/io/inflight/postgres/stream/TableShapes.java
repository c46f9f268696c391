package io.inflight.postgres.stream;

import io.inflight.core.ErrorCode;
import io.inflight.core.Identifiers;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.core.TableId;
import io.inflight.postgres.apply.TableShape;
import io.inflight.postgres.schema.ColumnInfo;
import io.inflight.postgres.schema.TableInfo;
import io.inflight.postgres.stream.PgOutputMessage.Relation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the Relation messages of the stream into {@link TableShape}s for the applier, and is where schema
 * changes made on the source during the migration are caught: pgoutput sends a table's Relation again whenever
 * its shape changes, before the first change with the new shape. A table or column the target lacks, or a column
 * whose type differs, stops the stream before any change with that shape is applied, with the statement to run
 * on the target; a rerun after that fix continues where the stream stopped.
 *
 * <p>Not thread-safe: owned by the stream's thread.
 */
final class TableShapes {

    private static final Logger log = LoggerFactory.getLogger(TableShapes.class);

    /** OIDs below this are built in and identical on every PostgreSQL version; above, per database. */
    private static final long FIRST_NORMAL_OID = 16384;

    private final Map<TableId, TableInfo> target;
    private final Function<TableId, Map<String, String>> sourceColumnDefinitions;
    private final Map<Integer, TableShape> byRelation = new HashMap<>();

    /**
     * @param target                  the target's tables
     * @param sourceColumnDefinitions a table's column definitions on the source as they stand now ({@code name ->
     *                                "type [DEFAULT ...] [NOT NULL]"}), only read to write the fix into a message
     */
    TableShapes(Map<TableId, TableInfo> target, Function<TableId, Map<String, String>> sourceColumnDefinitions) {
        this.target = Map.copyOf(target);
        this.sourceColumnDefinitions = sourceColumnDefinitions;
    }

    /**
     * Checks a Relation against the target and remembers its shape.
     *
     * @param resumeFrom the position a rerun continues from, for the message
     * @throws InflightException SCHEMA_MISMATCH naming the table, column and the statement to run on the target
     */
    TableShape accept(Relation rel, Lsn resumeFrom) {
        TableId id = TableId.of(rel.namespace().isEmpty() ? "pg_catalog" : rel.namespace(), rel.name());
        TableInfo t = target.get(id);
        if (t == null) {
            throw new InflightException(ErrorCode.SCHEMA_MISMATCH, "table " + id + " is published on the source but"
                    + " does not exist on the target (was it created on the source during the migration?). Create it"
                    + " on the target with the source's definition, then rerun: the stream resumes from " + resumeFrom
                    + " and nothing after it was confirmed to the source");
        }
        Map<String, ColumnInfo> targetColumns = t.columns().stream()
                .collect(Collectors.toMap(ColumnInfo::name, c -> c));
        List<String> names = new ArrayList<>(rel.columns().size());
        List<String> types = new ArrayList<>(rel.columns().size());
        for (Relation.Column c : rel.columns()) {
            ColumnInfo tc = targetColumns.get(c.name());
            if (tc == null) {
                throw mismatch(id, c.name(), "exists on the source but not on the target (added on the source during"
                        + " the migration?)", "ALTER TABLE " + id.quoted() + " ADD COLUMN " + Identifiers.quote(c.name())
                        + " " + sourceDefinition(id, c.name()), resumeFrom);
            }
            if (tc.generated()) {
                throw mismatch(id, c.name(), "is a plain column on the source but a generated column on the target",
                        "ALTER TABLE " + id.quoted() + " ALTER COLUMN " + Identifiers.quote(c.name())
                                + " DROP EXPRESSION", resumeFrom);
            }
            if (c.typeOid() < FIRST_NORMAL_OID && tc.typeOid() < FIRST_NORMAL_OID && c.typeOid() != tc.typeOid()) {
                throw mismatch(id, c.name(), "has type " + sourceType(id, c.name()) + " on the source but " + tc.type()
                        + " on the target", "ALTER TABLE " + id.quoted() + " ALTER COLUMN " + Identifiers.quote(c.name())
                        + " TYPE " + sourceType(id, c.name()), resumeFrom);
            }
            names.add(c.name());
            types.add(tc.type());
        }
        List<String> notSent = t.columns().stream()
                .filter(c -> !c.generated() && !names.contains(c.name())).map(ColumnInfo::name).toList();
        if (!notSent.isEmpty()) {
            log.warn("columns {} of {} are on the target but no longer sent by the source (dropped there?); new rows"
                    + " get their target default", notSent, id);
        }
        TableShape shape = new TableShape(id, names, types, key(rel, t, names));
        byRelation.put(rel.relationId(), shape);
        return shape;
    }

    /** The shape of a relation id announced earlier in this session. */
    TableShape get(int relationId) {
        TableShape s = byRelation.get(relationId);
        if (s == null) {
            throw new InflightException(ErrorCode.INTERNAL, "a change names relation id "
                    + Integer.toUnsignedString(relationId) + " that no Relation message announced; rerun to restart"
                    + " the stream from the stored position");
        }
        return s;
    }

    /**
     * Which columns identify a row. With DEFAULT or USING INDEX identity the source sends exactly those columns
     * as the old key, so they are the key. With FULL it sends whole old rows: the target's own key is the
     * cheapest way to find them, and without one every column is compared.
     */
    private static List<Integer> key(Relation rel, TableInfo t, List<String> names) {
        if (rel.replicaIdentity() == 'f') {
            if (!t.keyColumns().isEmpty() && names.containsAll(t.keyColumns())) {
                return t.keyColumns().stream().map(names::indexOf).toList();
            }
            return List.of();
        }
        List<Integer> key = new ArrayList<>();
        for (int i = 0; i < rel.columns().size(); i++) {
            if (rel.columns().get(i).key()) {
                key.add(i);
            }
        }
        return key;
    }

    private String sourceType(TableId table, String column) {
        String def = sourceDefinition(table, column);
        int cut = def.indexOf(" DEFAULT ");
        if (cut < 0) {
            cut = def.indexOf(" NOT NULL");
        }
        return cut < 0 ? def : def.substring(0, cut);
    }

    private String sourceDefinition(TableId table, String column) {
        return Optional.ofNullable(sourceColumnDefinitions.apply(table).get(column))
                .orElse("<its type on the source>");
    }

    private static InflightException mismatch(TableId table, String column, String what, String fix, Lsn resume) {
        return new InflightException(ErrorCode.SCHEMA_MISMATCH, "column " + Identifiers.quote(column) + " of table "
                + table + " " + what + ". Run on the target: " + fix + "; then rerun: the stream resumes from "
                + resume + " and nothing after it was confirmed to the source");
    }

    /** Column definitions of a table on the source, read from its catalog now. */
    static Map<String, String> readDefinitions(Connection source, TableId table) throws SQLException {
        String sql = """
                SELECT a.attname, format_type(a.atttypid, a.atttypmod)
                       || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
                       || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
                  FROM pg_attribute a
                  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                 WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped
                """;
        Map<String, String> out = new HashMap<>();
        try (PreparedStatement ps = source.prepareStatement(sql)) {
            ps.setString(1, table.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }
}
