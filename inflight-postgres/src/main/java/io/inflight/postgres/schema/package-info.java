/**
 * The schema of a migration: what tables the data path copies ({@link io.inflight.postgres.schema.TableCatalog})
 * and the exact clone of every object of the chosen schemas onto the target.
 *
 * <p>The clone flows {@link io.inflight.postgres.schema.SchemaReader} (source catalog to an immutable
 * {@link io.inflight.postgres.schema.SchemaModel}, definitions rendered by PostgreSQL's own
 * {@code pg_get_*def} functions) → {@link io.inflight.postgres.schema.SchemaPlanner} (model to a two-phase
 * {@link io.inflight.postgres.schema.SchemaPlan}) → {@link io.inflight.postgres.schema.SchemaCloner}
 * (pre-data before the copy, in one transaction; post-data after it, in parallel and resumable).
 * {@link io.inflight.postgres.schema.SequenceSync} moves sequences after the copy and at cutover;
 * {@link io.inflight.postgres.schema.ExistingSchemaCheck} vets a schema the user made;
 * {@link io.inflight.postgres.schema.SchemaDescriber} gives a comparable text of a whole schema.
 */
package io.inflight.postgres.schema;
