package io.inflight.postgres.verify;

import io.inflight.core.Lsn;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * How far the target has applied the source: every source transaction that committed before the returned
 * LSN is visible on the target. Implementations read it from the target and hold no state.
 */
public interface AppliedPosition {

    /** The applied source LSN now, empty when the target does not know it (yet). */
    Optional<Lsn> appliedLsn(Connection target) throws SQLException;

    /** For reports: what the position comes from, e.g. {@code subscription "sub"}. */
    String describe();
}
