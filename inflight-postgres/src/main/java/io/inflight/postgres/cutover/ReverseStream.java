package io.inflight.postgres.cutover;

import io.inflight.core.Endpoint;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.core.TableId;
import io.inflight.postgres.checkpoint.MigrationRecord;
import io.inflight.postgres.checkpoint.SourceIdentity;
import io.inflight.postgres.checkpoint.StateStore;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.connect.Side;
import io.inflight.postgres.schema.SchemaFilter;
import io.inflight.postgres.schema.TableCatalog;
import io.inflight.postgres.schema.TableInfo;
import io.inflight.postgres.snapshot.Publications;
import io.inflight.postgres.snapshot.SnapshotSlot;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure a stream can run from the side writes move to ({@code primary}) back into the side they leave
 * ({@code fallback}), so the old side stays a live fallback. Must run while both sides hold the same rows and before
 * writes resume on {@code primary}: the slot created now starts exactly there, and every table is recorded as copied
 * at its consistent point. When {@code fallback} already holds such a migration (a rollback reuses the original
 * forward stream; a second cutover the first one's reverse stream) it is reused: what Inflight itself applied in
 * between is marked with its origin and left out, so resuming from the stored position is exact.
 */
final class ReverseStream {

    private static final Logger log = LoggerFactory.getLogger(ReverseStream.class);
    private static final int MAX_NAME = 63;

    private final PgConnector primary;
    private final PgConnector fallback;

    ReverseStream(Endpoint primary, Endpoint fallback) {
        this.primary = new PgConnector(Side.SOURCE, primary);
        this.fallback = new PgConnector(Side.TARGET, fallback);
    }

    /** The slot name of the stream back from a migration whose slot is {@code slot}. */
    static String reverseName(String slot) {
        String suffix = "_reverse";
        return (slot.length() + suffix.length() > MAX_NAME ? slot.substring(0, MAX_NAME - suffix.length()) : slot)
                + suffix;
    }

    /** Returns the slot the stream back reads on {@code primary}. */
    String ensure(String drainedSlot) {
        SourceIdentity primaryId = SnapshotSlot.identify(primary);
        try (StateStore state = StateStore.open(fallback)) {
            Optional<MigrationRecord> existing = state.migration();
            if (existing.isPresent()) {
                MigrationRecord m = existing.get();
                if (!m.source().equals(primaryId)) {
                    throw new InflightException(ErrorCode.OBJECT_CONFLICT, fallback + " holds another migration (from "
                            + m.source() + ", slot '" + m.slotName() + "'), so no stream back from " + primary
                            + " can be recorded there; drop it (DROP SCHEMA " + StateStore.SCHEMA + " CASCADE there)"
                            + ", then rerun");
                }
                boolean slotThere = SnapshotSlot.find(primary, m.slotName()).isPresent();
                if (!m.consistentLsn().equals(Lsn.INVALID) && slotThere) {
                    state.setPhase("streaming");
                    log.info("reusing the stream from {} into {} (slot '{}')", primary, fallback, m.slotName());
                    return m.slotName();
                }
                if (!m.consistentLsn().equals(Lsn.INVALID)) {
                    throw new InflightException(ErrorCode.OBJECT_CONFLICT, "replication slot '" + m.slotName() + "' of"
                            + " the stream from " + primary + " back into " + fallback + " no longer exists; drop"
                            + " schema " + StateStore.SCHEMA + " on " + fallback + " (DROP SCHEMA " + StateStore.SCHEMA
                            + " CASCADE) so that a fresh one is made, then rerun");
                }
                if (slotThere) {
                    // a run died between creating the slot and recording its point: nothing has written since
                    SnapshotSlot.drop(primary, m.slotName());
                }
                return create(state, m.slotName(), m.publication());
            }
            String slot = reverseName(drainedSlot);
            state.begin(slot, slot, Lsn.INVALID, primaryId, "cloned");
            return create(state, slot, slot);
        }
    }

    private String create(StateStore state, String slot, String publication) {
        List<TableInfo> tables;
        try (Connection c = primary.open()) {
            tables = TableCatalog.read(c, SchemaFilter.all());
        } catch (SQLException e) {
            throw PgErrors.translate(e, primary, "reading the tables for the stream back");
        }
        new Publications(primary).ensure(publication, tables);
        Lsn start;
        try (SnapshotSlot s = SnapshotSlot.create(primary, slot)) {
            start = s.consistentPoint();
        }
        List<TableId> withRows = tables.stream().filter(TableInfo::holdsRows).map(TableInfo::id).toList();
        state.markCopied(withRows, start);
        state.recordConsistentPoint(start);
        log.info("stream back from {} into {}: slot '{}' from {}", primary, fallback, slot, start);
        return slot;
    }
}
