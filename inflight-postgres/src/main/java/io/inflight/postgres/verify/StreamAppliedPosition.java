package io.inflight.postgres.verify;

import io.inflight.core.Lsn;
import io.inflight.postgres.checkpoint.StreamPosition;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/** Inflight's own stream: the position its applier commits with its rows ({@code inflight.stream_position}). */
final class StreamAppliedPosition implements AppliedPosition {

    @Override
    public Optional<Lsn> appliedLsn(Connection target) throws SQLException {
        return StreamPosition.read(target).map(StreamPosition::appliedLsn);
    }

    @Override
    public String describe() {
        return "the Inflight stream (inflight.stream_position)";
    }
}
