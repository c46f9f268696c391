/**
 * Change data capture from the source's logical replication slot. {@link io.inflight.postgres.stream.PgOutputDecoder}
 * turns each {@code pgoutput} message (protocol 1, or 2 with streamed in-progress transactions) into an immutable
 * {@link io.inflight.postgres.stream.PgOutputMessage}; row values stay in the wire's text form, and a TOASTed value
 * the change left alone is the distinct {@link io.inflight.postgres.stream.TupleData.Value#UNCHANGED_TOAST}, which
 * must never be written. {@link io.inflight.postgres.stream.RelationCache} maps the relation ids that row changes
 * carry to the latest Relation message. Decoding is pure: reading the slot is someone else's job.
 */
package io.inflight.postgres.stream;
