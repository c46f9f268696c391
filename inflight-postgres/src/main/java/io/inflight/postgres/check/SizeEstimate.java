package io.inflight.postgres.check;

import io.inflight.core.ErrorCode;
import io.inflight.core.Identifiers;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.schema.ColumnInfo;
import io.inflight.postgres.schema.SchemaFilter;
import io.inflight.postgres.schema.TableInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;

/**
 * Sizes and times, measured rather than guessed where it can be: the data size from the catalog, the copy
 * rate from a short binary COPY of the biggest table, the source's WAL rate from two readings of
 * {@code pg_current_wal_lsn()} over the sample period, the WAL a slot would hold back during the estimated
 * copy, and the target's free disk when it is knowable (a target on this machine whose data directory this
 * process can see). What cannot be known is reported as unknown. Blocks for about the sample period.
 */
public final class SizeEstimate {

    static final String NAME = "estimate";
    /** About this much of the biggest table is copied to time the copy. */
    static final long SAMPLE_BYTES = 8L << 20;
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1");

    private SizeEstimate() {
    }

    /**
     * @param tgt null when the target could not be reached
     */
    public static List<Finding> inspect(Connection src, PgConnector source, Connection tgt, PgConnector target,
                                        List<TableInfo> tables, SchemaFilter schemas, int jobs, Duration sample) {
        List<Finding> out = new ArrayList<>();
        List<TableInfo> holding = tables.stream().filter(TableInfo::holdsRows).toList();
        long heap = holding.stream().mapToLong(TableInfo::estimatedBytes).sum();
        long rows = holding.stream().mapToLong(t -> Math.max(0, t.estimatedRows())).sum();
        long total = totalSize(src, source, schemas);
        out.add(Finding.info(NAME, "data size", holding.size() + " tables, about " + rows + " rows: "
                + Units.bytes(heap) + " of table data, " + Units.bytes(total) + " with indexes"));

        long started = System.nanoTime();
        Lsn before = walPosition(src, source);
        Optional<Double> rate = copyRate(source, holding, sample);
        sleepUntil(started + sample.toNanos());
        Lsn after = walPosition(src, source);
        double seconds = (System.nanoTime() - started) / 1e9;
        double walPerSecond = Math.max(0, after.value() - before.value()) / seconds;

        Optional<Duration> copyTime = rate.map(r -> Duration.ofMillis((long) (heap / r / Math.max(1, jobs) * 1000)));
        if (rate.isPresent()) {
            out.add(Finding.info(NAME, "copy time", "copy rate measured on the biggest table: "
                    + Units.bytes(rate.get()) + "/s per worker; with " + jobs + " worker(s) the copy takes about "
                    + Units.duration(copyTime.get()) + " if the servers' disks and CPUs keep up (indexes are built"
                    + " afterwards)"));
        } else {
            out.add(Finding.info(NAME, "copy time", "copy time unknown: no table with rows to sample"));
        }
        String walText = "source writes WAL at " + Units.bytes(walPerSecond) + "/s (measured over "
                + Math.round(seconds) + " s)";
        if (copyTime.isPresent()) {
            double retained = walPerSecond * Math.max(1, copyTime.get().toSeconds());
            walText += "; during the copy the slot holds back about " + Units.bytes(retained) + " of WAL on the source";
            out.add(Finding.info(NAME, "wal retained", walText));
            slotLimit(src, source).filter(limit -> retained > limit).ifPresent(limit -> out.add(Finding.warning(NAME,
                    "max_slot_wal_keep_size", "the slot would hold back about " + Units.bytes(retained)
                            + " of WAL but max_slot_wal_keep_size = " + Units.bytes(limit)
                            + ": the source would invalidate the slot during the copy",
                    "Raise max_slot_wal_keep_size on the source (ALTER SYSTEM SET max_slot_wal_keep_size = ...;"
                            + " SELECT pg_reload_conf();) or set it to -1")));
        } else {
            out.add(Finding.info(NAME, "wal retained", walText));
        }
        if (tgt != null) {
            out.add(diskFree(tgt, target, total));
        }
        return out;
    }

    /** A blocker when the target's free space is known and below what the data needs there. */
    static Finding judgeDisk(String where, long free, long needed) {
        if (free < needed) {
            return Finding.blocker(ErrorCode.RESOURCE_EXHAUSTED, NAME, "disk free", "the target's disk (" + where
                    + ") has " + Units.bytes(free) + " free, but the data takes about " + Units.bytes(needed)
                    + " with its indexes", "Free space or grow the target's disk before cloning");
        }
        return Finding.info(NAME, "disk free", "target disk (" + where + ") has " + Units.bytes(free)
                + " free for about " + Units.bytes(needed) + " of data and indexes");
    }

