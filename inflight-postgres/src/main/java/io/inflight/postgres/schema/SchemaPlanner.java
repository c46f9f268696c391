package io.inflight.postgres.schema;

import static io.inflight.core.Identifiers.literal;
import static io.inflight.core.Identifiers.quote;

import io.inflight.core.TableId;
import io.inflight.postgres.schema.DdlStep.Sql;
import io.inflight.postgres.schema.SchemaModel.Check;
import io.inflight.postgres.schema.SchemaModel.Column;
import io.inflight.postgres.schema.SchemaModel.Comment;
import io.inflight.postgres.schema.SchemaModel.Constraint;
import io.inflight.postgres.schema.SchemaModel.Dependency;
import io.inflight.postgres.schema.SchemaModel.Extension;
import io.inflight.postgres.schema.SchemaModel.Grant;
import io.inflight.postgres.schema.SchemaModel.Index;
import io.inflight.postgres.schema.SchemaModel.Ownership;
import io.inflight.postgres.schema.SchemaModel.Policy;
import io.inflight.postgres.schema.SchemaModel.Sequence;
import io.inflight.postgres.schema.SchemaModel.Table;
import io.inflight.postgres.schema.SchemaModel.Trigger;
import io.inflight.postgres.schema.SchemaModel.TypeDef;
import io.inflight.postgres.schema.SchemaModel.View;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns a {@link SchemaModel} into a {@link SchemaPlan}. Pure: no database access. Pre-data objects are
 * put in an order where each comes after what it depends on (pg_depend, topologically sorted); post-data
 * steps carry their dependencies for the parallel runner.
 */
public final class SchemaPlanner {

    private SchemaPlanner() {
    }

    public static SchemaPlan plan(SchemaModel m) {
        List<DdlStep> pre = preData(m);
        PostData postData = new PostData(m);
        List<DdlStep> post = postData.build();
        List<TableId> tables = m.tables().stream().map(Table::id).toList();
        return new SchemaPlan(pre, post, tables, m.unsupported(), postData.dataNeeded(post));
    }

    // ---------------------------------------------------------------- pre-data

    private static List<DdlStep> preData(SchemaModel m) {
        List<DdlStep> fixed = new ArrayList<>();
        Set<String> schemaNames = new LinkedHashSet<>();
        m.schemas().forEach(n -> schemaNames.add(n.name()));
        m.extensions().forEach(e -> schemaNames.add(e.schema()));
        for (String s : schemaNames) {
            fixed.add(DdlStep.simple("schema:" + s, "schema " + quote(s),
                    List.of("CREATE SCHEMA IF NOT EXISTS " + quote(s))));
        }
        for (Extension e : m.extensions()) {
            // No version pin: the target gets its own current version of the extension.
            fixed.add(DdlStep.simple(e.key(), "extension " + e.name(),
                    List.of("CREATE EXTENSION IF NOT EXISTS " + quote(e.name()) + " WITH SCHEMA " + quote(e.schema()))));
        }

        Map<String, Table> tablesByKey = new HashMap<>();
        m.tables().forEach(t -> tablesByKey.put(t.key(), t));
        List<DdlStep> objects = new ArrayList<>();
        m.types().forEach(t -> objects.add(DdlStep.simple(t.key(), t.kind().name().toLowerCase(java.util.Locale.ROOT)
                + " type " + t.qualified(), typeSql(t))));
        m.sequences().forEach(s -> objects.add(DdlStep.simple(s.key(), "sequence " + s.id(), List.of(
                "CREATE SEQUENCE " + s.id().quoted() + " AS " + s.dataType() + " " + s.options().render()))));
        m.functions().forEach(f -> objects.add(DdlStep.simple(f.key(), (f.procedure() ? "procedure " : "function ")
                + f.schema() + "." + f.name() + "(" + f.identityArgs() + ")", List.of(f.definition()))));
        m.tables().forEach(t -> objects.add(DdlStep.simple(t.key(), "table " + t.id(),
                tableSql(t, t.parentKey() == null ? null : tablesByKey.get(t.parentKey())))));

        Map<String, Set<String>> deps = new HashMap<>();
        Set<String> keys = objects.stream().map(DdlStep::id).collect(Collectors.toSet());
        for (Dependency d : m.dependencies()) {
            if (keys.contains(d.from()) && keys.contains(d.to())) {
                deps.computeIfAbsent(d.from(), k -> new HashSet<>()).add(d.to());
            }
        }
        for (Table t : m.tables()) {
            if (t.parentKey() != null && keys.contains(t.parentKey())) {
                deps.computeIfAbsent(t.key(), k -> new HashSet<>()).add(t.parentKey());
            }
        }
        List<DdlStep> out = new ArrayList<>(fixed);
        out.addAll(TopoOrder.sort(objects.stream().map(Node::new).toList(), n -> n.step().id(),
                n -> deps.getOrDefault(n.step().id(), Set.of())).stream().map(Node::step).toList());

        // Links that would make cycles in the graph above come last: both ends exist by then.
        Map<String, TableId> tableIds = new HashMap<>();
        m.tables().forEach(t -> tableIds.put(t.key(), t.id()));
        for (Sequence s : m.sequences()) {
            if (s.ownedByTable() != null && tableIds.containsKey(s.ownedByTable())) {
                out.add(DdlStep.simple("owned:" + s.key(), "sequence " + s.id() + " owned by column",
                        List.of("ALTER SEQUENCE " + s.id().quoted() + " OWNED BY " + tableIds.get(s.ownedByTable()).quoted()
                                + "." + quote(s.ownedByColumn()))));
            }
        }
        for (Table t : m.tables()) {
            for (Check c : t.checks()) {
                if (!c.validated() && c.local()) {
                    out.add(DdlStep.simple("check:" + t.key() + ":" + c.name(), "check " + c.name() + " on " + t.id(),
                            List.of("ALTER TABLE " + t.id().quoted() + " ADD CONSTRAINT " + quote(c.name()) + " "
                                    + c.definition())));
                }
            }
        }
        return out;
    }

