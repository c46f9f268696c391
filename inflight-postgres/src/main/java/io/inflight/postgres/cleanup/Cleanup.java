package io.inflight.postgres.cleanup;

import io.inflight.core.Endpoint;
import io.inflight.core.ErrorCode;
import io.inflight.core.Identifiers;
import io.inflight.core.InflightException;
import io.inflight.postgres.checkpoint.MigrationRecord;
import io.inflight.postgres.checkpoint.StateStore;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.connect.Side;
import io.inflight.postgres.snapshot.SnapshotSlot;
import io.inflight.postgres.stream.StreamJob;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code inflight cleanup}: removes what a migration left on the source (its replication slot, which holds WAL
 * back for as long as it exists, and its publication) and, on request, its state on the target. Refuses while a
 * stream uses the slot: stop it first.
 */
public final class Cleanup {

    private final PgConnector source;
    private final PgConnector target;

    public Cleanup(Endpoint source, Endpoint target) {
        this.source = new PgConnector(Side.SOURCE, source);
        this.target = new PgConnector(Side.TARGET, target);
    }

    /**
     * Drops the slot and publication the target's migration names (else the given names), the replication origin
     * the stream marked its writes with, and with {@code dropState} schema {@value StateStore#SCHEMA} on the
     * target. Returns what was dropped, one line each.
     */
    public List<String> run(String slotName, String publication, boolean dropState) {
        List<String> done = new ArrayList<>();
        try (StateStore state = StateStore.open(target)) {
            Optional<MigrationRecord> m = state.migration();
            String slot = m.map(MigrationRecord::slotName).orElse(slotName);
            String pub = m.map(MigrationRecord::publication).orElse(publication);
            SnapshotSlot.find(source, slot).ifPresent(s -> {
                if (s.active()) {
                    throw new InflightException(ErrorCode.OBJECT_CONFLICT, "replication slot '" + slot + "' on the"
                            + " source " + source.endpoint() + " is in use (a stream is running); stop it, then rerun"
                            + " inflight cleanup");
                }
                SnapshotSlot.drop(source, slot);
                done.add("dropped replication slot '" + slot + "' on the source");
            });
            if (dropPublication(pub)) {
                done.add("dropped publication '" + pub + "' on the source");
            }
            String origin = StreamJob.originName(slot);
            if (dropOrigin(origin)) {
                done.add("dropped replication origin '" + origin + "' on the target");
            }
        }
        if (dropState) {
            execute(target, "DROP SCHEMA IF EXISTS " + StateStore.SCHEMA + " CASCADE", "dropping the state schema");
            done.add("dropped schema " + StateStore.SCHEMA + " (the migration's state) on the target");
        }
        return done;
    }

    private boolean dropPublication(String pub) {
        try (Connection c = source.open()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
                ps.setString(1, pub);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("DROP PUBLICATION " + Identifiers.quote(pub));
            }
            return true;
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "dropping publication '" + pub + "'");
        }
    }

    private boolean dropOrigin(String origin) {
        try (Connection c = target.open();
             PreparedStatement ps = c.prepareStatement("SELECT pg_replication_origin_drop(roname) FROM"
                     + " pg_replication_origin WHERE roname = ?")) {
            ps.setString(1, origin);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                return false;
            }
            throw PgErrors.translate(e, target, "dropping replication origin '" + origin + "'");
        }
    }

    private static void execute(PgConnector on, String sql, String doing) {
        try (Connection c = on.open(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw PgErrors.translate(e, on, doing);
        }
    }
}