    private static Finding diskFree(Connection tgt, PgConnector target, long needed) {
        String unknown = "target free disk space unknown: ";
        if (!LOOPBACK.contains(target.endpoint().host())) {
            return Finding.info(NAME, "disk free", unknown + "the target is on another machine and PostgreSQL"
                    + " does not report free space; make sure it has room for about " + Units.bytes(needed));
        }
        String dataDir = null;
        try (Statement s = tgt.createStatement();
             ResultSet rs = s.executeQuery("SELECT setting FROM pg_settings WHERE name = 'data_directory'")) {
            if (rs.next()) {
                dataDir = rs.getString(1);
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "reading data_directory");
        }
        if (dataDir == null) {
            return Finding.info(NAME, "disk free", unknown + "role '" + target.endpoint().user()
                    + "' may not read data_directory (needs pg_read_all_settings); make sure the target has room"
                    + " for about " + Units.bytes(needed));
        }
        Path dir = Paths.get(dataDir);
        try {
            long free = Files.getFileStore(dir).getUsableSpace();
            return judgeDisk(dataDir, free, needed);
        } catch (IOException | SecurityException e) {
            return Finding.info(NAME, "disk free", unknown + dataDir + " is not visible from here ("
                    + e.getMessage() + "); make sure the target has room for about " + Units.bytes(needed));
        }
    }

    private static long totalSize(Connection c, PgConnector source, SchemaFilter schemas) {
        String sql = "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'm') AND " + schemas.sqlCondition("n.nspname");
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "measuring the data size");
        }
    }

    private static Lsn walPosition(Connection c, PgConnector source) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "reading the WAL position");
        }
    }

    private static Optional<Long> slotLimit(Connection c, PgConnector source) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT setting::bigint * 1024 * 1024 FROM pg_settings WHERE name = 'max_slot_wal_keep_size'"
                        + " AND setting <> '-1'")) {
            return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "reading max_slot_wal_keep_size");
        }
    }

    /**
     * Bytes of table data per second one worker copies: a binary COPY of up to {@link #SAMPLE_BYTES} of
     * the biggest table, on its own connection, timed, with the COPY bytes scaled to on-disk bytes.
     */
    static Optional<Double> copyRate(PgConnector source, List<TableInfo> tables, Duration limit) {
        Optional<TableInfo> biggest = tables.stream().filter(t -> t.estimatedBytes() > 0)
                .max(Comparator.comparingLong(TableInfo::estimatedBytes));
        if (biggest.isEmpty()) {
            return Optional.empty();
        }
        TableInfo t = biggest.get();
        double bytesPerRow = t.estimatedRows() > 0 ? (double) t.estimatedBytes() / t.estimatedRows() : 0;
        long rows = bytesPerRow > 0 ? Math.max(1, (long) (SAMPLE_BYTES / bytesPerRow)) : 100_000;
        String columns = t.copyColumns().stream().map(ColumnInfo::name)
                .map(Identifiers::quote).collect(Collectors.joining(", "));
        String sql = "COPY (SELECT " + columns + " FROM " + t.id().quoted() + " LIMIT " + rows
                + ") TO STDOUT (FORMAT binary)";
        try (Connection c = source.open()) {
            try (Statement s = c.createStatement()) {
                s.execute("SET statement_timeout = " + Math.max(1000, limit.toMillis() * 5));
            }
            CountingSink sink = new CountingSink();
            long start = System.nanoTime();
            long copiedRows = c.unwrap(PGConnection.class).getCopyAPI().copyOut(sql, sink);
            double seconds = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
            double diskBytes = bytesPerRow > 0 ? copiedRows * bytesPerRow : sink.count;
            return copiedRows == 0 ? Optional.empty() : Optional.of(diskBytes / seconds);
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "timing a sample copy of " + t.id());
        } catch (IOException e) {
            throw new InflightException(ErrorCode.INTERNAL, "timing a sample copy of " + t.id() + ": " + e, e);
        }
    }

    private static void sleepUntil(long nanoTime) {
        long wait = nanoTime - System.nanoTime();
        if (wait <= 0) {
            return;
        }
        try {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InflightException(ErrorCode.INTERRUPTED, "interrupted while measuring the source's WAL rate");
        }
    }

    /** Discards what it is given, counting it: the sample copy's sink. */
    private static final class CountingSink extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