    /** A pre-data step as the sorter logs it: by what it creates. */
    private record Node(DdlStep step) {
        @Override
        public String toString() {
            return step.description();
        }
    }

    static List<String> typeSql(TypeDef t) {
        String q = t.qualified();
        return switch (t.kind()) {
            case ENUM -> List.of("CREATE TYPE " + q + " AS ENUM (" + t.labels().stream()
                    .map(io.inflight.core.Identifiers::literal).collect(Collectors.joining(", ")) + ")");
            case COMPOSITE -> List.of("CREATE TYPE " + q + " AS (" + t.attributes().stream()
                    .map(a -> quote(a.name()) + " " + a.type() + (a.collation() == null ? "" : " COLLATE " + a.collation()))
                    .collect(Collectors.joining(", ")) + ")");
            case RANGE -> {
                List<String> opts = new ArrayList<>();
                opts.add("SUBTYPE = " + t.base());
                opts.addAll(t.rangeOptions());
                if (t.collation() != null) {
                    opts.add("COLLATION = " + t.collation());
                }
                yield List.of("CREATE TYPE " + q + " AS RANGE (" + String.join(", ", opts) + ")");
            }
            case DOMAIN -> {
                List<String> sql = new ArrayList<>();
                sql.add("CREATE DOMAIN " + q + " AS " + t.base()
                        + (t.collation() == null ? "" : " COLLATE " + t.collation())
                        + (t.defaultExpr() == null ? "" : " DEFAULT " + t.defaultExpr())
                        + (t.notNull() ? " NOT NULL" : ""));
                t.checks().forEach(c -> sql.add("ALTER DOMAIN " + q + " ADD CONSTRAINT " + quote(c.name()) + " "
                        + c.definition()));
                yield sql;
            }
        };
    }

