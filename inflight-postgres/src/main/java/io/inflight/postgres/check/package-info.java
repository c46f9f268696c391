/**
 * {@code inflight check}: the checks made before a migration, one small class per concern, each returning
 * {@link io.inflight.postgres.check.Finding}s (blocker, warning or info, with the object, the message and the
 * fix). {@link io.inflight.postgres.check.CheckRun} runs them all and reports every finding at once;
 * {@code clone.Preflight} runs the blocking ones and stops at the first blocker. Nothing here changes a server.
 */
package io.inflight.postgres.check;
