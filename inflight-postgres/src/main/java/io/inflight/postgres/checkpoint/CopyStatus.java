package io.inflight.postgres.checkpoint;

import java.util.Locale;

/** Where a table's copy stands; stored as lower-case text in {@code inflight.table_state.status}. */
public enum CopyStatus {
    /** Nothing copied yet. */
    PENDING,
    /** A copy began under a recorded snapshot; some of its ranges may be committed. */
    COPYING,
    /** Every row as of the recorded snapshot LSN is on the target. */
    COPIED;

    public String sql() {
        return name().toLowerCase(Locale.ROOT);
    }

    static CopyStatus of(String sql) {
        return valueOf(sql.toUpperCase(Locale.ROOT));
    }
}