    /**
     * A table with its columns and CHECK constraints. A partition whose columns match its parent's is
     * created {@code PARTITION OF} it, inheriting columns and constraints exactly as on the source;
     * otherwise it is created on its own with its column order and then attached.
     */
    static List<String> tableSql(Table t, Table parent) {
        List<String> sql = new ArrayList<>();
        String q = t.id().quoted();
        String tail = (t.partitionKey() == null ? "" : " PARTITION BY " + t.partitionKey())
                + (t.reloptions().isEmpty() ? "" : " WITH (" + reloptions(t.reloptions()) + ")");
        if (parent != null && sameLayout(t, parent)) {
            List<String> local = t.checks().stream().filter(c -> c.local() && c.validated())
                    .map(c -> "CONSTRAINT " + quote(c.name()) + " " + c.definition()).toList();
            sql.add("CREATE " + (t.unlogged() ? "UNLOGGED " : "") + "TABLE " + q + " PARTITION OF " + parent.id().quoted()
                    + (local.isEmpty() ? "" : " (" + String.join(", ", local) + ")") + " " + t.partitionBound() + tail);
            for (int i = 0; i < t.columns().size(); i++) {
                Column c = t.columns().get(i);
                Column p = parent.columns().get(i);
                String col = "ALTER TABLE " + q + " ALTER COLUMN " + quote(c.name());
                if (c.notNull() && !p.notNull()) {
                    sql.add(col + " SET NOT NULL");
                }
                if (c.generatedExpr() == null && c.identity() == 0 && !Objects.equals(c.defaultExpr(), p.defaultExpr())) {
                    sql.add(c.defaultExpr() == null ? col + " DROP DEFAULT" : col + " SET DEFAULT " + c.defaultExpr());
                }
            }
            return sql;
        }
        List<String> parts = new ArrayList<>();
        t.columns().forEach(c -> parts.add(columnSql(c)));
        t.checks().stream().filter(c -> c.validated() && (c.local() || parent != null))
                .forEach(c -> parts.add("CONSTRAINT " + quote(c.name()) + " " + c.definition()));
        sql.add("CREATE " + (t.unlogged() ? "UNLOGGED " : "") + "TABLE " + q + " (" + String.join(", ", parts) + ")" + tail);
        if (parent != null) {
            sql.add("ALTER TABLE " + parent.id().quoted() + " ATTACH PARTITION " + q + " " + t.partitionBound());
        }
        return sql;
    }

    private static boolean sameLayout(Table t, Table parent) {
        if (t.columns().size() != parent.columns().size()) {
            return false;
        }
        for (int i = 0; i < t.columns().size(); i++) {
            Column a = t.columns().get(i);
            Column b = parent.columns().get(i);
            if (!a.name().equals(b.name()) || !a.type().equals(b.type()) || !Objects.equals(a.collation(), b.collation())) {
                return false;
            }
        }
        return true;
    }

    static String columnSql(Column c) {
        StringBuilder sb = new StringBuilder(quote(c.name())).append(' ').append(c.type());
        if (c.collation() != null) {
            sb.append(" COLLATE ").append(c.collation());
        }
        if (c.generatedExpr() != null) {
            sb.append(" GENERATED ALWAYS AS (").append(c.generatedExpr()).append(") STORED");
        } else if (c.defaultExpr() != null) {
            sb.append(" DEFAULT ").append(c.defaultExpr());
        }
        if (c.identity() != 0) {
            sb.append(c.identity() == 'a' ? " GENERATED ALWAYS AS IDENTITY" : " GENERATED BY DEFAULT AS IDENTITY");
            if (c.identityOptions() != null) {
                sb.append(" (SEQUENCE NAME ").append(c.identitySequence().quoted()).append(' ')
                        .append(c.identityOptions().render()).append(')');
            }
        }
        if (c.notNull()) {
            sb.append(" NOT NULL");
        }
        return sb.toString();
    }

    /** reloptions as stored ("fillfactor=70"), values quoted unless plain words or numbers. */
    static String reloptions(List<String> options) {
        return options.stream().map(o -> {
            int eq = o.indexOf('=');
            if (eq < 0) {
                return o;
            }
            String value = o.substring(eq + 1);
            return o.substring(0, eq) + "=" + (value.matches("[A-Za-z0-9_.\\-]+") ? value : literal(value));
        }).collect(Collectors.joining(", "));
    }

    // ---------------------------------------------------------------- post-data

