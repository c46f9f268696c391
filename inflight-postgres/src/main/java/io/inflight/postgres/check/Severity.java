package io.inflight.postgres.check;

/** How much a finding matters: a blocker stops a migration; a warning and an info do not. */
public enum Severity {
    /** The migration cannot start (or would break the source) until this is fixed. */
    BLOCKER,
    /** The migration runs, but something will not be carried or needs attention. */
    WARNING,
    /** A fact worth knowing: sizes, estimates, what the clone will do. */
    INFO
}
