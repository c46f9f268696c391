package io.inflight.postgres.schema;

import io.inflight.core.TableId;
import java.util.List;

/**
 * Everything a source database holds in the chosen schemas, as read by {@link SchemaReader}: immutable
 * values whose definitions were rendered by PostgreSQL itself ({@code pg_get_*def}, {@code format_type},
 * {@code pg_get_expr}) with an empty {@code search_path}, so every name in them is schema-qualified.
 *
 * <p>Objects are identified by a key {@code "<kind>:<oid>"} (n namespace, e extension, t type, f
 * function, r relation, c constraint, i index, g trigger, p policy, s statistics, w rule). Keys are only meaningful within one
 * model; they link objects to {@link #dependencies()} and to their comments and privileges.
 */
public record SchemaModel(
        List<Extension> extensions,
        List<Namespace> schemas,
        List<TypeDef> types,
        List<Function> functions,
        List<Sequence> sequences,
        List<Table> tables,
        List<Constraint> constraints,
        List<Index> indexes,
        List<Trigger> triggers,
        List<Statistics> statistics,
        List<Rule> rules,
        List<View> views,
        List<Policy> policies,
        List<Comment> comments,
        List<Ownership> ownerships,
        List<ColumnGrants> columnGrants,
        List<Dependency> dependencies,
        List<String> unsupported) {

    public SchemaModel {
        extensions = List.copyOf(extensions);
        schemas = List.copyOf(schemas);
        types = List.copyOf(types);
        functions = List.copyOf(functions);
        sequences = List.copyOf(sequences);
        tables = List.copyOf(tables);
        constraints = List.copyOf(constraints);
        indexes = List.copyOf(indexes);
        triggers = List.copyOf(triggers);
        statistics = List.copyOf(statistics);
        rules = List.copyOf(rules);
        views = List.copyOf(views);
        policies = List.copyOf(policies);
        comments = List.copyOf(comments);
        ownerships = List.copyOf(ownerships);
        columnGrants = List.copyOf(columnGrants);
        dependencies = List.copyOf(dependencies);
        unsupported = List.copyOf(unsupported);
    }

    public record Extension(String key, String name, String schema) {
    }

    public record Namespace(String key, String name) {
    }

    public enum TypeKind { ENUM, DOMAIN, COMPOSITE, RANGE }

    /**
     * A user-defined type. {@code base} is the domain's base type or the range's subtype; {@code labels}
     * the enum labels in order; {@code attributes} the composite's fields; {@code checks} the domain's
     * constraints; {@code rangeOptions} extra range options already rendered ({@code SUBTYPE_DIFF = ...}).
     */
    public record TypeDef(String key, TypeKind kind, String schema, String name, String base, String collation,
            String defaultExpr, boolean notNull, List<String> labels, List<Column> attributes,
            List<NamedDef> checks, List<String> rangeOptions) {
        public String qualified() {
            return TableId.of(schema, name).quoted();
        }
    }

    /** A named definition, e.g. a domain constraint: {@code CONSTRAINT name <definition>}. */
    public record NamedDef(String name, String definition) {
    }

    /** A function or procedure; {@code definition} is {@code pg_get_functiondef}. */
    public record Function(String key, String schema, String name, String identityArgs, boolean procedure,
            String definition) {
    }

    /** A free-standing or serial sequence (identity sequences belong to their column instead). */
    public record Sequence(String key, TableId id, String dataType, SequenceOptions options, String ownedByTable,
            String ownedByColumn) {
    }

    public record SequenceOptions(long start, long increment, long min, long max, long cache, boolean cycle) {
        /** The option list shared by CREATE SEQUENCE and identity columns. */
        public String render() {
            return "START WITH " + start + " INCREMENT BY " + increment + " MINVALUE " + min + " MAXVALUE " + max
                    + " CACHE " + cache + (cycle ? " CYCLE" : " NO CYCLE");
        }
    }

    /**
     * A table column or a composite type's field. {@code identity} is 'a' (ALWAYS), 'd' (BY DEFAULT) or
     * 0; {@code generatedExpr} is set for stored generated columns (then {@code defaultExpr} is null).
     */
    public record Column(String name, String type, String collation, boolean notNull, String defaultExpr,
            String generatedExpr, char identity, TableId identitySequence, SequenceOptions identityOptions) {
    }

    /**
     * A table ({@code relkind} 'r') or partitioned table ('p'). For a partition, {@code parentKey} and
     * {@code partitionBound} ("FOR VALUES ..." or "DEFAULT") are set; {@code partitionKey} is set on a
     * partitioned table. {@code checks} are the CHECK constraints defined on this table itself.
     */
    public record Table(String key, TableId id, char relkind, boolean unlogged, List<String> reloptions,
            List<Column> columns, List<Check> checks, String partitionKey, String parentKey,
            String partitionBound, char replicaIdentity, String replicaIndexKey, String replicaIndexName,
            boolean rowSecurity, boolean forceRowSecurity, long pages) {
        public boolean partitioned() {
            return relkind == 'p';
        }
    }

    /** A CHECK constraint of a table; {@code local} false when inherited from a partitioned parent. */
    public record Check(String name, String definition, boolean validated, boolean local) {
    }

    /**
     * A primary key ('p'), unique ('u'), exclusion ('x') or foreign key ('f') constraint defined on a
     * table itself (not cloned to a partition from its parent). {@code indexKey} is the constraint's own
     * index for p/u/x and the referenced index for f; {@code indexPages} the size of the constraint's own
     * index on the source (0 for f), a measure of what building it costs.
     */
    public record Constraint(String key, String tableKey, TableId table, String name, char type, String definition,
            boolean deferrable, boolean deferred, boolean validated, String indexKey, String indexDefinition,
            boolean onPartitioned, String referencedTableKey, long indexPages) {
    }

    /**
     * An index not owned by a constraint and not attached to a parent partitioned index. The definition
     * is {@code pg_get_indexdef} with {@code ON ONLY} dropped, so that building it on a partitioned table
     * cascades to the partitions.
     */
    public record Index(String key, String tableKey, TableId table, String name, String definition, long pages) {
    }

    /** A user trigger (not internal, not cloned from a parent); {@code enabled} is pg_trigger.tgenabled. */
    public record Trigger(String key, String tableKey, TableId table, String name, String definition, char enabled) {
    }

    /** An extended statistics object; {@code definition} is {@code pg_get_statisticsobjdef}. */
    public record Statistics(String key, String tableKey, TableId id, String definition) {
    }

    /** A rewrite rule other than a view's own; {@code definition} is {@code pg_get_ruledef}. */
    public record Rule(String key, String tableKey, TableId table, String name, String definition) {
    }

    /** A view or materialized view; {@code query} is {@code pg_get_viewdef}. */
    public record View(String key, TableId id, boolean materialized, List<String> reloptions, String query,
            boolean populated) {
    }

    /** A row level security policy; {@code roles} empty means PUBLIC. */
    public record Policy(String key, String tableKey, TableId table, String name, boolean permissive, String command,
            List<String> roles, String using, String withCheck) {
    }

    /**
     * A comment; {@code target} is the object part of {@code COMMENT ON <target> IS ...} already quoted,
     * {@code objectKey} the object it needs to exist.
     */
    public record Comment(String objectKey, String target, String text) {
    }

    /**
     * Owner and privileges of an object. {@code alterKind} is the word of {@code ALTER <kind> <name> OWNER},
     * {@code grantKind} the one of {@code GRANT ... ON <kind> <name>}. {@code grants} is null when the
     * object has its default privileges. {@code followsTable}: a sequence owned by a column, whose owner
     * PostgreSQL keeps equal to its table's.
     */
    public record Ownership(String objectKey, String alterKind, String grantKind, String name, String owner,
            List<Grant> grants, boolean followsTable) {
    }

    /** The privileges granted on one column of a table or view ({@code attacl}). */
    public record ColumnGrants(String tableKey, TableId table, String column, List<Grant> grants) {
    }

    /** One privilege; {@code grantee} null for PUBLIC. */
    public record Grant(String grantee, String privilege, boolean grantable) {
    }

    /** {@code from} needs {@code to} to exist first; {@code toExact} is the referenced sub-object's own key. */
    public record Dependency(String from, String to, String toExact) {
    }
}
