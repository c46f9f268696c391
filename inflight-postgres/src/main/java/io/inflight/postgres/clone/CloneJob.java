package io.inflight.postgres.clone;

import io.inflight.core.progress.ProgressListener;

/**
 * {@code inflight clone}: schema, slot and snapshot, parallel copy, post-data, sequences, in that order,
 * resumable at every step from the state kept on the target.
 */
public final class CloneJob {

    private final CloneOptions options;
    private final ProgressListener progress;

    public CloneJob(CloneOptions options, ProgressListener progress) {
        this.options = options;
        this.progress = progress;
    }

    /** Runs the clone to the end, or throws an InflightException naming what stopped it. */
    public CloneResult run() {
        throw new UnsupportedOperationException("being assembled: " + options + progress);
    }
}
