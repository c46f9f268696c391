package io.inflight.postgres.schema;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.TableId;
import io.inflight.postgres.schema.SchemaModel.Check;
import io.inflight.postgres.schema.SchemaModel.Column;
import io.inflight.postgres.schema.SchemaModel.Comment;
import io.inflight.postgres.schema.SchemaModel.Constraint;
import io.inflight.postgres.schema.SchemaModel.Dependency;
import io.inflight.postgres.schema.SchemaModel.Extension;
import io.inflight.postgres.schema.SchemaModel.Function;
import io.inflight.postgres.schema.SchemaModel.Grant;
import io.inflight.postgres.schema.SchemaModel.Index;
import io.inflight.postgres.schema.SchemaModel.NamedDef;
import io.inflight.postgres.schema.SchemaModel.Namespace;
import io.inflight.postgres.schema.SchemaModel.Ownership;
import io.inflight.postgres.schema.SchemaModel.Policy;
import io.inflight.postgres.schema.SchemaModel.Sequence;
import io.inflight.postgres.schema.SchemaModel.SequenceOptions;
import io.inflight.postgres.schema.SchemaModel.Table;
import io.inflight.postgres.schema.SchemaModel.Trigger;
import io.inflight.postgres.schema.SchemaModel.TypeDef;
import io.inflight.postgres.schema.SchemaModel.TypeKind;
import io.inflight.postgres.schema.SchemaModel.View;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@link SchemaModel} from a source database (PostgreSQL 13 and newer). Definitions are rendered
 * by the server with {@code search_path} emptied for the duration of the read, so that every name in
 * them is schema-qualified and means the same on the target; the session's setting is restored after.
 * Objects that belong to an extension are left out: {@code CREATE EXTENSION} makes them.
 *
 * <p>Reads inside whatever transaction the connection is in. Not thread-safe per connection.
 */
public final class SchemaReader {

    private SchemaReader() {
    }

    /** Reads the model, throwing {@link InflightException} (INTERNAL) naming the query that failed. */
    public static SchemaModel read(Connection source, SchemaFilter filter) {
        String step = "reading the search_path";
        try {
            String savedPath = queryString(source, "SELECT current_setting('search_path')");
            exec(source, "SELECT pg_catalog.set_config('search_path', '', false)");
            try {
                Reader r = new Reader(source, filter);
                step = "reading the source schema";
                return r.read();
            } finally {
                exec(source, "SELECT pg_catalog.set_config('search_path', " + io.inflight.core.Identifiers.literal(savedPath)
                        + ", false)");
            }
        } catch (SQLException e) {
            throw new InflightException(ErrorCode.INTERNAL, step + " failed: " + e.getMessage()
                    + (e.getSQLState() == null ? "" : " [SQLSTATE " + e.getSQLState() + "]"), e.getSQLState(), e);
        }
    }

    /** {@code NOT EXISTS} condition excluding members of an extension. */
    static String notExtensionMember(String catalog, String oidColumn) {
        return "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend xd WHERE xd.classid = 'pg_catalog." + catalog
                + "'::pg_catalog.regclass AND xd.objid = " + oidColumn + " AND xd.deptype = 'e')";
    }

    /** {@code NOT EXISTS} condition excluding objects made internally with another (multirange constructors). */
    static String notInternal(String catalog, String oidColumn) {
        return "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend xi WHERE xi.classid = 'pg_catalog." + catalog
                + "'::pg_catalog.regclass AND xi.objid = " + oidColumn + " AND xi.deptype = 'i')";
    }

    static String queryString(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static final class Reader {
        private final Connection c;
        private final SchemaFilter filter;
        private final List<String> unsupported = new ArrayList<>();

        Reader(Connection c, SchemaFilter filter) {
            this.c = c;
            this.filter = filter;
        }

        private String in(String column) {
            return filter.sqlCondition(column);
        }

        interface RowMapper<T> {
            T map(ResultSet rs) throws SQLException;
        }

        private <T> List<T> list(String sql, RowMapper<T> m) throws SQLException {
            List<T> out = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    out.add(m.map(rs));
                }
            }
            return out;
        }

