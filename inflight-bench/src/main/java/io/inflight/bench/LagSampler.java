package io.inflight.bench;

import io.inflight.core.Identifiers;
import io.inflight.core.Lsn;
import io.inflight.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Samples, every {@link #INTERVAL}, the source's WAL insert position and each applier's progress, from its own
 * connections on a thread of its own: the position its slot on the source has confirmed
 * ({@code confirmed_flush_lsn}, what the source may forget) and the position it has committed on its
 * target database (Inflight's {@code inflight.stream_position}, the subscription's replication origin).
 * Lag in bytes is insert position minus applier position; lag in seconds comes from the {@link LagTimeline}
 * of insert positions. {@link #stop()} ends the sampling; the results are read after that.
 */
final class LagSampler implements AutoCloseable {

    static final Duration INTERVAL = Duration.ofMillis(200);

    /** One sample: when, the source's insert LSN, and per applier its confirmed and its applied LSN. */
    record Sample(long nanos, long insertLsn, Map<Appliers, Long> confirmed, Map<Appliers, Long> applied) {
    }

    /** One applier's lag over a window: applied on the target (seconds, bytes), confirmed to the source (seconds, bytes). */
    record Lag(Percentiles appliedSeconds, Percentiles appliedBytes, Percentiles confirmedSeconds, Percentiles confirmedBytes) {
    }

    private final Connection source;
    private final Map<Appliers, Connection> targets;
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;
    private volatile RuntimeException failure;

    private LagSampler(Connection source, Map<Appliers, Connection> targets) {
        this.source = source;
        this.targets = targets;
        this.thread = new Thread(this::loop, "lag-sampler");
        this.thread.setDaemon(true);
    }

    static LagSampler start(PostgresServer sourceServer, String sourceDatabase, PostgresServer target,
                            Map<Appliers, String> targetDatabases) {
        try {
            Map<Appliers, Connection> targets = new EnumMap<>(Appliers.class);
            for (Map.Entry<Appliers, String> e : targetDatabases.entrySet()) {
                targets.put(e.getKey(), target.connect(e.getValue()));
            }
            LagSampler sampler = new LagSampler(sourceServer.connect(sourceDatabase), targets);
            sampler.thread.start();
            return sampler;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect the lag sampler: " + e.getMessage(), e);
        }
    }

    private void loop() {
        String sql = "SELECT pg_current_wal_insert_lsn()::text" + slotColumns();
        try (Statement src = source.createStatement()) {
            long next = System.nanoTime();
            while (!stopped) {
                Map<Appliers, Long> confirmed = new EnumMap<>(Appliers.class);
                Map<Appliers, Long> applied = new EnumMap<>(Appliers.class);
                long insert;
                long at = System.nanoTime();
                try (ResultSet rs = src.executeQuery(sql)) {
                    rs.next();
                    insert = lsn(rs.getString(1));
                    int column = 2;
                    for (Appliers a : Appliers.values()) {
                        confirmed.put(a, lsn(rs.getString(column++)));
                    }
                }
                for (Map.Entry<Appliers, Connection> e : targets.entrySet()) {
                    applied.put(e.getKey(), appliedLsn(e.getValue(), e.getKey()));
                }
                synchronized (samples) {
                    samples.add(new Sample(at, insert, confirmed, applied));
                }
                next += INTERVAL.toNanos();
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                } else {
                    next = System.nanoTime();
                }
            }
        } catch (SQLException e) {
            failure = new IllegalStateException("lag sampling failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String slotColumns() {
        StringBuilder sb = new StringBuilder();
        for (Appliers a : Appliers.values()) {
            sb.append(", (SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ")
                    .append(Identifiers.literal(a.slot)).append(')');
        }
        return sb.toString();
    }

    private static long appliedLsn(Connection c, Appliers applier) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(applier.appliedLsnQuery)) {
            return rs.next() ? lsn(rs.getString(1)) : 0;
        }
    }

    private static long lsn(String text) {
        return text == null ? 0 : Lsn.parse(text).value();
    }

    /** Ends the sampling; throws when it failed on the way. */
    void stop() {
        stopped = true;
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Each applier's lag over the samples taken between {@code fromNanos} and {@code toNanos}. The load must start
     * with both appliers idle at the source's last transaction, and a sample must precede the window: the WAL the
     * source writes while idle (checkpoints, running-transaction records) holds no change, so an applier still at
     * its idle position is not behind on it; lag counts from the first change after it.
     */
    Map<Appliers, Lag> lag(long fromNanos, long toNanos) {
        List<Sample> all;
        synchronized (samples) {
            all = List.copyOf(samples);
        }
        LagTimeline timeline = new LagTimeline();
        all.forEach(s -> timeline.add(s.nanos(), s.insertLsn()));
        List<Sample> before = all.stream().filter(s -> s.nanos() < fromNanos).toList();
        List<Sample> window = all.stream().filter(s -> s.nanos() >= fromNanos && s.nanos() <= toNanos).toList();
        if (before.isEmpty() || window.isEmpty()) {
            throw new IllegalStateException("no lag samples before or in the load window");
        }
        Sample idle = before.get(before.size() - 1);
        Map<Appliers, Lag> out = new EnumMap<>(Appliers.class);
        for (Appliers a : Appliers.values()) {
            List<Double> appliedSeconds = new ArrayList<>();
            List<Double> appliedBytes = new ArrayList<>();
            List<Double> confirmedSeconds = new ArrayList<>();
            List<Double> confirmedBytes = new ArrayList<>();
            for (Sample s : window) {
                long applied = pastIdleWal(s.applied().get(a), idle.applied().get(a), idle.insertLsn());
                long confirmed = pastIdleWal(s.confirmed().get(a), idle.confirmed().get(a), idle.insertLsn());
                appliedSeconds.add(timeline.lagSeconds(applied, s.nanos()));
                appliedBytes.add((double) Math.max(0, s.insertLsn() - applied));
                confirmedSeconds.add(timeline.lagSeconds(confirmed, s.nanos()));
                confirmedBytes.add((double) Math.max(0, s.insertLsn() - confirmed));
            }
            out.put(a, new Lag(Percentiles.of(appliedSeconds), Percentiles.of(appliedBytes), Percentiles.of(confirmedSeconds),
                    Percentiles.of(confirmedBytes)));
        }
        return out;
    }

    /**
     * A position still at (or past) the idle position counts as just past the source's head when the load began:
     * its lag is then the age of the first WAL written after that, i.e. of the first change it has not applied.
     */
    static long pastIdleWal(long position, long idlePosition, long idleInsertLsn) {
        return position >= idlePosition && position <= idleInsertLsn ? idleInsertLsn + 1 : position;
    }

    @Override
    public void close() {
        stopped = true;
        closeQuietly(source);
        targets.values().forEach(LagSampler::closeQuietly);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // the sample data is already in memory
        }
    }
}
