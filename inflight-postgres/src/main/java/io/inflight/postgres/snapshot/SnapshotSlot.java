package io.inflight.postgres.snapshot;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.postgres.checkpoint.SourceIdentity;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.replication.ReplicationSlotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A logical replication slot ({@code pgoutput}) on the source, created together with an exported snapshot,
 * and the replication connection that keeps that snapshot alive. The connection stays open and idle until
 * {@link #close()}: close it only after every copy worker has imported {@link #snapshot()}.
 *
 * <p>{@link #create} makes the migration's permanent slot; its consistent point is where the stream starts.
 * {@link #createTemporary} makes a throw-away slot only for its snapshot and LSN, used when a rerun copies
 * tables again; PostgreSQL drops it when the connection closes. Not thread-safe; one owner closes it.
 */
public final class SnapshotSlot implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SnapshotSlot.class);

    /** The output plugin the stream decodes; built into PostgreSQL 10 and newer. */
    public static final String PLUGIN = "pgoutput";

    private final PGConnection replication;
    private final String slotName;
    private final boolean temporary;
    private final ExportedSnapshot snapshot;
    private final SourceIdentity source;

    private SnapshotSlot(PGConnection replication, String slotName, boolean temporary, ExportedSnapshot snapshot,
                         SourceIdentity source) {
        this.replication = replication;
        this.slotName = slotName;
        this.temporary = temporary;
        this.snapshot = snapshot;
        this.source = source;
    }

    /**
     * Creates the migration's slot. Fails with OBJECT_CONFLICT when the name is taken,
     * REPLICATION_SLOTS_EXHAUSTED, LOGICAL_REPLICATION_DISABLED or INSUFFICIENT_PRIVILEGE (no REPLICATION)
     * as the source reports. Blocks until transactions running on the source finish (PostgreSQL waits for
     * them to build the snapshot).
     */
    public static SnapshotSlot create(PgConnector source, String slotName) {
        return make(source, slotName, false);
    }

    /** A temporary slot (random name) for a fresh snapshot and LSN; dropped by the source on {@link #close()}. */
    public static SnapshotSlot createTemporary(PgConnector source) {
        String name = "inflight_tmp_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        return make(source, name, true);
    }

    /** The source's identity, read over a replication connection ({@code IDENTIFY_SYSTEM}). */
    public static SourceIdentity identify(PgConnector source) {
        PGConnection c = source.openReplication();
        try {
            return identify(c, source);
        } finally {
            closeQuietly(c);
        }
    }

    /** Drops a slot that is not in use; used only for a slot the state on the target says is ours. */
    public static void drop(PgConnector source, String slotName) {
        try (Connection c = source.open();
             PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            ps.setString(1, slotName);
            ps.execute();
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "dropping the unused replication slot '" + slotName + "'");
        }
    }

    /** The slot of that name on the source's current database, if any. */
    public static Optional<SlotStatus> find(PgConnector source, String slotName) {
        String sql = "SELECT plugin, slot_type, database, temporary, active, confirmed_flush_lsn::text"
                + " FROM pg_replication_slots WHERE slot_name = ?";
        try (Connection c = source.open(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String flushed = rs.getString(6);
                return Optional.of(new SlotStatus(slotName, rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getBoolean(4), rs.getBoolean(5), flushed == null ? Lsn.INVALID : Lsn.parse(flushed)));
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "looking up replication slot '" + slotName + "'");
        }
    }

    /** What pg_replication_slots says about a slot. */
    public record SlotStatus(String name, String plugin, String slotType, String database, boolean temporary,
                             boolean active, Lsn confirmedFlush) {
    }

    public String slotName() {
        return slotName;
    }

    public boolean temporary() {
        return temporary;
    }

    /** The exported snapshot and the slot's consistent point. */
    public ExportedSnapshot snapshot() {
        return snapshot;
    }

    public Lsn consistentPoint() {
        return snapshot.lsn();
    }

    public SourceIdentity sourceIdentity() {
        return source;
    }

    /** Ends the exporting connection: the snapshot becomes unusable; a temporary slot is dropped. */
    @Override
    public void close() {
        closeQuietly(replication);
    }

    private static SnapshotSlot make(PgConnector source, String slotName, boolean temporary) {
        PGConnection c = source.openReplication();
        try {
            SourceIdentity id = identify(c, source);
            var builder = c.getReplicationAPI().createReplicationSlot().logical()
                    .withSlotName(slotName).withOutputPlugin(PLUGIN);
            if (temporary) {
                builder = builder.withTemporaryOption();
            }
            ReplicationSlotInfo info = builder.make();
            if (info.getSnapshotName() == null) {
                throw new InflightException(ErrorCode.INTERNAL, "the source " + source.endpoint().describe()
                        + " created slot '" + slotName + "' but exported no snapshot; drop it (SELECT "
                        + "pg_drop_replication_slot('" + slotName + "')) and rerun");
            }
            Lsn lsn = Lsn.parse(info.getConsistentPoint().asString());
            log.info("created {}replication slot '{}' on {}: consistent point {}, snapshot {}",
                    temporary ? "temporary " : "", slotName, source, lsn, info.getSnapshotName());
            return new SnapshotSlot(c, slotName, temporary, new ExportedSnapshot(info.getSnapshotName(), lsn), id);
        } catch (SQLException e) {
            closeQuietly(c);
            throw translateCreate(e, source, slotName);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private static InflightException translateCreate(SQLException e, PgConnector source, String slotName) {
        String doing = "creating replication slot '" + slotName + "'";
        if ("42710".equals(e.getSQLState())) {
            return new InflightException(ErrorCode.OBJECT_CONFLICT, source + ": " + doing + " failed: a slot of "
                    + "that name already exists and no migration on the target records it. If an interrupted "
                    + "Inflight run left it, drop it on the source (SELECT pg_drop_replication_slot('" + slotName
                    + "')); otherwise choose another --slot [SQLSTATE 42710]", e.getSQLState(), e);
        }
        return PgErrors.translate(e, source, doing);
    }

    /**
     * The source's identity, read over a replication connection the caller holds ({@code IDENTIFY_SYSTEM}): the
     * stream asks on the connection it then starts streaming on, rather than opening one more.
     */
    public static SourceIdentity identify(PGConnection c, PgConnector source) {
        try (Statement s = ((Connection) c).createStatement(); ResultSet rs = s.executeQuery("IDENTIFY_SYSTEM")) {
            rs.next();
            String db = rs.getString(4);
            return new SourceIdentity(rs.getString(1), db == null ? source.endpoint().database() : db);
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "identifying the source (IDENTIFY_SYSTEM)");
        }
    }

    private static void closeQuietly(PGConnection c) {
        try {
            ((Connection) c).close();
        } catch (SQLException ignored) {
            // the server ends the walsender (and a temporary slot) when the socket goes away anyway
        }
    }
}