    private static final class PostData {
        private final SchemaModel m;
        private final List<DdlStep> keysAndIndexes = new ArrayList<>();
        private final List<DdlStep> constraints = new ArrayList<>();
        private final List<DdlStep> foreignKeys = new ArrayList<>();
        private final List<DdlStep> validations = new ArrayList<>();
        private final List<DdlStep> triggersViews = new ArrayList<>();
        private final List<DdlStep> finishing = new ArrayList<>();
        /** Source object key (an index, a constraint, a view) to the post-data step id that creates it. */
        private final Map<String, String> madeBy = new HashMap<>();
        private final Map<String, Long> pages = new HashMap<>();
        private final Map<String, TableId> relations = new HashMap<>();
        private final Set<String> partitioned = new HashSet<>();

        PostData(SchemaModel m) {
            this.m = m;
            m.tables().forEach(t -> {
                pages.put(t.key(), t.pages());
                relations.put(t.key(), t.id());
                if (t.partitioned()) {
                    partitioned.add(t.key());
                }
            });
            m.views().forEach(v -> relations.put(v.key(), v.id()));
        }

        List<DdlStep> build() {
            Set<String> matviewRefresh = new HashSet<>();
            m.views().stream().filter(v -> v.materialized() && v.populated()).forEach(v -> matviewRefresh.add(v.key()));
            for (Constraint c : m.constraints()) {
                if (c.type() != 'f') {
                    keyConstraint(c);
                }
            }
            for (Index i : m.indexes()) {
                Set<String> after = new HashSet<>();
                if (!pages.containsKey(i.tableKey())) {
                    // An index on a materialized view: after it is created and filled.
                    after.add(matviewRefresh.contains(i.tableKey()) ? "refresh:" + i.tableKey() : i.tableKey());
                    triggersViewsIndex(i, after);
                    continue;
                }
                keysAndIndexes.add(indexStep(i.key(), "index " + qualified(i.table().schema(), i.name()) + " on " + i.table(),
                        i.definition(), i.table().schema(), i.name(), after));
                stepTable.put(i.key(), i.tableKey());
                buildPages.put(i.key(), i.pages());
                madeBy.put(i.key(), i.key());
            }
            for (Constraint c : m.constraints()) {
                if (c.type() == 'f') {
                    foreignKey(c);
                }
            }
            m.views().forEach(this::view);
            m.triggers().forEach(this::trigger);
            for (SchemaModel.Rule r : m.rules()) {
                Set<String> after = new HashSet<>(afterObject(r.tableKey()));
                m.dependencies().stream().filter(d -> d.from().equals(r.key())).forEach(d -> after.add(d.to()));
                String done = """
                        SELECT 'done' FROM pg_catalog.pg_rewrite w JOIN pg_catalog.pg_class c ON c.oid = w.ev_class
                          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = %s AND c.relname = %s AND w.rulename = %s""".formatted(
                        literal(r.table().schema()), literal(r.table().name()), literal(r.name()));
                triggersViews.add(new DdlStep(r.key(), "rule " + quote(r.name()) + " on " + r.table(),
                        List.of(Sql.of(r.definition())), after, Set.of(r.tableKey()), done, null));
                madeBy.put(r.key(), r.key());
            }
            for (SchemaModel.Statistics st : m.statistics()) {
                String done = """
                        SELECT 'done' FROM pg_catalog.pg_statistic_ext o JOIN pg_catalog.pg_namespace n ON n.oid = o.stxnamespace
                         WHERE n.nspname = %s AND o.stxname = %s""".formatted(literal(st.id().schema()), literal(st.id().name()));
                triggersViews.add(new DdlStep(st.key(), "statistics " + st.id(), List.of(Sql.of(st.definition())),
                        afterObject(st.tableKey()), Set.of(), done, null));
                madeBy.put(st.key(), st.key());
            }
            m.policies().forEach(this::policy);
            for (Table t : m.tables()) {
                if (t.rowSecurity() || t.forceRowSecurity()) {
                    List<Sql> sql = new ArrayList<>();
                    if (t.rowSecurity()) {
                        sql.add(Sql.of("ALTER TABLE " + t.id().quoted() + " ENABLE ROW LEVEL SECURITY"));
                    }
                    if (t.forceRowSecurity()) {
                        sql.add(Sql.of("ALTER TABLE " + t.id().quoted() + " FORCE ROW LEVEL SECURITY"));
                    }
                    finishing.add(new DdlStep("rls:" + t.key(), "row level security on " + t.id(), sql, Set.of(),
                            Set.of(t.key()), null, null));
                }
            }
            int n = 0;
            for (Comment c : m.comments()) {
                finishing.add(new DdlStep("comment:" + (n++), "comment on " + c.target(), List.of(Sql.of(
                        "COMMENT ON " + c.target() + " IS " + literal(c.text()))), afterObject(c.objectKey()),
                        Set.of(), null, null));
            }
            for (Ownership o : m.ownerships()) {
                ownership(o);
            }
            for (SchemaModel.ColumnGrants g : m.columnGrants()) {
                columnGrants(g);
            }
            for (Table t : m.tables()) {
                replicaIdentity(t);
            }
            List<DdlStep> all = new ArrayList<>();
            // Biggest tables first, and on a table its biggest index first, so that the longest build does
            // not start last: with the copy still holding slots, the first build of a table may be its
            // only one running for a while.
            keysAndIndexes.sort(Comparator.comparingLong((DdlStep s) -> -pages.getOrDefault(tableOf(s), 0L))
                    .thenComparingLong(s -> -buildPages.getOrDefault(s.id(), 0L)));
            all.addAll(keysAndIndexes);
            all.addAll(constraints);
            all.addAll(foreignKeys);
            all.addAll(validations);
            all.addAll(triggersViews);
            all.addAll(finishing);
            Set<String> ids = all.stream().map(DdlStep::id).collect(Collectors.toSet());
            // An ALTER TABLE needs a lock that conflicts with index builds on that table: rather than have
            // a worker sit waiting on it, start it only once the table's index builds are done.
            Map<String, Set<String>> buildsByTable = new HashMap<>();
            for (DdlStep s : keysAndIndexes) {
                if (tableOf(s) != null) {
                    buildsByTable.computeIfAbsent(tableOf(s), k -> new HashSet<>()).add(s.id());
                }
            }
            Set<String> builds = keysAndIndexes.stream().map(DdlStep::id).collect(Collectors.toSet());
            return all.stream().map(s -> {
                Set<String> after = s.after().stream().filter(ids::contains).collect(Collectors.toCollection(HashSet::new));
                if (!builds.contains(s.id())) {
                    s.locks().forEach(t -> after.addAll(buildsByTable.getOrDefault(t, Set.of())));
                }
                return new DdlStep(s.id(), s.description(), s.statements(), after, s.locks(), s.doneQuery(), s.repair());
            }).toList();
        }