        SchemaModel read() throws SQLException {
            List<Extension> extensions = list("""
                    SELECT 'e:' || e.oid, e.extname, n.nspname FROM pg_catalog.pg_extension e
                      JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
                     WHERE e.extname <> 'plpgsql' AND %s ORDER BY e.extname""".formatted(in("n.nspname")),
                    rs -> new Extension(rs.getString(1), rs.getString(2), rs.getString(3)));
            List<Namespace> schemas = list("""
                    SELECT 'n:' || n.oid, n.nspname FROM pg_catalog.pg_namespace n
                     WHERE %s AND %s ORDER BY n.nspname""".formatted(in("n.nspname"),
                    notExtensionMember("pg_namespace", "n.oid")),
                    rs -> new Namespace(rs.getString(1), rs.getString(2)));
            List<TypeDef> types = readTypes();
            List<Function> functions = readFunctions();
            List<Sequence> sequences = readSequences();
            List<Table> tables = readTables();
            List<Constraint> constraints = readConstraints();
            List<Index> indexes = readIndexes();
            List<Trigger> triggers = list("""
                    SELECT 'g:' || t.oid, 'r:' || t.tgrelid, n.nspname, c.relname, t.tgname,
                           pg_catalog.pg_get_triggerdef(t.oid), t.tgenabled
                      FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
                      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND %s AND %s
                     ORDER BY n.nspname, c.relname, t.tgname""".formatted(in("n.nspname"),
                    notExtensionMember("pg_class", "c.oid")),
                    rs -> new Trigger(rs.getString(1), rs.getString(2), TableId.of(rs.getString(3), rs.getString(4)),
                            rs.getString(5), rs.getString(6), rs.getString(7).charAt(0)));
            List<SchemaModel.Statistics> statistics = list("""
                    SELECT 's:' || o.oid, 'r:' || o.stxrelid, n.nspname, o.stxname, pg_catalog.pg_get_statisticsobjdef(o.oid)
                      FROM pg_catalog.pg_statistic_ext o JOIN pg_catalog.pg_namespace n ON n.oid = o.stxnamespace
                     WHERE %s ORDER BY n.nspname, o.stxname""".formatted(in("n.nspname")),
                    rs -> new SchemaModel.Statistics(rs.getString(1), rs.getString(2),
                            TableId.of(rs.getString(3), rs.getString(4)), rs.getString(5)));
            List<SchemaModel.Rule> rules = list("""
                    SELECT 'w:' || w.oid, 'r:' || w.ev_class, n.nspname, c.relname, w.rulename,
                           pg_catalog.pg_get_ruledef(w.oid)
                      FROM pg_catalog.pg_rewrite w JOIN pg_catalog.pg_class c ON c.oid = w.ev_class
                      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE w.rulename <> '_RETURN' AND %s AND %s
                     ORDER BY n.nspname, c.relname, w.rulename""".formatted(in("n.nspname"),
                    notExtensionMember("pg_class", "c.oid")),
                    rs -> new SchemaModel.Rule(rs.getString(1), rs.getString(2), TableId.of(rs.getString(3), rs.getString(4)),
                            rs.getString(5), stripSemicolon(rs.getString(6))));
            List<View> views = list("""
                    SELECT 'r:' || c.oid, n.nspname, c.relname, c.relkind = 'm', c.reloptions,
                           pg_catalog.pg_get_viewdef(c.oid), c.relispopulated
                      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.relkind IN ('v', 'm') AND %s AND %s ORDER BY n.nspname, c.relname"""
                    .formatted(in("n.nspname"), notExtensionMember("pg_class", "c.oid")),
                    rs -> new View(rs.getString(1), TableId.of(rs.getString(2), rs.getString(3)), rs.getBoolean(4),
                            strings(rs.getArray(5)), stripSemicolon(rs.getString(6)), rs.getBoolean(7)));
            List<Policy> policies = list("""
                    SELECT 'p:' || p.oid, 'r:' || p.polrelid, n.nspname, c.relname, p.polname, p.polpermissive,
                           CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                                         WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
                           ARRAY(SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.oid = ANY (p.polroles)
                                 ORDER BY r.rolname),
                           pg_catalog.pg_get_expr(p.polqual, p.polrelid),
                           pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)
                      FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
                      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE %s ORDER BY n.nspname, c.relname, p.polname""".formatted(in("n.nspname")),
                    rs -> new Policy(rs.getString(1), rs.getString(2), TableId.of(rs.getString(3), rs.getString(4)),
                            rs.getString(5), rs.getBoolean(6), rs.getString(7), strings(rs.getArray(8)),
                            rs.getString(9), rs.getString(10)));
            unsupported.addAll(list("""
                    SELECT 'collation ' || n.nspname || '.' || o.collname FROM pg_catalog.pg_collation o
                      JOIN pg_catalog.pg_namespace n ON n.oid = o.collnamespace WHERE %1$s AND %2$s
                    UNION ALL
                    SELECT 'operator ' || n.nspname || '.' || o.oprname FROM pg_catalog.pg_operator o
                      JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace WHERE %1$s AND %3$s
                    UNION ALL
                    SELECT 'operator class ' || n.nspname || '.' || o.opcname FROM pg_catalog.pg_opclass o
                      JOIN pg_catalog.pg_namespace n ON n.oid = o.opcnamespace WHERE %1$s AND %4$s
                    UNION ALL
                    SELECT 'text search configuration ' || n.nspname || '.' || o.cfgname FROM pg_catalog.pg_ts_config o
                      JOIN pg_catalog.pg_namespace n ON n.oid = o.cfgnamespace WHERE %1$s AND %5$s
                    ORDER BY 1""".formatted(in("n.nspname"), notExtensionMember("pg_collation", "o.oid"),
                    notExtensionMember("pg_operator", "o.oid"), notExtensionMember("pg_opclass", "o.oid"),
                    notExtensionMember("pg_ts_config", "o.oid")), rs -> rs.getString(1) + " is not recreated"));
            return new SchemaModel(extensions, schemas, types, functions, sequences, tables, constraints, indexes,
                    triggers, statistics, rules, views, policies, readComments(), readOwnerships(), readColumnGrants(), readDependencies(),
                    unsupported);
        }

