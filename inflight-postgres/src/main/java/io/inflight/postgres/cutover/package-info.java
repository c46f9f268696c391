/**
 * {@code inflight cutover} and {@code inflight rollback}: moving the application's writes from one side of a
 * migration to the other and back, through PgBouncer (pause, repoint, resume) or by making the old side read-only.
 * Both are one {@link io.inflight.postgres.cutover.Switchover} run in opposite directions: fence the side writes
 * go to now, drain the stream into the other side, carry the sequences over, check, make sure a stream runs the
 * other way, flip, resume. Every step is logged on the side writes move to, so a rerun after a crash continues.
 */
package io.inflight.postgres.cutover;