        private final Map<String, String> stepTable = new HashMap<>();
        /** Index build step id to the size of that index on the source. */
        private final Map<String, Long> buildPages = new HashMap<>();

        private String tableOf(DdlStep s) {
            return stepTable.get(s.id());
        }

        /**
         * The tables each step works on (its index's table, the tables it locks), as the copied tables
         * that hold their rows. Steps naming no table (views, comments, owners of other objects) are left
         * out: they wait for the whole copy, which costs nothing as they are quick.
         */
        Map<String, Set<TableId>> dataNeeded(List<DdlStep> steps) {
            Map<String, List<String>> children = new HashMap<>();
            m.tables().forEach(t -> {
                if (t.parentKey() != null) {
                    children.computeIfAbsent(t.parentKey(), k -> new ArrayList<>()).add(t.key());
                }
            });
            Map<String, Set<TableId>> needed = new HashMap<>();
            for (DdlStep s : steps) {
                Set<String> keys = new HashSet<>(s.locks());
                if (tableOf(s) != null) {
                    keys.add(tableOf(s));
                }
                keys.retainAll(pages.keySet());
                if (keys.isEmpty()) {
                    continue;
                }
                Set<TableId> data = new HashSet<>();
                keys.forEach(k -> holdingRows(k, children, data));
                needed.put(s.id(), Set.copyOf(data));
            }
            return needed;
        }

        /** A table, or for a partitioned one its leaf partitions: the tables the copy fills. */
        private void holdingRows(String key, Map<String, List<String>> children, Set<TableId> into) {
            if (!partitioned.contains(key)) {
                into.add(relations.get(key));
                return;
            }
            for (String child : children.getOrDefault(key, List.of())) {
                holdingRows(child, children, into);
            }
        }

