package io.inflight.postgres.schema;

import io.inflight.core.TableId;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The DDL that recreates a {@link SchemaModel} on a target, in two phases.
 *
 * @param preData     run before the copy, in this order, in one transaction: extensions, schemas, types,
 *                    functions, sequences, bare tables (columns, defaults, NOT NULL, CHECK, identity,
 *                    generated), partitions attached. No index, key, foreign key or trigger
 * @param postData    run as the copy progresses and after it, in parallel as {@link DdlStep#after} allows,
 *                    in roughly this order: keys and indexes, foreign keys, triggers, views, materialized
 *                    views, policies, comments, owners, grants, replica identity
 * @param tables      every table the pre-data creates
 * @param unsupported objects of the source that the plan does not recreate, as readable sentences
 * @param dataNeeded  per post-data step id, the tables whose rows must be on the target before the step
 *                    runs (a partitioned table stands for its leaf partitions); a step not listed waits
 *                    until every table is copied
 */
public record SchemaPlan(List<DdlStep> preData, List<DdlStep> postData, List<TableId> tables,
        List<String> unsupported, Map<String, Set<TableId>> dataNeeded) {

    public SchemaPlan {
        preData = List.copyOf(preData);
        postData = List.copyOf(postData);
        tables = List.copyOf(tables);
        unsupported = List.copyOf(unsupported);
        dataNeeded = Map.copyOf(dataNeeded);
    }

    /** A plan whose post-data steps all wait for the whole copy. */
    public SchemaPlan(List<DdlStep> preData, List<DdlStep> postData, List<TableId> tables, List<String> unsupported) {
        this(preData, postData, tables, unsupported, Map.of());
    }
}
