package io.inflight.postgres.stream;

import io.inflight.core.Endpoint;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.core.TableId;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.apply.Applier;
import io.inflight.postgres.apply.ApplyOptions;
import io.inflight.postgres.apply.ApplyStats;
import io.inflight.postgres.checkpoint.MigrationRecord;
import io.inflight.postgres.checkpoint.StateStore;
import io.inflight.postgres.checkpoint.StreamPosition;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.connect.Side;
import io.inflight.postgres.schema.SchemaFilter;
import io.inflight.postgres.schema.TableCatalog;
import io.inflight.postgres.schema.TableInfo;
import io.inflight.postgres.snapshot.Backfill;
import io.inflight.postgres.snapshot.SnapshotSlot;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code inflight stream}: keeps the target in step with the source after the clone, from the migration's slot,
 * until stopped. Survives the loss of either database: it reconnects with backoff and resumes from the position
 * stored on the target, for up to {@link StreamOptions#reconnectFor()} of continuous outage. A table added to the
 * publication meanwhile is copied under a fresh snapshot, and its changes apply from that snapshot's LSN on.
 *
 * <p>{@link #run()} blocks; {@link #stop()} (from another thread, e.g. on Ctrl-C) ends it after the current
 * batch. Errors that a reconnect cannot fix (a schema change, a conflicting row, a missing slot) end it with an
 * {@link InflightException} naming the table and what to do.
 */
public final class StreamJob {

    private static final Logger log = LoggerFactory.getLogger(StreamJob.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(15);
    private static final Duration CONTROL_EVERY = Duration.ofSeconds(1);

    private final StreamOptions options;
    private final ProgressListener progress;
    private final StreamListener listener;
    private final PgConnector source;
    private final PgConnector target;
    private final ApplyStats stats = new ApplyStats();
    private final StreamState streamState = new StreamState();
    private volatile boolean stopRequested;
    /** Where another process (cutover) asks this stream to stop; set while {@link #run()} holds it. */
    private StateStore control;
    private long controlCheckedNanos;
    private int doneCalls;
    /** A power of two: how many calls of {@link #done()} read the clock once. */
    private static final int CLOCK_EVERY_CALLS = 64;
    /** Transactions from these origins are left out: {@code options.skipOrigins()} and Inflight's writes. */
    private Set<String> skipOrigins = Set.of();
    /** Which of Inflight's streams write into the source: looked up beside the first session's connections. */
    private CompletableFuture<Set<String>> originsLookup;
    /** Set once a session got as far as streaming: the configuration is sound, later failures are outages. */
    private boolean streamedOnce;
    /** The position the target held when the last session started (the stored position, else the clone's). */
    private volatile Lsn startedFrom = Lsn.INVALID;
    /** A position someone waits for (the cutover's fence): reached without waiting for the idle tick. */
    private final java.util.concurrent.atomic.AtomicReference<Lsn> awaited =
            new java.util.concurrent.atomic.AtomicReference<>(Lsn.INVALID);

    public StreamJob(StreamOptions options, ProgressListener progress, StreamListener listener) {
        this.options = options;
        this.progress = progress;
        this.listener = listener;
        this.source = new PgConnector(Side.SOURCE, options.source());
        this.target = new PgConnector(Side.TARGET, options.target());
    }

    /**
     * The source's current WAL insert position: a stream stopping there has applied every transaction committed
     * until now, also those whose commit record an asynchronous commit has not written out yet.
     */
    public static Lsn sourcePosition(Endpoint source) {
        PgConnector c = new PgConnector(Side.SOURCE, source);
        try (Connection conn = c.open(); Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        } catch (SQLException e) {
            throw PgErrors.translate(e, c, "reading the current WAL position");
        }
    }

    /** Live counters; safe to read from any thread. */
    public ApplyStats stats() {
        return stats;
    }

    /**
     * Someone waits for the target to hold everything up to {@code lsn} (the cutover, with writes fenced): until
     * then, an idle source's position is recorded as soon as it is reported, and the source is asked for it at
     * once, instead of once a second. Thread-safe.
     */
    public void awaitPosition(Lsn lsn) {
        awaited.set(lsn);
    }

    /** Asks {@link #run()} to commit what it holds and return. */
    public void stop() {
        stopRequested = true;
    }

    public StreamResult run() {
        long started = System.nanoTime();
        int reconnects = 0;
        // The source decodes nothing for us before START_REPLICATION: its connection opens first, beside the state
        // store, and the first session starts streaming on it.
        Opening next = opening();
        originsLookup = next.openings().run(() -> originsWritingInto(source));
        StateStore state = null;
        try {
            state = StateStore.open(target);
            MigrationRecord migration = migration(state, next.replication());
            state.setPhase("streaming");
            control = state;
            try (LagMonitor monitor = new LagMonitor(source, migration.slotName(), stats, streamState, listener,
                    progress, options.maxRetainedWal())) {
                monitor.start();
                long outageStarted = 0;
                Duration backoff = FIRST_BACKOFF;
                while (!done()) {
                    try {
                        streamState.phase(streamedOnce ? "reconnecting" : "connecting");
                        state = reconnected(state);
                        Opening opening = next != null ? next : opening();
                        next = null;
                        session(state, migration, opening);
                    } catch (StreamSession.NewTableException e) {
                        copyNewTable(state, e.table);
                        continue;
                    } catch (InflightException e) {
                        if (!streamedOnce || !retriable(e)) {
                            throw e;
                        }
                        long now = System.nanoTime();
                        outageStarted = outageStarted == 0 ? now : outageStarted;
                        if (now - outageStarted > options.reconnectFor().toNanos()) {
                            throw new InflightException(e.code(), e.getMessage() + " (gave up reconnecting after "
                                    + options.reconnectFor().toSeconds() + " s; rerun to resume from "
                                    + applied() + ")", e.sqlState().orElse(null), e);
                        }
                        reconnects++;
                        progress.warning("stream interrupted, reconnecting in " + backoff.toMillis() + " ms: "
                                + e.getMessage());
                        sleep(backoff);
                        backoff = min(backoff.multipliedBy(2), MAX_BACKOFF);
                        continue;
                    }
                    outageStarted = 0;
                    backoff = FIRST_BACKOFF;
                }
            }
            return new StreamResult(applied(), stats.transactions(), stats.changes(), stats.missingRows(),
                    reconnects, Duration.ofNanos(System.nanoTime() - started));
        } finally {
            if (next != null) {
                next.close(); // no session took it over (a failure before the first, or a stop before it)
            }
            if (state != null) {
                state.close();
            }
        }
    }

    /** A session's connections while they open: the replication connection first, the others beside it. */
    private record Opening(Openings openings, CompletableFuture<PGConnection> replication) implements AutoCloseable {
        @Override
        public void close() {
            openings.close();
        }
    }

    private Opening opening() {
        Openings openings = new Openings();
        return new Opening(openings, openings.open(source::openReplication, SlotStream::closeQuietly));
    }

    /**
     * The state store, opened again (with the migration lock) when the target connection it holds broke: after a
     * target restart or a network cut every later session read the state through the dead connection and failed,
     * so the stream "reconnected" until it gave up.
     */
    private StateStore reconnected(StateStore state) {
        if (state.isConnected()) {
            return state;
        }
        state.close();
        StateStore reopened = StateStore.open(target);
        // the stop-request check reads through the store too: the closed one would fail it on every look
        control = reopened;
        return reopened;
    }

    private boolean done() {
        // asked before every message: no lambda or Optional made on the way
        return stopRequested || (options.stopAt().isPresent() && reached(options.stopAt().get()))
                || stopRequestedOnTarget();
    }

    /** About once a second: whether another process (cutover) asked this stream to stop, through the target. */
    private boolean stopRequestedOnTarget() {
        // asked before every message: the clock is read once in a while only (reading it cost a tenth of the
        // stream thread's work here while catching up)
        if ((++doneCalls & (CLOCK_EVERY_CALLS - 1)) != 0) {
            return stopRequested;
        }
        long now = System.nanoTime();
        if (control == null || now - controlCheckedNanos < CONTROL_EVERY.toNanos()) {
            return false;
        }
        controlCheckedNanos = now;
        boolean requested;
        try {
            requested = control.stopRequested();
        } catch (InflightException e) {
            // the target went away: the session finds out too, and reconnects with a fresh store
            log.debug("cannot read the stop request: {}", e.getMessage());
            return stopRequested;
        }
        if (requested) {
            log.info("stop requested through {}.control on the target (cutover is taking over)", StateStore.SCHEMA);
            stopRequested = true;
        }
        return stopRequested;
    }

    /**
     * The origins Inflight marks its writes into this database with: when a stream in the other direction writes
     * into our source (after cutover, the old source is the reverse stream's target), its migration record there
     * names its slot, and changes marked with that slot's origin must not come back.
     */
    private static Set<String> originsWritingInto(PgConnector db) {
        try (Connection c = db.open(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT to_regclass('" + StateStore.SCHEMA + ".migration') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return Set.of();
            }
            try (ResultSet m = s.executeQuery("SELECT slot_name FROM " + StateStore.SCHEMA + ".migration")) {
                return m.next() ? Set.of(originName(m.getString(1))) : Set.of();
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, db, "reading which Inflight streams write into the source");
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new java.util.HashSet<>(a);
        out.addAll(b);
        return Set.copyOf(out);
    }

    private boolean reached(Lsn lsn) {
        return applied().compareTo(lsn) >= 0;
    }

    /**
     * What the target holds: the last commit of this run, else where the session started. Without the latter a
     * stream with nothing to apply reported 0/0, and {@code --until-caught-up} on an idle source whose WAL had
     * not moved since the stored position never ended (no commit, no idle advance past the stop position).
     */
    private Lsn applied() {
        Lsn committed = stats.appliedLsn();
        return committed.compareTo(startedFrom) >= 0 ? committed : startedFrom;
    }

    /**
     * One connected session, until stopped or failed. Takes over {@code opening}: the stream starts as soon as the
     * replication connection is there, while the other connections open beside it; if any of them fails, every one
     * that opened is closed again and the walsender ends.
     */
    private void session(StateStore state, MigrationRecord migration, Opening opening) {
        Lsn from;
        SlotStream slot;
        Connection srcSql;
        Applier applier;
        Map<TableId, TableInfo> targetTables;
        try (Openings openings = opening.openings()) {
            CompletableFuture<Connection> sourceSql = openings.open(source::open, PgConnector::closeQuietly);
            CompletableFuture<Map<TableId, TableInfo>> tables = openings.run(this::targetTables);
            // Read through the store, under the migration lock this stream holds: no other stream can move the
            // position between this read and the start from it.
            from = state.streamPosition().map(StreamPosition::appliedLsn).orElse(migration.consistentLsn());
            CompletableFuture<Applier> applying = openings.open(
                    () -> Applier.open(target, applyOptions(migration), stats, from, progress), Applier::close);
            slot = SlotStream.start(Openings.await(opening.replication()), source, migration.slotName(),
                    migration.publication(), from);
            try {
                skipOrigins = union(options.skipOrigins(), Openings.await(originsLookup));
                srcSql = Openings.await(sourceSql);
                targetTables = Openings.await(tables);
                applier = Openings.await(applying);
                openings.keep();
            } catch (RuntimeException e) {
                slot.close();
                throw e;
            }
        }
        try (srcSql; applier; slot) {
            Function<TableId, Map<String, String>> definitions = t -> {
                try {
                    return TableShapes.readDefinitions(srcSql, t);
                } catch (SQLException e) {
                    return Map.of();
                }
            };
            startedFrom = from;
            streamState.applied(from);
            StreamSession session = new StreamSession(slot, applier, new TableShapes(targetTables, definitions),
                    state.tableStartLsns(), skipOrigins, streamState, awaited::get);
            streamState.phase("streaming");
            streamedOnce = true;
            log.info("streaming from slot {} at {}", migration.slotName(), from);
            try {
                session.run(this::done);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InflightException(ErrorCode.INTERRUPTED, "streaming interrupted at " + applier.appliedLsn()
                        + "; rerun to resume");
            } catch (RuntimeException e) {
                applier.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "closing the source connection");
        }
    }

    /** The target's tables as they are now, on a connection of its own. */
    private Map<TableId, TableInfo> targetTables() {
        try (Connection tgt = target.open()) {
            return TableCatalog.read(tgt, SchemaFilter.all()).stream().collect(Collectors.toMap(TableInfo::id, t -> t));
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "reading the tables on the target");
        }
    }


    /**
     * Marks the stream's writes with origin {@code inflight_<slot>} unless told otherwise: a stream in the other
     * direction (the fallback after cutover) must be able to leave them out.
     */
    private ApplyOptions applyOptions(MigrationRecord migration) {
        return options.apply().origin().isPresent() ? options.apply()
                : options.apply().withOrigin(originName(migration.slotName()));
    }

    /** The replication origin the stream of a migration with this slot marks its writes with. */
    public static String originName(String slotName) {
        return "inflight_" + slotName;
    }

    /**
     * The migration to stream, once it is known to be this source's (asked on {@code replication}, the connection
     * the first session streams on, when it has opened) and ready to stream. Whether the slot is still there shows
     * when the stream starts on it: looking it up first cost a connection of its own.
     */
    private MigrationRecord migration(StateStore state, CompletableFuture<PGConnection> replication) {
        MigrationRecord m = state.migration().orElseThrow(() -> new InflightException(ErrorCode.INVALID_CONFIGURATION,
                "the target " + target.endpoint() + " holds no migration: run inflight clone first (or inflight run,"
                        + " which clones and then streams)"));
        state.verifySource(SnapshotSlot.identify(Openings.await(replication), source));
        if ("promoted".equals(m.phase())) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "writes were moved to " + target.endpoint()
                    + " (inflight cutover or rollback), so the stream into it is retired; the stream in the other"
                    + " direction keeps the old side in step: inflight stream --reverse (after cutover) or inflight"
                    + " stream (after rollback)");
        }
        if (!Set.of("cloned", "streaming").contains(m.phase())) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "the clone into " + target.endpoint()
                    + " has not finished (phase '" + m.phase() + "'); rerun inflight clone to finish it, then stream");
        }
        return m;
    }

    /**
     * Copies a table that joined the publication after the clone (its rows were never copied), under a fresh
     * snapshot whose LSN becomes the table's start: its changes before that are in the copy.
     */
    private void copyNewTable(StateStore state, TableId table) {
        streamState.phase("copying " + table);
        TableInfo info;
        try (Connection src = source.open(); Connection tgt = target.open()) {
            info = TableCatalog.read(src, SchemaFilter.only(table.schema())).stream()
                    .filter(t -> t.id().equals(table)).findFirst()
                    .orElseThrow(() -> new InflightException(ErrorCode.SCHEMA_MISMATCH, "table " + table
                            + " is published but no longer exists on the source"));
            try (Statement s = tgt.createStatement();
                 ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM ONLY " + table.quoted() + ")")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    throw new InflightException(ErrorCode.TARGET_NOT_EMPTY, "table " + table + " joined the"
                            + " publication after the clone and must be copied, but it already holds rows on the"
                            + " target; empty it there (TRUNCATE " + table.quoted() + "), then rerun");
                }
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "preparing to copy new table " + table);
        }
        progress.warning("table " + table + " joined the publication after the clone: copying it now, then"
                + " streaming its changes");
        state.registerTables(List.of(table));
        Backfill backfill = new Backfill(source, target, state, options.copyJobs(), progress);
        try (SnapshotSlot snap = SnapshotSlot.createTemporary(source)) {
            Backfill.Result r = backfill.run(List.of(info), snap.snapshot());
            log.info("copied new table {} ({} rows) at LSN {}", table, r.rowsCopied(), snap.consistentPoint());
        }
    }

    private static boolean retriable(InflightException e) {
        return switch (e.code()) {
            case CONNECTION_LOST, CONNECTION_FAILED -> true;
            // a server out of disk may get some back; Inflight's own heap (no SQLSTATE) will not grow by waiting
            case RESOURCE_EXHAUSTED -> e.sqlState().isPresent();
            // the walsender of a broken connection may hold the slot until the source notices
            case OBJECT_CONFLICT -> "55006".equals(e.sqlState().orElse(""));
            default -> false;
        };
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InflightException(ErrorCode.INTERRUPTED, "interrupted while waiting to reconnect");
        }
    }
}