        private void triggersViewsIndex(Index i, Set<String> after) {
            triggersViews.add(indexStep(i.key(), "index " + qualified(i.table().schema(), i.name()) + " on " + i.table(),
                    i.definition(), i.table().schema(), i.name(), after));
            madeBy.put(i.key(), i.key());
        }

        private DdlStep indexStep(String id, String description, String definition, String schema, String name,
                Set<String> after) {
            String done = """
                    SELECT CASE WHEN x.indisvalid THEN 'done' ELSE 'invalid' END
                      FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class c ON c.oid = x.indexrelid
                      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = %s AND c.relname = %s""".formatted(literal(schema), literal(name));
            return new DdlStep(id, description, List.of(Sql.of(definition)), after, Set.of(), done,
                    "DROP INDEX IF EXISTS " + qualified(schema, name));
        }

        private void keyConstraint(Constraint c) {
            String table = c.table().quoted();
            String description = kindWord(c.type()) + " " + quote(c.name()) + " on " + c.table();
            boolean usingIndex = (c.type() == 'p' || c.type() == 'u') && !c.onPartitioned() && c.indexDefinition() != null;
            if (usingIndex) {
                // Build the index as a step of its own (parallel with other indexes, resumable if a run
                // dies during the build), then promote it: a catalog-only change.
                String indexStepId = c.indexKey();
                DdlStep index = indexStep(indexStepId, "index for " + description, c.indexDefinition(),
                        c.table().schema(), c.name(), Set.of());
                keysAndIndexes.add(index);
                stepTable.put(indexStepId, c.tableKey());
                buildPages.put(indexStepId, c.indexPages());
                String add = "ALTER TABLE " + table + " ADD CONSTRAINT " + quote(c.name())
                        + (c.type() == 'p' ? " PRIMARY KEY" : " UNIQUE") + " USING INDEX " + quote(c.name())
                        + (c.deferrable() ? " DEFERRABLE" : "") + (c.deferred() ? " INITIALLY DEFERRED" : "");
                constraints.add(new DdlStep(c.key(), description, List.of(Sql.of(add)), Set.of(indexStepId),
                        Set.of(c.tableKey()), constraintDone(c, false), null));
            } else {
                // Exclusion constraints, and keys of partitioned tables, where USING INDEX is not allowed:
                // adding the constraint builds its index (cascading to partitions).
                keysAndIndexes.add(new DdlStep(c.key(), description, List.of(Sql.of("ALTER TABLE " + table
                        + " ADD CONSTRAINT " + quote(c.name()) + " " + c.definition())), Set.of(),
                        Set.of(c.tableKey()), constraintDone(c, false), null));
                stepTable.put(c.key(), c.tableKey());
                buildPages.put(c.key(), c.indexPages());
            }
            madeBy.put(c.key(), c.key());
            if (c.indexKey() != null) {
                madeBy.put(c.indexKey(), c.key());
            }
        }

        private void foreignKey(Constraint c) {
            String table = c.table().quoted();
            String description = "foreign key " + quote(c.name()) + " on " + c.table();
            Set<String> after = new HashSet<>();
            if (c.indexKey() != null && madeBy.containsKey(c.indexKey())) {
                after.add(madeBy.get(c.indexKey()));
            }
            Set<String> locks = new HashSet<>(Set.of(c.tableKey()));
            if (c.referencedTableKey() != null) {
                locks.add(c.referencedTableKey());
            }
            String add = "ALTER TABLE " + table + " ADD CONSTRAINT " + quote(c.name()) + " " + c.definition();
            // NOT VALID then VALIDATE: the check of existing rows runs under a lock that lets other
            // steps read and write both tables. Not possible on partitioned tables before PostgreSQL 18.
            // Nor when it references a partitioned table: VALIDATE leaves the per-partition clones unvalidated.
            boolean split = c.validated() && !c.onPartitioned() && !partitioned.contains(c.referencedTableKey());
            foreignKeys.add(new DdlStep(c.key(), description, List.of(Sql.of(split ? add + " NOT VALID" : add)), after,
                    locks, constraintDone(c, false), null));
            if (split) {
                validations.add(new DdlStep("validate:" + c.key(), "validate " + description, List.of(Sql.of(
                        "ALTER TABLE " + table + " VALIDATE CONSTRAINT " + quote(c.name()))), Set.of(c.key()),
                        Set.of(c.tableKey()), constraintDone(c, true), null));
            }
            madeBy.put(c.key(), c.key());
        }

