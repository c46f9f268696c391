/**
 * Durable progress of a migration, kept on the TARGET in schema {@code inflight}: which source and slot
 * it follows, which tables are copied and at which snapshot LSN. Marks that say "this data is there" are
 * written in the same target transaction as the data, so a crash keeps both or neither.
 */
package io.inflight.postgres.checkpoint;
