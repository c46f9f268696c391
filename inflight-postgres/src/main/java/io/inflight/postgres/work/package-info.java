/**
 * Sharing the target between the copy and the post-data schema: a bounded pool of work slots that both
 * draw from, so that {@code --jobs} bounds everything a clone runs at once.
 */
package io.inflight.postgres.work;
