package io.inflight.postgres.schema;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.TableId;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the tables of the chosen schemas for the data path ({@link TableInfo}). Works on PostgreSQL
 * 10 and newer (generated columns are looked up only where {@code attgenerated} exists). Reads inside
 * whatever transaction the connection is in, so a caller holding an exported snapshot sees the tables
 * as of that snapshot.
 */
public final class TableCatalog {

    /** Objects with OIDs below this were created by initdb: their binary forms are the same everywhere. */
    static final long FIRST_NORMAL_OID = 16384;

    private TableCatalog() {
    }

    public static List<TableInfo> read(Connection c, SchemaFilter filter) {
        try {
            int version = c.getMetaData().getDatabaseMajorVersion();
            Map<Long, TypeRow> types = readTypes(c);
            Map<Long, Builder> tables = readTables(c, filter);
            readColumns(c, filter, version, types, tables);
            readKeys(c, filter, tables);
            return tables.values().stream().map(Builder::build).sorted((a, b) -> a.id().compareTo(b.id())).toList();
        } catch (SQLException e) {
            throw new InflightException(ErrorCode.INTERNAL,
                    "reading the table catalog failed: " + e.getMessage(), e.getSQLState(), e);
        }
    }

    private record TypeRow(long oid, char typtype, long baseType, long elemType, char category, boolean hasBinaryIo) {
    }

    private static Map<Long, TypeRow> readTypes(Connection c) throws SQLException {
        Map<Long, TypeRow> types = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT oid, typtype, typbasetype, typelem, typcategory, (typsend <> 0 AND typreceive <> 0) FROM pg_type")) {
            while (rs.next()) {
                types.put(rs.getLong(1), new TypeRow(rs.getLong(1), rs.getString(2).charAt(0), rs.getLong(3),
                        rs.getLong(4), rs.getString(5).charAt(0), rs.getBoolean(6)));
            }
        }
        return types;
    }

    /**
     * Whether the binary COPY form of a type loads on another server. Array and composite binary forms
     * carry element and field type OIDs, which differ between servers for user-defined types.
     */
    static boolean binarySafe(long oid, Map<Long, TypeRow> types, int depth) {
        TypeRow t = types.get(oid);
        if (t == null || depth > 10) {
            return false;
        }
        if (t.typtype == 'd') {
            return binarySafe(t.baseType, types, depth + 1);
        }
        if (t.category == 'A' && t.elemType != 0) {
            return t.elemType < FIRST_NORMAL_OID && binarySafe(t.elemType, types, depth + 1);
        }
        return switch (t.typtype) {
            case 'c', 'p' -> false;
            case 'e' -> true;
            case 'r', 'm' -> oid < FIRST_NORMAL_OID;
            default -> t.hasBinaryIo;
        };
    }

    private static Map<Long, Builder> readTables(Connection c, SchemaFilter filter) throws SQLException {
        Map<Long, Builder> tables = new LinkedHashMap<>();
        String sql = """
                SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpersistence, c.relreplident,
                       c.reltuples::bigint, pg_table_size(c.oid),
                       pn.nspname, pc.relname
                  FROM pg_class c
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                  LEFT JOIN pg_inherits i ON c.relispartition AND i.inhrelid = c.oid
                  LEFT JOIN pg_class pc ON pc.oid = i.inhparent
                  LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                 WHERE c.relkind IN ('r', 'p') AND %s
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                   AND d.objid = c.oid AND d.deptype = 'e')
                """.formatted(filter.sqlCondition("n.nspname"));
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                Builder b = new Builder();
                b.id = TableId.of(rs.getString(2), rs.getString(3));
                b.partitioned = rs.getString(4).charAt(0) == 'p';
                b.unlogged = rs.getString(5).charAt(0) == 'u';
                b.replicaIdentity = rs.getString(6).charAt(0);
                b.rows = rs.getLong(7);
                b.bytes = rs.getLong(8);
                if (rs.getString(10) != null) {
                    b.parent = Optional.of(TableId.of(rs.getString(9), rs.getString(10)));
                }
                tables.put(rs.getLong(1), b);
            }
        }
        return tables;
    }

    private static void readColumns(Connection c, SchemaFilter filter, int version, Map<Long, TypeRow> types,
                                    Map<Long, Builder> tables) throws SQLException {
        String generated = version >= 12 ? "a.attgenerated = 's'" : "false";
        String sql = """
                SELECT a.attrelid, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), a.atttypid,
                       a.attnotnull, %s
                  FROM pg_attribute a
                  JOIN pg_class c ON c.oid = a.attrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND %s
                 ORDER BY a.attrelid, a.attnum
                """.formatted(generated, filter.sqlCondition("n.nspname"));
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                Builder b = tables.get(rs.getLong(1));
                if (b != null) {
                    long typeOid = rs.getLong(5);
                    b.columns.add(new ColumnInfo(rs.getString(2), rs.getInt(3), rs.getString(4), typeOid,
                            rs.getBoolean(6), rs.getBoolean(7), binarySafe(typeOid, types, 0)));
                }
            }
        }
    }

    /** Primary key, else the narrowest unique, non-partial, column-only index over NOT NULL columns. */
    private static void readKeys(Connection c, SchemaFilter filter, Map<Long, Builder> tables) throws SQLException {
        String sql = """
                SELECT i.indrelid, i.indisprimary,
                       ARRAY(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                             ORDER BY k.ord),
                       i.indnkeyatts
                  FROM pg_index i
                  JOIN pg_class c ON c.oid = i.indrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE (i.indisprimary OR i.indisunique) AND i.indisvalid AND i.indpred IS NULL
                   AND i.indexprs IS NULL AND i.indimmediate AND %s
                   AND NOT EXISTS (SELECT 1 FROM unnest(i.indkey::int2[]) k(attnum)
                                   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                                   WHERE NOT a.attnotnull)
                 ORDER BY i.indrelid, i.indisprimary DESC, i.indnkeyatts, i.indexrelid
                """.formatted(filter.sqlCondition("n.nspname"));
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                Builder b = tables.get(rs.getLong(1));
                if (b == null || b.keyKind != TableInfo.KeyKind.NONE) {
                    continue;
                }
                Array arr = rs.getArray(3);
                String[] names = (String[]) arr.getArray();
                int keyAtts = rs.getInt(4);
                List<String> key = new ArrayList<>();
                for (int k = 0; k < Math.min(keyAtts, names.length); k++) {
                    key.add(names[k]);
                }
                b.key = key;
                b.keyKind = rs.getBoolean(2) ? TableInfo.KeyKind.PRIMARY_KEY : TableInfo.KeyKind.UNIQUE_NOT_NULL;
            }
        }
    }

    private static final class Builder {
        TableId id;
        boolean partitioned;
        boolean unlogged;
        char replicaIdentity;
        long rows;
        long bytes;
        Optional<TableId> parent = Optional.empty();
        final List<ColumnInfo> columns = new ArrayList<>();
        List<String> key = List.of();
        TableInfo.KeyKind keyKind = TableInfo.KeyKind.NONE;

        TableInfo build() {
            return new TableInfo(id, columns, key, keyKind, replicaIdentity, rows, bytes, partitioned, parent, unlogged);
        }
    }
}