        private List<TypeDef> readTypes() throws SQLException {
            Map<String, List<NamedDef>> checks = new LinkedHashMap<>();
            for (String[] row : list("""
                    SELECT 't:' || co.contypid, co.conname, pg_catalog.pg_get_constraintdef(co.oid)
                      FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_type t ON t.oid = co.contypid
                      JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                     WHERE co.contypid <> 0 AND co.contype = 'c' AND %s ORDER BY co.conname"""
                    .formatted(in("n.nspname")), rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)})) {
                checks.computeIfAbsent(row[0], k -> new ArrayList<>()).add(new NamedDef(row[1], row[2]));
            }
            Map<String, List<Column>> attributes = new LinkedHashMap<>();
            for (Object[] row : list("""
                    SELECT 't:' || t.oid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
                           %s
                      FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                      JOIN pg_catalog.pg_attribute a ON a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
                      JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
                     WHERE t.typtype = 'c' AND %s ORDER BY t.oid, a.attnum""".formatted(collation("a.attcollation",
                    "at.typcollation"), in("n.nspname")),
                    rs -> new Object[] {rs.getString(1), new Column(rs.getString(2), rs.getString(3), rs.getString(4),
                            false, null, null, (char) 0, null, null)})) {
                attributes.computeIfAbsent((String) row[0], k -> new ArrayList<>()).add((Column) row[1]);
            }
            return list("""
                    SELECT 't:' || t.oid, t.typtype, n.nspname, t.typname,
                           CASE t.typtype WHEN 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod)
                                          WHEN 'r' THEN pg_catalog.format_type(r.rngsubtype, NULL) END,
                           CASE WHEN t.typtype = 'd' THEN %s
                                WHEN t.typtype = 'r' AND r.rngcollation <> 0 AND r.rngcollation <> st.typcollation
                                THEN (SELECT pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(cl.collname)
                                        FROM pg_catalog.pg_collation cl JOIN pg_catalog.pg_namespace cn ON cn.oid = cl.collnamespace
                                       WHERE cl.oid = r.rngcollation) END,
                           t.typdefault, t.typnotnull,
                           ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid
                                 ORDER BY e.enumsortorder),
                           CASE WHEN t.typtype = 'r' AND NOT oc.opcdefault
                                THEN pg_catalog.quote_ident(ocn.nspname) || '.' || pg_catalog.quote_ident(oc.opcname) END,
                           CASE WHEN t.typtype = 'r' AND r.rngsubdiff <> 0 THEN r.rngsubdiff::pg_catalog.regproc::text END,
                           CASE WHEN t.typtype = 'r' AND r.rngcanonical <> 0 THEN r.rngcanonical::pg_catalog.regproc::text END
                      FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                      LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
                      LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid
                      LEFT JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype
                      LEFT JOIN pg_catalog.pg_opclass oc ON oc.oid = r.rngsubopc
                      LEFT JOIN pg_catalog.pg_namespace ocn ON ocn.oid = oc.opcnamespace
                     WHERE (t.typtype IN ('e', 'd', 'r')
                            OR (t.typtype = 'c' AND (SELECT k.relkind FROM pg_catalog.pg_class k WHERE k.oid = t.typrelid) = 'c'))
                       AND %s AND %s
                     ORDER BY n.nspname, t.typname""".formatted(collation("t.typcollation", "bt.typcollation"),
                    in("n.nspname"), notExtensionMember("pg_type", "t.oid")), rs -> {
                        String key = rs.getString(1);
                        TypeKind kind = switch (rs.getString(2).charAt(0)) {
                            case 'e' -> TypeKind.ENUM;
                            case 'd' -> TypeKind.DOMAIN;
                            case 'c' -> TypeKind.COMPOSITE;
                            default -> TypeKind.RANGE;
                        };
                        List<String> rangeOptions = new ArrayList<>();
                        if (rs.getString(10) != null) {
                            rangeOptions.add("SUBTYPE_OPCLASS = " + rs.getString(10));
                        }
                        if (rs.getString(11) != null) {
                            rangeOptions.add("SUBTYPE_DIFF = " + rs.getString(11));
                        }
                        if (rs.getString(12) != null) {
                            unsupported.add("range type " + rs.getString(3) + "." + rs.getString(4)
                                    + ": CANONICAL function " + rs.getString(12) + " is not recreated");
                        }
                        return new TypeDef(key, kind, rs.getString(3), rs.getString(4), rs.getString(5),
                                rs.getString(6), rs.getString(7), rs.getBoolean(8), strings(rs.getArray(9)),
                                attributes.getOrDefault(key, List.of()), checks.getOrDefault(key, List.of()),
                                rangeOptions);
                    });
        }

        /** The quoted collation name when a column's collation differs from its type's default. */
        private static String collation(String collColumn, String typeCollColumn) {
            return "(SELECT pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(cl.collname)"
                    + " FROM pg_catalog.pg_collation cl JOIN pg_catalog.pg_namespace cn ON cn.oid = cl.collnamespace"
                    + " WHERE cl.oid = " + collColumn + " AND " + collColumn + " <> 0 AND " + collColumn + " <> "
                    + typeCollColumn + ")";
        }

        private List<Function> readFunctions() throws SQLException {
            for (String agg : list("""
                    SELECT n.nspname || '.' || p.proname FROM pg_catalog.pg_proc p
                      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                     WHERE p.prokind = 'a' AND %s AND %s""".formatted(in("n.nspname"),
                    notExtensionMember("pg_proc", "p.oid")), rs -> rs.getString(1))) {
                unsupported.add("aggregate " + agg + " is not recreated");
            }
            return list("""
                    SELECT 'f:' || p.oid, n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid),
                           p.prokind = 'p', pg_catalog.pg_get_functiondef(p.oid)
                      FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                     WHERE p.prokind IN ('f', 'p', 'w') AND %s AND %s AND %s
                     ORDER BY n.nspname, p.proname, 4""".formatted(in("n.nspname"),
                    notExtensionMember("pg_proc", "p.oid"), notInternal("pg_proc", "p.oid")),
                    rs -> new Function(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getBoolean(5), rs.getString(6)));
        }

        private List<Sequence> readSequences() throws SQLException {
            return list("""
                    SELECT 'r:' || c.oid, n.nspname, c.relname, pg_catalog.format_type(s.seqtypid, NULL),
                           s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
                           'r:' || d.refobjid, a.attname
                      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                      JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
                      LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                           AND d.objid = c.oid AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                           AND d.refobjsubid > 0 AND d.deptype = 'a'
                      LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                     WHERE c.relkind = 'S' AND %s AND %s
                       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend i WHERE i.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                                       AND i.objid = c.oid AND i.deptype = 'i')
                     ORDER BY n.nspname, c.relname""".formatted(in("n.nspname"), notExtensionMember("pg_class", "c.oid")),
                    rs -> new Sequence(rs.getString(1), TableId.of(rs.getString(2), rs.getString(3)), rs.getString(4),
                            options(rs, 5), rs.getString(12) == null ? null : rs.getString(11), rs.getString(12)));
        }

        private static SequenceOptions options(ResultSet rs, int from) throws SQLException {
            return new SequenceOptions(rs.getLong(from), rs.getLong(from + 1), rs.getLong(from + 2),
                    rs.getLong(from + 3), rs.getLong(from + 4), rs.getBoolean(from + 5));
        }

        private List<Table> readTables() throws SQLException {
            for (String t : list("""
                    SELECT n.nspname || '.' || c.relname || ' (' || CASE c.relkind WHEN 'f' THEN 'foreign table'
                           ELSE 'inherits from ' || (SELECT string_agg(i.inhparent::pg_catalog.regclass::text, ', ')
                                                      FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid) END || ')'
                      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE %s AND (c.relkind = 'f' OR (c.relkind = 'r' AND NOT c.relispartition
                           AND EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid)))"""
                    .formatted(in("n.nspname")), rs -> rs.getString(1))) {
                unsupported.add("table " + t + " is not recreated as such (only its own columns are)");
            }
            Map<String, List<Column>> columns = new LinkedHashMap<>();
            for (Object[] row : list("""
                    SELECT 'r:' || a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), %s,
                           a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attgenerated, a.attidentity,
                           sn.nspname, sc.relname, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle
                      FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
                      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                      JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
                      LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                      LEFT JOIN pg_catalog.pg_depend dep ON a.attidentity <> ''
                           AND dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.refobjid = a.attrelid
                           AND dep.refobjsubid = a.attnum AND dep.deptype = 'i'
                           AND dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                      LEFT JOIN pg_catalog.pg_sequence s ON s.seqrelid = dep.objid
                      LEFT JOIN pg_catalog.pg_class sc ON sc.oid = s.seqrelid
                      LEFT JOIN pg_catalog.pg_namespace sn ON sn.oid = sc.relnamespace
                     WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND %s
                     ORDER BY a.attrelid, a.attnum""".formatted(collation("a.attcollation", "t.typcollation"),
                    in("n.nspname")), rs -> {
                        String generated = rs.getString(7);
                        String identity = rs.getString(8);
                        boolean isGenerated = generated != null && !generated.isEmpty();
                        boolean isIdentity = identity != null && !identity.isEmpty();
                        return new Object[] {rs.getString(1), new Column(rs.getString(2), rs.getString(3),
                                rs.getString(4), rs.getBoolean(5), isGenerated ? null : rs.getString(6),
                                isGenerated ? rs.getString(6) : null, isIdentity ? identity.charAt(0) : 0,
                                isIdentity && rs.getString(10) != null ? TableId.of(rs.getString(9), rs.getString(10)) : null,
                                isIdentity && rs.getString(10) != null ? options(rs, 11) : null)};
                    })) {
                columns.computeIfAbsent((String) row[0], k -> new ArrayList<>()).add((Column) row[1]);
            }
            Map<String, List<Check>> checks = new LinkedHashMap<>();
            for (Object[] row : list("""
                    SELECT 'r:' || co.conrelid, co.conname, pg_catalog.pg_get_constraintdef(co.oid), co.convalidated,
                           co.conislocal
                      FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class c ON c.oid = co.conrelid
                      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE co.contype = 'c' AND c.relkind IN ('r', 'p') AND %s ORDER BY co.conname"""
                    .formatted(in("n.nspname")), rs -> new Object[] {rs.getString(1),
                            new Check(rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getBoolean(5))})) {
                checks.computeIfAbsent((String) row[0], k -> new ArrayList<>()).add((Check) row[1]);
            }
            return list("""
                    SELECT 'r:' || c.oid, n.nspname, c.relname, c.relkind, c.relpersistence = 'u', c.reloptions,
                           CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,
                           CASE WHEN c.relispartition THEN (SELECT 'r:' || i.inhparent FROM pg_catalog.pg_inherits i
                                                            WHERE i.inhrelid = c.oid) END,
                           CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END,
                           c.relreplident, c.relrowsecurity, c.relforcerowsecurity, c.relpages,
                           (SELECT 'i:' || x.indexrelid FROM pg_catalog.pg_index x WHERE x.indrelid = c.oid AND x.indisreplident),
                           (SELECT k.relname FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class k ON k.oid = x.indexrelid
                             WHERE x.indrelid = c.oid AND x.indisreplident)
                      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.relkind IN ('r', 'p') AND %s AND %s
                     ORDER BY n.nspname, c.relname""".formatted(in("n.nspname"), notExtensionMember("pg_class", "c.oid")),
                    rs -> new Table(rs.getString(1), TableId.of(rs.getString(2), rs.getString(3)),
                            rs.getString(4).charAt(0), rs.getBoolean(5), strings(rs.getArray(6)),
                            columns.getOrDefault(rs.getString(1), List.of()),
                            checks.getOrDefault(rs.getString(1), List.of()), rs.getString(7), rs.getString(8),
                            rs.getString(9), rs.getString(10).charAt(0), rs.getString(14), rs.getString(15),
                            rs.getBoolean(11), rs.getBoolean(12), rs.getLong(13)));
        }

        private List<Constraint> readConstraints() throws SQLException {
            return list("""
                    SELECT 'c:' || co.oid, 'r:' || co.conrelid, n.nspname, c.relname, co.conname, co.contype,
                           pg_catalog.pg_get_constraintdef(co.oid), co.condeferrable, co.condeferred, co.convalidated,
                           CASE WHEN co.conindid <> 0 THEN 'i:' || co.conindid END,
                           CASE WHEN co.contype IN ('p', 'u') THEN pg_catalog.pg_get_indexdef(co.conindid) END,
                           c.relkind = 'p', CASE WHEN co.contype = 'f' THEN 'r:' || co.confrelid END,
                           CASE WHEN co.contype <> 'f' THEN coalesce(ic.relpages, 0) ELSE 0 END
                      FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class c ON c.oid = co.conrelid
                      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                      LEFT JOIN pg_catalog.pg_class ic ON ic.oid = co.conindid
                     WHERE co.contype IN ('p', 'u', 'x', 'f') AND co.conparentid = 0 AND %s AND %s
                     ORDER BY n.nspname, c.relname, co.conname""".formatted(in("n.nspname"),
                    notExtensionMember("pg_class", "c.oid")),
                    rs -> new Constraint(rs.getString(1), rs.getString(2), TableId.of(rs.getString(3), rs.getString(4)),
                            rs.getString(5), rs.getString(6).charAt(0), rs.getString(7), rs.getBoolean(8),
                            rs.getBoolean(9), rs.getBoolean(10), rs.getString(11), rs.getString(12), rs.getBoolean(13),
                            rs.getString(14), rs.getLong(15)));
        }

        private List<Index> readIndexes() throws SQLException {
            return list("""
                    SELECT 'i:' || i.indexrelid, 'r:' || i.indrelid, n.nspname, t.relname, ic.relname,
                           pg_catalog.pg_get_indexdef(i.indexrelid), ic.relpages,
                           CASE WHEN i.indisunique THEN 'CREATE UNIQUE INDEX ' ELSE 'CREATE INDEX ' END
                             || pg_catalog.quote_ident(ic.relname) || ' ON ONLY '
                      FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
                      JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
                      JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
                     WHERE t.relkind IN ('r', 'p', 'm') AND %s AND %s
                       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint co WHERE co.conindid = i.indexrelid
                                       AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x'))
                       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = i.indexrelid)
                     ORDER BY n.nspname, t.relname, ic.relname""".formatted(in("n.nspname"),
                    notExtensionMember("pg_class", "t.oid")), rs -> {
                        String def = rs.getString(6);
                        String onlyPrefix = rs.getString(8);
                        // ON ONLY would build an invalid parent index awaiting attached children; without it
                        // the build cascades to every partition, which is what we want.
                        if (def.startsWith(onlyPrefix)) {
                            def = onlyPrefix.substring(0, onlyPrefix.length() - "ONLY ".length())
                                    + def.substring(onlyPrefix.length());
                        }
                        return new Index(rs.getString(1), rs.getString(2), TableId.of(rs.getString(3), rs.getString(4)),
                                rs.getString(5), def, rs.getLong(7));
                    });
        }

        private List<Comment> readComments() throws SQLException {
            String sql = """
                    SELECT 'n:' || n.oid, pg_catalog.format('SCHEMA %%I', n.nspname), d.description
                      FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_description d
                        ON d.objoid = n.oid AND d.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
                     WHERE %1$s
                    UNION ALL
                    SELECT CASE WHEN c.relkind IN ('i', 'I') THEN 'i:' ELSE 'r:' END || c.oid,
                           CASE WHEN d.objsubid > 0
                                THEN pg_catalog.format('COLUMN %%I.%%I.%%I', n.nspname, c.relname, a.attname)
                                ELSE pg_catalog.format(CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                    WHEN 'S' THEN 'SEQUENCE' WHEN 'i' THEN 'INDEX' WHEN 'I' THEN 'INDEX'
                                    WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END || ' %%I.%%I', n.nspname, c.relname) END,
                           d.description
                      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                      JOIN pg_catalog.pg_description d ON d.objoid = c.oid
                           AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
                      LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid
                     WHERE %1$s AND %2$s
                    UNION ALL
                    SELECT 'c:' || co.oid,
                           CASE WHEN co.contypid <> 0
                                THEN pg_catalog.format('CONSTRAINT %%I ON DOMAIN %%I.%%I', co.conname, tn.nspname, t.typname)
                                ELSE pg_catalog.format('CONSTRAINT %%I ON %%I.%%I', co.conname, n.nspname, c.relname) END,
                           d.description
                      FROM pg_catalog.pg_constraint co
                      JOIN pg_catalog.pg_description d ON d.objoid = co.oid
                           AND d.classoid = 'pg_catalog.pg_constraint'::pg_catalog.regclass
                      LEFT JOIN pg_catalog.pg_class c ON c.oid = co.conrelid
                      LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                      LEFT JOIN pg_catalog.pg_type t ON t.oid = co.contypid
                      LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
                     WHERE COALESCE(n.nspname, tn.nspname) IS NOT NULL AND %3$s
                    UNION ALL
                    SELECT 't:' || t.oid, pg_catalog.format(CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END
                           || ' %%I.%%I', n.nspname, t.typname), d.description
                      FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                      JOIN pg_catalog.pg_description d ON d.objoid = t.oid
                           AND d.classoid = 'pg_catalog.pg_type'::pg_catalog.regclass
                     WHERE %1$s AND %4$s
                    UNION ALL
                    SELECT 'f:' || p.oid, pg_catalog.format(CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END
                           || ' %%I.%%I(%%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)),
                           d.description
                      FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                      JOIN pg_catalog.pg_description d ON d.objoid = p.oid
                           AND d.classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                     WHERE %1$s AND %5$s
                    UNION ALL
                    SELECT 'g:' || g.oid, pg_catalog.format('TRIGGER %%I ON %%I.%%I', g.tgname, n.nspname, c.relname),
                           d.description
                      FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
                      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                      JOIN pg_catalog.pg_description d ON d.objoid = g.oid
                           AND d.classoid = 'pg_catalog.pg_trigger'::pg_catalog.regclass
                     WHERE %1$s AND NOT g.tgisinternal AND g.tgparentid = 0
                    UNION ALL
                    SELECT 'w:' || w.oid, pg_catalog.format('RULE %%I ON %%I.%%I', w.rulename, n.nspname, c.relname),
                           d.description
                      FROM pg_catalog.pg_rewrite w JOIN pg_catalog.pg_class c ON c.oid = w.ev_class
                      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                      JOIN pg_catalog.pg_description d ON d.objoid = w.oid
                           AND d.classoid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
                     WHERE %1$s AND w.rulename <> '_RETURN'
                    UNION ALL
                    SELECT 's:' || o.oid, pg_catalog.format('STATISTICS %%I.%%I', n.nspname, o.stxname), d.description
                      FROM pg_catalog.pg_statistic_ext o JOIN pg_catalog.pg_namespace n ON n.oid = o.stxnamespace
                      JOIN pg_catalog.pg_description d ON d.objoid = o.oid
                           AND d.classoid = 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass
                     WHERE %1$s
                    UNION ALL
                    SELECT 'p:' || p.oid, pg_catalog.format('POLICY %%I ON %%I.%%I', p.polname, n.nspname, c.relname),
                           d.description
                      FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
                      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                      JOIN pg_catalog.pg_description d ON d.objoid = p.oid
                           AND d.classoid = 'pg_catalog.pg_policy'::pg_catalog.regclass
                     WHERE %1$s
                    ORDER BY 2""".formatted(in("n.nspname"), notExtensionMember("pg_class", "c.oid"),
                    in("COALESCE(n.nspname, tn.nspname)"), notExtensionMember("pg_type", "t.oid"),
                    notExtensionMember("pg_proc", "p.oid"));
            return list(sql, rs -> new Comment(rs.getString(1), rs.getString(2), rs.getString(3)));
        }

        private List<SchemaModel.ColumnGrants> readColumnGrants() throws SQLException {
            return list("""
                    SELECT 'r:' || c.oid, n.nspname, c.relname, a.attname,
                           ARRAY(SELECT COALESCE(r.rolname, '') FROM pg_catalog.aclexplode(a.attacl) x
                                 LEFT JOIN pg_catalog.pg_roles r ON r.oid = x.grantee ORDER BY 1, x.privilege_type),
                           ARRAY(SELECT x.privilege_type FROM pg_catalog.aclexplode(a.attacl) x
                                 LEFT JOIN pg_catalog.pg_roles r ON r.oid = x.grantee ORDER BY COALESCE(r.rolname, ''), 1),
                           ARRAY(SELECT x.is_grantable FROM pg_catalog.aclexplode(a.attacl) x
                                 LEFT JOIN pg_catalog.pg_roles r ON r.oid = x.grantee ORDER BY COALESCE(r.rolname, ''),
                                 x.privilege_type)
                      FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
                      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped
                       AND c.relkind IN ('r', 'p', 'v', 'm') AND %s AND %s
                     ORDER BY n.nspname, c.relname, a.attnum""".formatted(in("n.nspname"),
                    notExtensionMember("pg_class", "c.oid")), rs -> new SchemaModel.ColumnGrants(rs.getString(1),
                            TableId.of(rs.getString(2), rs.getString(3)), rs.getString(4), grants(rs, 5)));
        }

        private static List<Grant> grants(ResultSet rs, int from) throws SQLException {
            String[] grantees = (String[]) rs.getArray(from).getArray();
            String[] privileges = (String[]) rs.getArray(from + 1).getArray();
            Boolean[] grantable = (Boolean[]) rs.getArray(from + 2).getArray();
            List<Grant> grants = new ArrayList<>();
            for (int i = 0; i < grantees.length; i++) {
                grants.add(new Grant(grantees[i].isEmpty() ? null : grantees[i], privileges[i], grantable[i]));
            }
            return List.copyOf(grants);
        }

        private List<Ownership> readOwnerships() throws SQLException {
            String acl = """
                    ARRAY(SELECT COALESCE(r.rolname, '') FROM pg_catalog.aclexplode(%1$s) x
                          LEFT JOIN pg_catalog.pg_roles r ON r.oid = x.grantee ORDER BY 1, x.privilege_type),
                    ARRAY(SELECT x.privilege_type FROM pg_catalog.aclexplode(%1$s) x
                          LEFT JOIN pg_catalog.pg_roles r ON r.oid = x.grantee ORDER BY COALESCE(r.rolname, ''), 1),
                    ARRAY(SELECT x.is_grantable FROM pg_catalog.aclexplode(%1$s) x
                          LEFT JOIN pg_catalog.pg_roles r ON r.oid = x.grantee ORDER BY COALESCE(r.rolname, ''),
                          x.privilege_type),
                    %1$s IS NOT NULL""";
            String sql = """
                    SELECT 'n:' || n.oid, 'SCHEMA', 'SCHEMA', pg_catalog.quote_ident(n.nspname),
                           pg_catalog.pg_get_userbyid(n.nspowner), %6$s, false
                      FROM pg_catalog.pg_namespace n WHERE %1$s
                    UNION ALL
                    SELECT 'r:' || c.oid, CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                           WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                           pg_catalog.format('%%I.%%I', n.nspname, c.relname), pg_catalog.pg_get_userbyid(c.relowner), %7$s,
                           c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend i
                               WHERE i.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND i.objid = c.oid
                                 AND i.refobjsubid > 0 AND i.deptype IN ('a', 'i'))
                      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND %1$s AND %2$s
                    UNION ALL
                    SELECT 't:' || t.oid, CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
                           CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
                           pg_catalog.format('%%I.%%I', n.nspname, t.typname), pg_catalog.pg_get_userbyid(t.typowner), %8$s, false
                      FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                     WHERE (t.typtype IN ('e', 'd', 'r')
                            OR (t.typtype = 'c' AND (SELECT k.relkind FROM pg_catalog.pg_class k WHERE k.oid = t.typrelid) = 'c'))
                       AND %1$s AND %3$s
                    UNION ALL
                    SELECT 'f:' || p.oid, CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
                           CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
                           pg_catalog.format('%%I.%%I(%%s)', n.nspname, p.proname,
                                             pg_catalog.pg_get_function_identity_arguments(p.oid)),
                           pg_catalog.pg_get_userbyid(p.proowner), %9$s, false
                      FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                     WHERE p.prokind IN ('f', 'p', 'w') AND %1$s AND %4$s AND %5$s
                    UNION ALL
                    SELECT 's:' || o.oid, 'STATISTICS', NULL, pg_catalog.format('%%I.%%I', n.nspname, o.stxname),
                           pg_catalog.pg_get_userbyid(o.stxowner), NULL, NULL, NULL, false, false
                      FROM pg_catalog.pg_statistic_ext o JOIN pg_catalog.pg_namespace n ON n.oid = o.stxnamespace
                     WHERE %1$s
                    ORDER BY 1""".formatted(in("n.nspname"), notExtensionMember("pg_class", "c.oid"),
                    notExtensionMember("pg_type", "t.oid"), notExtensionMember("pg_proc", "p.oid"), notInternal("pg_proc", "p.oid"),
                    acl.formatted("n.nspacl"), acl.formatted("c.relacl"), acl.formatted("t.typacl"),
                    acl.formatted("p.proacl"));
            return list(sql, rs -> {
                List<Grant> grants = rs.getBoolean(9) ? grants(rs, 6) : null;
                return new Ownership(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), grants, rs.getBoolean(10));
            });
        }

        /**
         * pg_depend edges between the objects we recreate, each side folded onto the object that one
         * CREATE statement makes: a column default, a CHECK constraint or a row type onto its table, an
         * array type onto its element type, a view's rewrite rule onto the view. Keys, foreign keys and
         * indexes stay themselves (post-data). A sequence's OWNED BY link is left out: it is set after
         * both exist.
         */
        private List<Dependency> readDependencies() throws SQLException {
            String sql = """
                    SELECT DISTINCT %s, %s, %s
                      FROM pg_catalog.pg_depend d
                     WHERE d.deptype IN ('n', 'a')
                       AND d.classid IN ('pg_catalog.pg_class'::pg_catalog.regclass, 'pg_catalog.pg_type'::pg_catalog.regclass,
                                         'pg_catalog.pg_proc'::pg_catalog.regclass, 'pg_catalog.pg_attrdef'::pg_catalog.regclass,
                                         'pg_catalog.pg_constraint'::pg_catalog.regclass, 'pg_catalog.pg_rewrite'::pg_catalog.regclass,
                                         'pg_catalog.pg_trigger'::pg_catalog.regclass, 'pg_catalog.pg_policy'::pg_catalog.regclass)
                       AND d.refclassid IN ('pg_catalog.pg_class'::pg_catalog.regclass, 'pg_catalog.pg_type'::pg_catalog.regclass,
                                            'pg_catalog.pg_proc'::pg_catalog.regclass, 'pg_catalog.pg_constraint'::pg_catalog.regclass)
                       AND d.refobjid >= 16384 AND d.objid >= 16384
                       AND NOT (d.deptype = 'a' AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                                AND (SELECT k.relkind FROM pg_catalog.pg_class k WHERE k.oid = d.objid) = 'S')
                    """.formatted(resolve("d.classid", "d.objid"), resolve("d.refclassid", "d.refobjid"),
                    exact("d.refclassid", "d.refobjid"));
            List<Dependency> out = new ArrayList<>();
            for (Dependency dep : list(sql, rs -> new Dependency(rs.getString(1), rs.getString(2), rs.getString(3)))) {
                if (dep.from() != null && dep.to() != null && !dep.from().equals(dep.to())) {
                    out.add(dep);
                }
            }
            return out;
        }

        private static String exact(String cls, String oid) {
            return ("CASE WHEN %1$s = 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN 'c:' || %2$s"
                    + " WHEN %1$s = 'pg_catalog.pg_class'::pg_catalog.regclass AND (SELECT k.relkind FROM pg_catalog.pg_class k"
                    + " WHERE k.oid = %2$s) IN ('i', 'I') THEN 'i:' || %2$s ELSE %3$s END")
                    .formatted(cls, oid, resolve(cls, oid));
        }

        private static String resolve(String cls, String oid) {
            return """
                    (CASE %1$s
                      WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN
                        (SELECT CASE WHEN k.relkind IN ('i', 'I') THEN 'i:' || k.oid
                                     WHEN k.relkind = 'c' THEN 't:' || k.reltype ELSE 'r:' || k.oid END
                           FROM pg_catalog.pg_class k WHERE k.oid = %2$s)
                      WHEN 'pg_catalog.pg_type'::pg_catalog.regclass THEN
                        (SELECT CASE WHEN e.typrelid <> 0 AND ek.relkind <> 'c' THEN 'r:' || e.typrelid ELSE 't:' || e.oid END
                           FROM pg_catalog.pg_type t0
                           LEFT JOIN pg_catalog.pg_type el ON el.typarray = t0.oid
                           JOIN pg_catalog.pg_type e ON e.oid = COALESCE(el.oid, t0.oid)
                           LEFT JOIN pg_catalog.pg_class ek ON ek.oid = e.typrelid
                          WHERE t0.oid = %2$s)
                      WHEN 'pg_catalog.pg_proc'::pg_catalog.regclass THEN 'f:' || %2$s
                      WHEN 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN
                        (SELECT 'r:' || ad.adrelid FROM pg_catalog.pg_attrdef ad WHERE ad.oid = %2$s)
                      WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN
                        (SELECT CASE WHEN co.contype IN ('p', 'u', 'x', 'f') THEN 'c:' || co.oid
                                     WHEN co.conrelid <> 0 THEN 'r:' || co.conrelid ELSE 't:' || co.contypid END
                           FROM pg_catalog.pg_constraint co WHERE co.oid = %2$s)
                      WHEN 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN
                        (SELECT CASE WHEN rw.rulename = '_RETURN' THEN 'r:' || rw.ev_class ELSE 'w:' || rw.oid END
                           FROM pg_catalog.pg_rewrite rw WHERE rw.oid = %2$s)
                      WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN 'g:' || %2$s
                      WHEN 'pg_catalog.pg_policy'::pg_catalog.regclass THEN 'p:' || %2$s
                    END)""".formatted(cls, oid);
        }
    }

    static List<String> strings(Array a) throws SQLException {
        if (a == null) {
            return List.of();
        }
        Object[] values = (Object[]) a.getArray();
        return Arrays.stream(values).map(String::valueOf).toList();
    }

    static String stripSemicolon(String s) {
        String t = s.strip();
        return t.endsWith(";") ? t.substring(0, t.length() - 1) : t;
    }
}