        private static String constraintDone(Constraint c, boolean validated) {
            return """
                    SELECT CASE WHEN %s THEN 'done' END
                      FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class c ON c.oid = co.conrelid
                      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = %s AND c.relname = %s AND co.conname = %s""".formatted(
                    validated ? "co.convalidated" : "true", literal(c.table().schema()), literal(c.table().name()),
                    literal(c.name()));
        }

        private void trigger(Trigger t) {
            List<Sql> sql = new ArrayList<>();
            sql.add(Sql.of(t.definition()));
            String alter = "ALTER TABLE " + t.table().quoted();
            switch (t.enabled()) {
                case 'D' -> sql.add(Sql.of(alter + " DISABLE TRIGGER " + quote(t.name())));
                case 'R' -> sql.add(Sql.of(alter + " ENABLE REPLICA TRIGGER " + quote(t.name())));
                case 'A' -> sql.add(Sql.of(alter + " ENABLE ALWAYS TRIGGER " + quote(t.name())));
                default -> {
                }
            }
            String done = """
                    SELECT 'done' FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
                      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = %s AND c.relname = %s AND g.tgname = %s""".formatted(literal(t.table().schema()),
                    literal(t.table().name()), literal(t.name()));
            triggersViews.add(new DdlStep(t.key(), "trigger " + quote(t.name()) + " on " + t.table(), sql,
                    afterObject(t.tableKey()), Set.of(t.tableKey()), done, null));
            madeBy.put(t.key(), t.key());
        }

        private void view(View v) {
            Set<String> after = new HashSet<>();
            Set<String> refreshAfter = new HashSet<>(Set.of(v.key()));
            for (Dependency d : m.dependencies()) {
                if (d.from().equals(v.key())) {
                    after.add(d.toExact());
                    after.add(d.to());
                    refreshAfter.add("refresh:" + d.to());
                }
            }
            after.remove(v.key());
            refreshAfter.remove("refresh:" + v.key());
            String with = v.reloptions().isEmpty() ? "" : " WITH (" + reloptions(v.reloptions()) + ")";
            String create = v.materialized()
                    ? "CREATE MATERIALIZED VIEW " + v.id().quoted() + with + " AS " + v.query() + " WITH NO DATA"
                    : "CREATE VIEW " + v.id().quoted() + with + " AS " + v.query();
            triggersViews.add(new DdlStep(v.key(), (v.materialized() ? "materialized view " : "view ") + v.id(),
                    List.of(Sql.of(create)), after, Set.of(), relationDone(v.id(), "true"), null));
            madeBy.put(v.key(), v.key());
            if (v.materialized() && v.populated()) {
                triggersViews.add(new DdlStep("refresh:" + v.key(), "refresh materialized view " + v.id(),
                        List.of(Sql.of("REFRESH MATERIALIZED VIEW " + v.id().quoted())), refreshAfter, Set.of(v.key()),
                        relationDone(v.id(), "c.relispopulated"), null));
            }
        }

        private static String relationDone(TableId id, String condition) {
            return """
                    SELECT CASE WHEN %s THEN 'done' END FROM pg_catalog.pg_class c
                      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = %s AND c.relname = %s""".formatted(condition, literal(id.schema()),
                    literal(id.name()));
        }

