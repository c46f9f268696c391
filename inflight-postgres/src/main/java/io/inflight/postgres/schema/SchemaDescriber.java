package io.inflight.postgres.schema;

import static io.inflight.postgres.schema.SchemaReader.notExtensionMember;

import io.inflight.core.ErrorCode;
import io.inflight.core.Identifiers;
import io.inflight.core.InflightException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A normalized, sorted, textual description of every object in the chosen schemas, one line per object
 * or sub-object, with definitions rendered by the server ({@code pg_get_*def}) and no OIDs. Two databases
 * with the same schema give the same text, whatever the order their objects were made in; comparing
 * the texts shows what differs.
 *
 * <p>Left out on purpose: multirange types and their constructor functions
 * (PostgreSQL 14 and newer make them for every range type), triggers cloned to partitions from their
 * parent's (PostgreSQL 13 hides them as internal, newer versions do not) and sequence positions (data,
 * see {@link SequenceSync}).
 */
public final class SchemaDescriber {

    private SchemaDescriber() {
    }

    public static String describe(Connection c, SchemaFilter filter) {
        try {
            String saved = SchemaReader.queryString(c, "SELECT current_setting('search_path')");
            SchemaReader.exec(c, "SELECT pg_catalog.set_config('search_path', '', false)");
            try {
                List<String> lines = new ArrayList<>();
                for (String q : queries(filter)) {
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(q)) {
                        while (rs.next()) {
                            lines.add(rs.getString(1));
                        }
                    }
                }
                Collections.sort(lines);
                return String.join("\n", lines) + "\n";
            } finally {
                SchemaReader.exec(c, "SELECT pg_catalog.set_config('search_path', " + Identifiers.literal(saved) + ", false)");
            }
        } catch (SQLException e) {
            throw new InflightException(ErrorCode.INTERNAL, "describing the schema failed: " + e.getMessage(),
                    e.getSQLState(), e);
        }
    }

    private static List<String> queries(SchemaFilter f) {
        String ns = f.sqlCondition("n.nspname");
        String acl = "COALESCE((SELECT string_agg(x::text, ',' ORDER BY x::text) FROM pg_catalog.unnest(%s) x), '-')";
        return List.of(
                // schemas
                """
                SELECT 'schema ' || pg_catalog.quote_ident(n.nspname)
                       || ' owner ' || pg_catalog.pg_get_userbyid(n.nspowner) || ' acl ' || %s
                       || ' comment ' || COALESCE(pg_catalog.obj_description(n.oid, 'pg_namespace'), '-')
                  FROM pg_catalog.pg_namespace n WHERE %s""".formatted(acl.formatted("n.nspacl"), ns),
                // extensions
                """
                SELECT 'extension ' || e.extname || ' schema ' || n.nspname
                  FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
                 WHERE e.extname <> 'plpgsql' AND %s""".formatted(ns),
                // types
                """
                SELECT 'type ' || pg_catalog.format_type(t.oid, NULL) || ' kind ' || t.typtype::text
                       || ' owner ' || pg_catalog.pg_get_userbyid(t.typowner) || ' acl ' || %s
                       || CASE t.typtype WHEN 'e' THEN ' labels ' || (SELECT string_agg(e.enumlabel::text, ',' ORDER BY e.enumsortorder)
                                                                     FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid)
                            WHEN 'd' THEN ' base ' || pg_catalog.format_type(t.typbasetype, t.typtypmod) || ' notnull ' || t.typnotnull
                                 || ' default ' || COALESCE(t.typdefault, '-') || ' collation ' || t.typcollation::pg_catalog.regcollation::text
                            WHEN 'r' THEN ' subtype ' || (SELECT pg_catalog.format_type(r.rngsubtype, NULL) || ' opc '
                                 || (SELECT oc.opcname::text FROM pg_catalog.pg_opclass oc WHERE oc.oid = r.rngsubopc)
                                 || ' diff ' || r.rngsubdiff::pg_catalog.regproc::text
                                 FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid)
                            WHEN 'c' THEN ' attributes ' || (SELECT string_agg(pg_catalog.quote_ident(a.attname) || ' '
                                 || pg_catalog.format_type(a.atttypid, a.atttypmod) || ' ' || a.attcollation::pg_catalog.regcollation::text,
                                 ', ' ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
                                 WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
                            ELSE '' END
                       || ' comment ' || COALESCE(pg_catalog.obj_description(t.oid, 'pg_type'), '-')
                  FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                 WHERE (t.typtype IN ('e', 'd', 'r')
                        OR (t.typtype = 'c' AND (SELECT k.relkind FROM pg_catalog.pg_class k WHERE k.oid = t.typrelid) = 'c'))
                   AND %s AND %s""".formatted(acl.formatted("t.typacl"), ns, notExtensionMember("pg_type", "t.oid")),
                // constraints of tables and domains
                """
                SELECT 'constraint ' || COALESCE(co.conrelid::pg_catalog.regclass::text, pg_catalog.format_type(co.contypid, NULL))
                       || ' ' || pg_catalog.quote_ident(co.conname) || ' ' || pg_catalog.pg_get_constraintdef(co.oid)
                       || ' deferrable ' || co.condeferrable || ' deferred ' || co.condeferred
                       || ' validated ' || co.convalidated || ' local ' || co.conislocal || ' inherited ' || co.coninhcount
                       || ' index ' || COALESCE(co.conindid::pg_catalog.regclass::text, '-')
                       || ' comment ' || COALESCE(pg_catalog.obj_description(co.oid, 'pg_constraint'), '-')
                  FROM pg_catalog.pg_constraint co
                  LEFT JOIN pg_catalog.pg_class c ON c.oid = co.conrelid
                  LEFT JOIN pg_catalog.pg_type t ON t.oid = co.contypid
                  JOIN pg_catalog.pg_namespace n ON n.oid = COALESCE(c.relnamespace, t.typnamespace)
                 WHERE co.contype <> 'n' AND %s""".formatted(ns),
                // functions
                """
                SELECT 'function ' || p.oid::pg_catalog.regprocedure::text || ' owner ' || pg_catalog.pg_get_userbyid(p.proowner)
                       || ' acl ' || %s || ' comment ' || COALESCE(pg_catalog.obj_description(p.oid, 'pg_proc'), '-')
                       || E'\\n' || CASE WHEN p.prokind = 'a' THEN 'aggregate' ELSE pg_catalog.pg_get_functiondef(p.oid) END
                  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                 WHERE %s AND %s AND %s""".formatted(acl.formatted("p.proacl"), ns, notExtensionMember("pg_proc", "p.oid"),
                        SchemaReader.notInternal("pg_proc", "p.oid")),
                // relations
                """
                SELECT 'relation ' || c.oid::pg_catalog.regclass::text || ' kind ' || c.relkind::text || ' persistence ' || c.relpersistence::text
                       || ' owner ' || pg_catalog.pg_get_userbyid(c.relowner) || ' acl ' || %s
                       || ' options ' || COALESCE(c.reloptions::text, '-') || ' replident ' || c.relreplident::text
                       || ' rls ' || c.relrowsecurity || '/' || c.relforcerowsecurity
                       || CASE WHEN c.relkind = 'p' THEN ' partition by ' || pg_catalog.pg_get_partkeydef(c.oid) ELSE '' END
                       || CASE WHEN c.relispartition THEN ' partition of ' || (SELECT i.inhparent::pg_catalog.regclass::text
                                FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid) || ' '
                                || pg_catalog.pg_get_expr(c.relpartbound, c.oid) ELSE '' END
                       || CASE WHEN c.relkind IN ('v', 'm') THEN ' populated ' || c.relispopulated || E'\\n'
                                || pg_catalog.pg_get_viewdef(c.oid) ELSE '' END
                       || CASE WHEN c.relkind = 'S' THEN (SELECT ' sequence ' || pg_catalog.format_type(s.seqtypid, NULL) || ' '
                                || s.seqstart || ' ' || s.seqincrement || ' ' || s.seqmin || ' ' || s.seqmax || ' ' || s.seqcache
                                || ' ' || s.seqcycle FROM pg_catalog.pg_sequence s WHERE s.seqrelid = c.oid)
                                || COALESCE((SELECT ' owned by ' || d.refobjid::pg_catalog.regclass::text || '.' || a.attname
                                   || ' ' || d.deptype::text FROM pg_catalog.pg_depend d
                                   JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                                   WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
                                     AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')), '') ELSE '' END
                       || ' comment ' || COALESCE(pg_catalog.obj_description(c.oid, 'pg_class'), '-')
                  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND %s AND %s""".formatted(
                        acl.formatted("c.relacl"), ns, notExtensionMember("pg_class", "c.oid")),
                // columns, in order, numbered among the live ones
                """
                SELECT 'column ' || c.oid::pg_catalog.regclass::text || ' #'
                       || pg_catalog.lpad((pg_catalog.row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum))::text, 3, '0')
                       || ' ' || pg_catalog.quote_ident(a.attname) || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod)
                       || ' collation ' || a.attcollation::pg_catalog.regcollation::text
                       || ' notnull ' || a.attnotnull || ' identity ' || COALESCE(NULLIF(a.attidentity::text, ''), '-')
                       || ' generated ' || COALESCE(NULLIF(a.attgenerated::text, ''), '-')
                       || ' default ' || COALESCE(pg_catalog.pg_get_expr(d.adbin, d.adrelid), '-')
                       || ' local ' || a.attislocal || ' acl ' || %s
                       || ' comment ' || COALESCE(pg_catalog.col_description(c.oid, a.attnum), '-')
                  FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
                  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped AND %s AND %s""".formatted(
                        acl.formatted("a.attacl"), ns, notExtensionMember("pg_class", "c.oid")),
                // indexes
                """
                SELECT 'index ' || pg_catalog.pg_get_indexdef(i.indexrelid) || ' valid ' || i.indisvalid
                       || ' replident ' || i.indisreplident || ' clustered ' || i.indisclustered
                       || ' comment ' || COALESCE(pg_catalog.obj_description(i.indexrelid, 'pg_class'), '-')
                  FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
                  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE %s AND %s""".formatted(ns, notExtensionMember("pg_class", "c.oid")),
                // triggers, including the ones cloned to partitions
                """
                SELECT 'trigger ' || pg_catalog.pg_get_triggerdef(g.oid) || ' enabled ' || g.tgenabled::text
                       || ' comment ' || COALESCE(pg_catalog.obj_description(g.oid, 'pg_trigger'), '-')
                  FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
                  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE NOT g.tgisinternal AND g.tgparentid = 0 AND %s""".formatted(ns),
                // rules other than views' own
                """
                SELECT 'rule ' || pg_catalog.pg_get_ruledef(w.oid) || ' enabled ' || w.ev_enabled::text
                       || ' comment ' || COALESCE(pg_catalog.obj_description(w.oid, 'pg_rewrite'), '-')
                  FROM pg_catalog.pg_rewrite w JOIN pg_catalog.pg_class c ON c.oid = w.ev_class
                  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE w.rulename <> '_RETURN' AND %s""".formatted(ns),
                // extended statistics
                """
                SELECT 'statistics ' || pg_catalog.pg_get_statisticsobjdef(o.oid) || ' owner '
                       || pg_catalog.pg_get_userbyid(o.stxowner)
                       || ' comment ' || COALESCE(pg_catalog.obj_description(o.oid, 'pg_statistic_ext'), '-')
                  FROM pg_catalog.pg_statistic_ext o JOIN pg_catalog.pg_namespace n ON n.oid = o.stxnamespace
                 WHERE %s""".formatted(ns),
                // policies
                """
                SELECT 'policy ' || pg_catalog.quote_ident(p.polname) || ' on ' || c.oid::pg_catalog.regclass::text
                       || ' ' || p.polcmd::text || ' ' || p.polpermissive
                       || ' roles ' || (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r)::text END,
                                        ',' ORDER BY 1) FROM pg_catalog.unnest(p.polroles) r)
                       || ' using ' || COALESCE(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '-')
                       || ' check ' || COALESCE(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '-')
                  FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
                  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE %s""".formatted(ns));
    }
}
