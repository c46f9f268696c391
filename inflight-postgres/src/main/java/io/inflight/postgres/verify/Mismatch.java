package io.inflight.postgres.verify;

/**
 * A key (or distinct row) whose two sides disagree. {@code source} or {@code target} is null where that
 * side lacks it.
 */
record Mismatch(String id, RowEntry source, RowEntry target) {

    RowEntry either() {
        return source != null ? source : target;
    }
}
