package io.inflight.postgres.stream;

import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.apply.ApplyStats;
import io.inflight.postgres.connect.PgConnector;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures lag once a second on a connection of its own: the source's current WAL position and what the slot
 * retains, against what the applier has committed. Publishes a {@link StreamStatus} and warns when the slot
 * holds back more WAL than allowed. A source it cannot reach is reported as unknown, never as a failure: the
 * stream's own reconnects deal with outages.
 */
final class LagMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LagMonitor.class);
    private static final Duration RETENTION_WARNING_EVERY = Duration.ofMinutes(5);

    private final PgConnector source;
    private final String slot;
    private final ApplyStats stats;
    private final StreamState state;
    private final StreamListener listener;
    private final ProgressListener progress;
    private final long maxRetainedWal;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "inflight-lag");
        t.setDaemon(true);
        return t;
    });

    private Connection conn;
    private long lastChanges;
    private long lastNanos = System.nanoTime();
    private Instant lastRetentionWarning = Instant.EPOCH;

    LagMonitor(PgConnector source, String slot, ApplyStats stats, StreamState state, StreamListener listener,
               ProgressListener progress, long maxRetainedWal) {
        this.source = source;
        this.slot = slot;
        this.stats = stats;
        this.state = state;
        this.listener = listener;
        this.progress = progress;
        this.maxRetainedWal = maxRetainedWal;
    }

    void start() {
        timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    private void tick() {
        try {
            listener.status(measure());
        } catch (RuntimeException e) {
            log.debug("lag measurement failed: {}", e.getMessage());
        }
    }

    /** One status, measured now. */
    StreamStatus measure() {
        Optional<Lsn> current = Optional.empty();
        Optional<Long> retained = Optional.empty();
        try {
            if (conn == null || conn.isClosed()) {
                conn = source.open();
            }
            try (PreparedStatement ps = conn.prepareStatement("SELECT pg_current_wal_lsn()::text,"
                    + " (SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint FROM pg_replication_slots"
                    + "   WHERE slot_name = ?)")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    current = Optional.of(Lsn.parse(rs.getString(1)));
                    long r = rs.getLong(2);
                    retained = rs.wasNull() ? Optional.empty() : Optional.of(r);
                }
            }
        } catch (SQLException | InflightException e) {
            closeConnection();
        }
        retained.ifPresent(this::warnIfRetainingTooMuch);
        Instant now = Instant.now();
        long nanos = System.nanoTime();
        long changes = stats.changes();
        double rate = (changes - lastChanges) / Math.max(1e-9, (nanos - lastNanos) / 1e9);
        lastChanges = changes;
        lastNanos = nanos;
        Lsn applied = stats.appliedLsn().isValid() ? stats.appliedLsn() : state.confirmed();
        long lagBytes = current.map(c -> Math.max(0, c.bytesAfter(applied))).orElse(-1L);
        return new StreamStatus(now, state.phase(), applied, current, lagBytes, state.lagTime(now), rate, changes,
                stats.transactions(), stats.missingRows(), retained, stats.tables());
    }

    private void warnIfRetainingTooMuch(long retained) {
        Instant now = Instant.now();
        if (retained > maxRetainedWal
                && Duration.between(lastRetentionWarning, now).compareTo(RETENTION_WARNING_EVERY) >= 0) {
            lastRetentionWarning = now;
            progress.warning("slot '" + slot + "' holds back " + (retained >> 20) + " MB of WAL on the source (limit "
                    + (maxRetainedWal >> 20) + " MB): the source's disk fills while the stream is behind or stopped."
                    + " Keep the stream running, or drop the migration with inflight cleanup");
        }
    }

    private void closeConnection() {
        if (conn != null) {
            try {
                conn.close();
            } catch (SQLException ignored) {
                // reopened on the next tick
            }
            conn = null;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeConnection();
    }
}