        private void policy(Policy p) {
            String sql = "CREATE POLICY " + quote(p.name()) + " ON " + p.table().quoted()
                    + (p.permissive() ? " AS PERMISSIVE" : " AS RESTRICTIVE") + " FOR " + p.command() + " TO "
                    + (p.roles().isEmpty() ? "PUBLIC" : p.roles().stream().map(r -> quote(r)).collect(Collectors.joining(", ")))
                    + (p.using() == null ? "" : " USING (" + p.using() + ")")
                    + (p.withCheck() == null ? "" : " WITH CHECK (" + p.withCheck() + ")");
            String done = """
                    SELECT 'done' FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
                      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = %s AND c.relname = %s AND p.polname = %s""".formatted(
                    literal(p.table().schema()), literal(p.table().name()), literal(p.name()));
            triggersViews.add(new DdlStep(p.key(), "policy " + quote(p.name()) + " on " + p.table(),
                    List.of(new Sql(sql, new HashSet<>(p.roles()))), Set.of(), Set.of(p.tableKey()), done, null));
            madeBy.put(p.key(), p.key());
        }

        private void ownership(Ownership o) {
            List<Sql> sql = new ArrayList<>();
            // A sequence owned by a column follows its table's owner; PostgreSQL refuses to change it alone.
            if (!o.followsTable()) {
                sql.add(Sql.ownerChange("ALTER " + o.alterKind() + " " + o.name() + " OWNER TO " + quote(o.owner()),
                        o.owner()));
            }
            if (o.grants() != null) {
                String on = " ON " + o.grantKind() + " " + o.name();
                sql.add(Sql.of("REVOKE ALL" + on + " FROM PUBLIC"));
                sql.add(new Sql("REVOKE ALL" + on + " FROM " + quote(o.owner()), Set.of(o.owner())));
                for (Grant g : o.grants()) {
                    sql.add(new Sql("GRANT " + g.privilege() + on + " TO " + (g.grantee() == null ? "PUBLIC" : quote(g.grantee()))
                            + (g.grantable() ? " WITH GRANT OPTION" : ""), g.grantee() == null ? Set.of() : Set.of(g.grantee())));
                }
            }
            if (!sql.isEmpty()) {
                finishing.add(new DdlStep("owner:" + o.objectKey(), "owner and privileges of " + o.alterKind()
                        .toLowerCase(java.util.Locale.ROOT) + " " + o.name(), sql, afterObject(o.objectKey()),
                        Set.of(o.objectKey()), null, null));
            }
        }

        private void columnGrants(SchemaModel.ColumnGrants g) {
            String on = " (" + quote(g.column()) + ") ON TABLE " + g.table().quoted();
            List<Sql> sql = g.grants().stream().map(x -> new Sql("GRANT " + x.privilege() + on + " TO "
                    + (x.grantee() == null ? "PUBLIC" : quote(x.grantee())) + (x.grantable() ? " WITH GRANT OPTION" : ""),
                    x.grantee() == null ? Set.of() : Set.of(x.grantee()))).toList();
            // After the table's own privileges: revoking a table privilege revokes it on every column too.
            Set<String> after = new HashSet<>(afterObject(g.tableKey()));
            after.add("owner:" + g.tableKey());
            finishing.add(new DdlStep("columns:" + g.tableKey() + ":" + g.column(), "privileges on column "
                    + g.table() + "." + g.column(), sql, after, Set.of(g.tableKey()), null, null));
        }

        private void replicaIdentity(Table t) {
            String clause = switch (t.replicaIdentity()) {
                case 'f' -> "FULL";
                case 'n' -> "NOTHING";
                case 'i' -> t.replicaIndexName() == null ? null : "USING INDEX " + quote(t.replicaIndexName());
                default -> null;
            };
            if (clause == null) {
                return;
            }
            finishing.add(new DdlStep("replica:" + t.key(), "replica identity of " + t.id(), List.of(Sql.of(
                    "ALTER TABLE " + t.id().quoted() + " REPLICA IDENTITY " + clause)),
                    t.replicaIndexKey() == null ? Set.of() : afterObject(t.replicaIndexKey()), Set.of(t.key()), null, null));
        }

        /** The step that creates a source object, when it is a post-data one; pre-data objects exist already. */
        private Set<String> afterObject(String key) {
            String step = madeBy.get(key);
            return step == null ? Set.of() : Set.of(step);
        }

        private static String kindWord(char type) {
            return switch (type) {
                case 'p' -> "primary key";
                case 'u' -> "unique constraint";
                case 'x' -> "exclusion constraint";
                default -> "constraint";
            };
        }

        private static String qualified(String schema, String name) {
            return quote(schema) + "." + quote(name);
        }
    }

}
