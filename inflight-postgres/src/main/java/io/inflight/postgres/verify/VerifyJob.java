package io.inflight.postgres.verify;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.TableId;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.connect.Side;
import io.inflight.postgres.schema.ColumnInfo;
import io.inflight.postgres.schema.TableCatalog;
import io.inflight.postgres.schema.TableInfo;
import io.inflight.postgres.snapshot.RangePlanner;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code inflight verify}: did every row arrive, exactly once? Compares every table of the chosen schemas
 * between source and target (see {@link TableVerifier}), {@code jobs} tables at a time over {@code jobs}
 * connections per side, and returns a report per table. Only reads the source (read-only transactions);
 * writes only its own progress on the target ({@link VerifyStateStore}), so a stopped verify resumes.
 * {@link #run} blocks; the listener hears about tables from several threads.
 */
public final class VerifyJob {

    private static final Logger log = LoggerFactory.getLogger(VerifyJob.class);

    /** Rows per bucket aimed at: a differing bucket costs reading this many (key, hash) pairs per side. */
    static final long ROWS_PER_BUCKET = 1000;
    /** Buckets per table at most: the first comparison returns up to this many rows per slice and side. */
    static final long MAX_BUCKETS = 1L << 16;

    private final VerifyOptions options;
    private final ProgressListener listener;

    public VerifyJob(VerifyOptions options, ProgressListener listener) {
        this.options = options;
        this.listener = listener;
    }

    public VerifyResult run() {
        long start = System.nanoTime();
        PgConnector sourceConnector = new PgConnector(Side.SOURCE, options.source());
        PgConnector targetConnector = new PgConnector(Side.TARGET, options.target());
        ExecutorService workers = Executors.newFixedThreadPool(2 * options.jobs(), daemon("inflight-verify-worker"));
        ExecutorService aux = Executors.newCachedThreadPool(daemon("inflight-verify-aux"));
        ExecutorService tables = Executors.newFixedThreadPool(options.jobs(), daemon("inflight-verify-table"));
        try (SidePool source = new SidePool(sourceConnector, options.jobs(), true);
             SidePool target = new SidePool(targetConnector, options.jobs(), false);
             Connection control = targetConnector.open()) {
            VerifyStateStore store = sql(targetConnector, "opening verify's state on the target",
                    () -> VerifyStateStore.open(control, targetConnector.toString()));
            long runId = sql(targetConnector, "reading verify's state", () -> store.run(options.restart()));
            Map<TableId, TableReport> done = sql(targetConnector, "reading verify's state", () -> store.done(runId));
            List<TableInfo> sourceTables = source.inTransaction("reading the source catalog",
                    c -> TableCatalog.read(c, options.schemas()));
            Map<TableId, TableInfo> targetTables = target.inTransaction("reading the target catalog",
                    c -> TableCatalog.read(c, options.schemas())).stream()
                    .collect(Collectors.toMap(TableInfo::id, Function.identity()));
            SessionSettings.Probe sourceProbe = probe(source);
            SessionSettings.Probe targetProbe = probe(target);
            HashFunction hash = SessionSettings.choose(sourceProbe, targetProbe);
            if (hash == HashFunction.MD5) {
                log.info("the two servers hash text differently (byte order or encoding): using MD5, slower");
            }
            Optional<LagWait> live = liveMode(target).map(p -> new LagWait(p, target, options.liveTimeout()));
            live.ifPresent(l -> log.info("live: differences are re-checked once {} has passed them", l.describe()));
            RateLimiter limiter = new RateLimiter(options.maxRowsPerSecond());

            List<TableInfo> todo = sourceTables.stream().filter(TableInfo::holdsRows)
                    .sorted(Comparator.comparingLong(TableInfo::estimatedBytes).reversed()).toList();
            listener.phaseStarted("verify", todo.size() + " tables");
            Map<TableId, Future<TableReport>> futures = new LinkedHashMap<>();
            for (TableInfo t : todo) {
                TableReport resumed = done.get(t.id());
                if (resumed != null) {
                    listener.tableSkipped(t.id(), "compared by this verify run before it stopped");
                    futures.put(t.id(), java.util.concurrent.CompletableFuture.completedFuture(resumed.asResumed()));
                    continue;
                }
                listener.tableExpected(t.id(), t.estimatedRows(), t.estimatedBytes());
                futures.put(t.id(), tables.submit(() -> {
                    listener.tableStarted(t.id(), t.estimatedRows(), t.estimatedBytes());
                    TableReport r = verifyTable(t, targetTables.get(t.id()), hash, source, target, workers, aux,
                            limiter, live);
                    if (r.status() != TableReport.Status.NOT_COMPARED) {
                        sql(targetConnector, "recording the verify of " + t.id(), () -> {
                            store.save(runId, r);
                            return null;
                        });
                    }
                    log.info("{}: {} rows, {} in {} ms", t.id(), r.sourceRows(), r.status() == TableReport.Status.EQUAL
                            ? "equal" : r.status() == TableReport.Status.DIFFERS ? (r.missing() + " missing, " + r.extra()
                            + " extra, " + r.differing() + " differing") : "not compared: " + r.reason().orElse(""),
                            r.elapsed().toMillis());
                    listener.tableFinished(t.id(), r.sourceRows(), 0);
                    return r;
                }));
            }
            List<TableReport> reports = new ArrayList<>();
            for (Future<TableReport> f : futures.values()) {
                reports.add(get(f));
            }
            reports.sort(Comparator.comparing(TableReport::table));
            sql(targetConnector, "recording the end of the verify run", () -> {
                store.finish(runId);
                return null;
            });
            listener.phaseFinished("verify", reports.size() + " tables");
            return new VerifyResult(runId, reports, Duration.ofNanos(System.nanoTime() - start),
                    live.map(LagWait::describe));
        } catch (SQLException e) {
            throw PgErrors.translate(e, targetConnector, "closing the verify session");
        } finally {
            tables.shutdownNow();
            workers.shutdownNow();
            aux.shutdownNow();
        }
    }

    /** The probe; a server before PostgreSQL 11 lacks the 64-bit hash functions verify runs inside it. */
    private static SessionSettings.Probe probe(SidePool side) {
        int major = side.inTransaction("reading the server version", c -> c.getMetaData().getDatabaseMajorVersion());
        if (major < 11) {
            throw new InflightException(ErrorCode.UNSUPPORTED, side.connector() + " runs PostgreSQL " + major
                    + "; inflight verify needs PostgreSQL 11 or newer on both sides (its 64-bit hash functions)");
        }
        return side.inTransaction("probing how the server hashes", SessionSettings::probe);
    }

    private TableReport verifyTable(TableInfo s, TableInfo t, HashFunction hash, SidePool source, SidePool target,
                                    ExecutorService workers, ExecutorService aux, RateLimiter limiter,
                                    Optional<LagWait> live) {
        if (t == null) {
            return TableReport.notCompared(s.id(), "the table is missing on the target");
        }
        Set<String> targetColumns = t.columns().stream().map(ColumnInfo::name).collect(Collectors.toSet());
        List<String> absent = s.columns().stream().map(ColumnInfo::name).filter(n -> !targetColumns.contains(n)).toList();
        if (!absent.isEmpty()) {
            return TableReport.notCompared(s.id(), "column(s) " + String.join(", ", absent) + " missing on the target");
        }
        Map<String, String> targetTypes = t.columns().stream().collect(Collectors.toMap(ColumnInfo::name, ColumnInfo::type));
        Set<String> asText = s.columns().stream().filter(c -> !c.type().equals(targetTypes.get(c.name())))
                .map(ColumnInfo::name).collect(Collectors.toSet());
        Set<String> targetNotNull = t.columns().stream().filter(ColumnInfo::notNull).map(ColumnInfo::name)
                .collect(Collectors.toSet());
        Set<String> nullable = s.columns().stream().filter(c -> !c.notNull() || !targetNotNull.contains(c.name()))
                .map(ColumnInfo::name).collect(Collectors.toSet());
        TableSql sql = new TableSql(s.id(), s.columns(), s.keyColumns(), hash, buckets(s, t), asText, nullable);
        return new TableVerifier(sql, new SideReader(sql, s, source, true), new SideReader(sql, t, target, false),
                planner(s), workers, aux, limiter, live).verify();
    }

    /** A power of two giving about {@link #ROWS_PER_BUCKET} rows per bucket. */
    static long buckets(TableInfo source, TableInfo target) {
        long rows = Math.max(source.estimatedRows(), target.estimatedRows());
        if (rows <= 0) {
            rows = Math.max(source.estimatedBytes(), target.estimatedBytes()) / 100;
        }
        long wanted = Math.max(1, (rows + ROWS_PER_BUCKET - 1) / ROWS_PER_BUCKET);
        return Math.min(MAX_BUCKETS, Long.highestOneBit(wanted) << (Long.bitCount(wanted) == 1 ? 0 : 1));
    }

    /**
     * Unthrottled: the copy's slices (about a second of reading each). Throttled: slices of about a second of
     * the allowed rate, so the source sees an even trickle rather than bursts.
     */
    private RangePlanner planner(TableInfo s) {
        if (options.maxRowsPerSecond() <= 0 || s.estimatedRows() <= 0) {
            return new RangePlanner();
        }
        long bytesPerRow = Math.max(1, s.estimatedBytes() / s.estimatedRows());
        return new RangePlanner(Math.max(1L << 20, options.maxRowsPerSecond() * bytesPerRow));
    }

    private Optional<AppliedPosition> liveMode(SidePool target) {
        LiveMode mode = options.live();
        return switch (mode.kind()) {
            case OFF -> Optional.empty();
            case STREAM -> Optional.of(new StreamAppliedPosition());
            case SUBSCRIPTION -> {
                String name = mode.subscription().orElseThrow();
                if (!subscriptions(target).contains(name)) {
                    throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "--live subscription:" + name
                            + ": the target database has no subscription of that name (see pg_subscription)");
                }
                yield Optional.of(new SubscriptionAppliedPosition(name));
            }
            case AUTO -> {
                // A stream that has committed once; an empty position means no stream has started yet.
                boolean stream = target.inTransaction("looking for the stream's position",
                        c -> io.inflight.postgres.checkpoint.StreamPosition.read(c).isPresent());
                if (stream) {
                    yield Optional.of(new StreamAppliedPosition());
                }
                List<String> subs = subscriptions(target);
                yield subs.size() == 1 ? Optional.of(new SubscriptionAppliedPosition(subs.get(0))) : Optional.empty();
            }
        };
    }

    private static List<String> subscriptions(SidePool target) {
        return target.inTransaction("listing the target's subscriptions", c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT subname FROM pg_subscription WHERE subdbid ="
                    + " (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY subname");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    @FunctionalInterface
    private interface SqlCall<T> {
        T call() throws SQLException;
    }

    private static <T> T sql(PgConnector on, String doing, SqlCall<T> call) {
        try {
            return call.call();
        } catch (SQLException e) {
            throw PgErrors.translate(e, on, doing);
        }
    }

    private static <T> T get(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InflightException(ErrorCode.INTERRUPTED, "verify was interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new InflightException(ErrorCode.INTERNAL, "verify failed: " + e.getCause(), e.getCause());
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
