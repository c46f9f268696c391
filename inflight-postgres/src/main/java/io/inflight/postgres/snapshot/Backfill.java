package io.inflight.postgres.snapshot;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.TableId;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.checkpoint.CopyStatus;
import io.inflight.postgres.checkpoint.RangeBounds;
import io.inflight.postgres.checkpoint.StateStore;
import io.inflight.postgres.checkpoint.TableState;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.schema.TableInfo;
import io.inflight.postgres.work.WorkSlots;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the rows of every table not yet copied from the source, as of one exported snapshot, into the
 * target's (empty, index-less) tables, with {@code jobs} workers in parallel, resumably.
 *
 * <p><b>Consistency.</b> Every worker reads inside the same snapshot, so all rows copied in one run are the
 * source as of that snapshot's LSN, which is recorded per table ({@link StateStore#tableStartLsns()}).
 *
 * <p><b>Resume.</b> Tables a previous run finished are skipped. A table a previous run started but did not
 * finish was copied in part under a snapshot that no longer exists; ranges read under two snapshots cannot
 * be combined (a row moved or changed between them would be lost or doubled), and the stream only knows
 * one start LSN per table. So such a table is emptied ({@code TRUNCATE}) and copied again whole under this
 * run's snapshot, in the same target transaction that records its new snapshot LSN.
 *
 * <p><b>Exactly once.</b> Each range's rows and its done mark commit in one target transaction.
 *
 * <p>Blocking; one run at a time per instance. Progress callbacks come from worker threads.
 */
public final class Backfill {

    private static final Logger log = LoggerFactory.getLogger(Backfill.class);

    private final PgConnector source;
    private final PgConnector target;
    private final StateStore state;
    private final int jobs;
    private final ProgressListener progress;
    private final RangePlanner planner;
    private final boolean replicaRole;
    private final WorkSlots slots;

    public Backfill(PgConnector source, PgConnector target, StateStore state, int jobs, ProgressListener progress) {
        // Ranges only buy parallelism: one worker streams each table fastest as one COPY.
        this(source, target, state, jobs, progress, jobs == 1 ? RangePlanner.unsplit() : new RangePlanner(), false, null);
    }

    /**
     * Loads with {@code session_replication_role = replica} on the target: for a schema the user made, whose
     * foreign keys and triggers are in place during the load. Tables arrive in parallel, children before
     * parents, so FK checks would fail, and user triggers must not fire for copied rows. Needs a role
     * allowed to set it (superuser, or {@code GRANT SET ON PARAMETER session_replication_role} on 15+).
     */
    public Backfill withTargetReplicaRole() {
        return new Backfill(source, target, state, jobs, progress, planner, true, slots);
    }

    /**
     * Runs each copy task while holding one of {@code slots}, shared with other work on the target (the
     * post-data schema), and tells them when no task is left to start. Their number, not {@code jobs},
     * then bounds the copy streams.
     */
    public Backfill withSlots(WorkSlots slots) {
        return new Backfill(source, target, state, slots.size(), progress, planner, replicaRole, slots);
    }

    /** Tests plan with smaller ranges. */
    Backfill(PgConnector source, PgConnector target, StateStore state, int jobs, ProgressListener progress,
             RangePlanner planner) {
        this(source, target, state, jobs, progress, planner, false, null);
    }

    private Backfill(PgConnector source, PgConnector target, StateStore state, int jobs, ProgressListener progress,
                     RangePlanner planner, boolean replicaRole, WorkSlots slots) {
        if (jobs < 1) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "--jobs must be at least 1, got " + jobs);
        }
        this.source = source;
        this.target = target;
        this.state = state;
        this.jobs = jobs;
        this.progress = progress;
        this.planner = planner;
        this.replicaRole = replicaRole;
        this.slots = slots;
    }

    /** What a run did. */
    public record Result(int tablesCopied, int tablesSkipped, long rowsCopied, long bytesCopied, Duration elapsed) {
    }

    /**
     * Registers the tables holding rows and returns those not yet copied: when empty, no snapshot is
     * needed and {@link #run} only reports the skips. Partitioned parents are never copied (their leaves are).
     */
    public List<TableInfo> remaining(List<TableInfo> tables) {
        List<TableInfo> rowTables = tables.stream().filter(TableInfo::holdsRows).toList();
        state.registerTables(rowTables.stream().map(TableInfo::id).toList());
        Map<TableId, TableState> states = state.tables();
        return rowTables.stream().filter(t -> states.get(t.id()).status() != CopyStatus.COPIED).toList();
    }

    /**
     * Copies every table of {@code tables} not yet copied under {@code snapshot}, whose exporting
     * connection must stay open until this returns. Throws CONNECTION_LOST (rerun resumes) when a
     * connection breaks, naming the table.
     */
    public Result run(List<TableInfo> tables, ExportedSnapshot snapshot) {
        long started = System.nanoTime();
        List<TableInfo> todo = remaining(tables);
        Map<TableId, TableState> states = state.tables();
        int skipped = 0;
        for (TableInfo t : tables) {
            TableState s = states.get(t.id());
            if (t.holdsRows() && s.status() == CopyStatus.COPIED) {
                skipped++;
                progress.tableSkipped(t.id(), "copied by an earlier run (" + s.rows() + " rows as of LSN "
                        + s.snapshotLsn().orElseThrow() + ")");
            }
        }
        if (todo.isEmpty()) {
            if (slots != null) {
                slots.copyDrained();
            }
            return new Result(0, skipped, 0, 0, Duration.ofNanos(System.nanoTime() - started));
        }
        List<CopyTask> tasks = prepare(todo, states, snapshot);
        log.info("copying {} tables in {} tasks with {} workers under snapshot {} (LSN {})", todo.size(), tasks.size(),
                Math.min(jobs, tasks.size()), snapshot.name(), snapshot.lsn());
        Totals totals = execute(tasks, snapshot);
        Result result = new Result(totals.tablesDone.get(), skipped, totals.rows.get(), totals.bytes.get(),
                Duration.ofNanos(System.nanoTime() - started));
        log.info("copied {} tables ({} rows, {} bytes) in {} ms; {} copied earlier", result.tablesCopied(),
                result.rowsCopied(), result.bytesCopied(), result.elapsed().toMillis(), skipped);
        return result;
    }

    /**
     * Plans each table's ranges and starts its copy attempt in the state: empties target tables a previous
     * attempt wrote to, records the snapshot LSN and the ranges, in one target transaction per table.
     */
    private List<CopyTask> prepare(List<TableInfo> todo, Map<TableId, TableState> states, ExportedSnapshot snapshot) {
        List<CopyTask> tasks = new ArrayList<>();
        try (Connection src = source.open(); Connection tgt = target.open()) {
            if (replicaRole) {
                CopyWorker.replicaRole(tgt, target);
            }
            tgt.setAutoCommit(false);
            for (TableInfo t : todo) {
                List<CopyRange> ranges = plan(src, t);
                TableState before = states.get(t.id());
                try (Statement s = tgt.createStatement()) {
                    if (before.status() != CopyStatus.PENDING) {
                        log.info("{} was partly copied at LSN {} by an earlier run: emptying it to copy it again",
                                t.id(), before.snapshotLsn().orElse(null));
                        // TRUNCATE is refused on a table other tables' foreign keys reference (a schema the
                        // user made); DELETE under the replica role skips those checks.
                        s.execute((replicaRole ? "DELETE FROM ONLY " : "TRUNCATE ONLY ") + t.id().quoted());
                    }
                    List<RangeBounds> bounds = ranges.stream().map(CopyRange::bounds).toList();
                    state.startTable(tgt, t.id(), snapshot.lsn(), bounds);
                    tgt.commit();
                } catch (SQLException e) {
                    throw PgErrors.translate(e, target, "preparing " + t.id() + " for copying");
                }
                long per = Math.max(1, t.estimatedBytes()) / ranges.size();
                for (int i = 0; i < ranges.size(); i++) {
                    tasks.add(new CopyTask(t, i, ranges.get(i), per));
                }
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "preparing the copy");
        }
        // Longest first: big tables' ranges start at once and small tables fill the gaps at the end.
        tasks.sort(Comparator.comparingLong(CopyTask::estimatedBytes).reversed()
                .thenComparing(task -> task.table().id()).thenComparingInt(CopyTask::rangeNo));
        return tasks;
    }

    private List<CopyRange> plan(Connection src, TableInfo t) {
        try {
            return planner.plan(src, t);
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "planning ranges of " + t.id());
        }
    }

    private static final class Totals {
        final AtomicInteger tablesDone = new AtomicInteger();
        final AtomicLong rows = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
    }

    private Totals execute(List<CopyTask> tasks, ExportedSnapshot snapshot) {
        int n = Math.min(jobs, tasks.size());
        // All workers import the snapshot before any copies: the exporter may be closed once run() returns.
        List<CopyWorker> workers = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                workers.add(CopyWorker.open(source, target, snapshot, state, progress, replicaRole));
            }
        } catch (RuntimeException e) {
            workers.forEach(CopyWorker::close);
            throw e;
        }
        ConcurrentLinkedQueue<CopyTask> queue = new ConcurrentLinkedQueue<>(tasks);
        WorkSlots pool = slots != null ? slots : new WorkSlots(n);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Set<TableId> startedTables = ConcurrentHashMap.newKeySet();
        Totals totals = new Totals();
        List<Thread> threads = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            CopyWorker w = workers.get(i);
            Thread th = new Thread(() -> {
                try (w) {
                    // Post-data takes no slot while tasks are queued, so a worker without a task always
                    // finds one free; checking the queue first means none waits for a slot only to find
                    // nothing left, behind post-data steps that took the slots over.
                    while (failure.get() == null && !queue.isEmpty()) {
                        try (WorkSlots.Slot slot = pool.acquire(WorkSlots.Kind.COPY)) {
                            CopyTask task = queue.poll();
                            if (queue.isEmpty()) {
                                // Holding its slot: the slots of workers with nothing left go to post-data.
                                pool.copyDrained();
                            }
                            if (task == null) {
                                break;
                            }
                            TableInfo t = task.table();
                            if (startedTables.add(t.id())) {
                                progress.tableStarted(t.id(), t.estimatedRows(), t.estimatedBytes());
                            }
                            TableState after = w.copy(task, () -> failure.get() != null);
                            if (after.status() == CopyStatus.COPIED) {
                                totals.tablesDone.incrementAndGet();
                                totals.rows.addAndGet(after.rows());
                                totals.bytes.addAndGet(after.bytes());
                            }
                        }
                    }
                } catch (CopyWorker.Aborted ignored) {
                    // the failure that caused it is reported
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                } catch (Error e) {
                    failure.compareAndSet(null, new InflightException(ErrorCode.INTERNAL,
                            "a copy worker failed: " + e, e));
                    throw e;
                }
            }, "inflight-copy-" + i);
            threads.add(th);
            th.start();
        }
        boolean interrupted = false;
        for (Thread th : threads) {
            while (th.isAlive()) {
                try {
                    th.join();
                } catch (InterruptedException ie) {
                    // Workers notice the failure at their next buffer flush and roll back; wait for that.
                    interrupted = true;
                    failure.compareAndSet(null, new InflightException(ErrorCode.INTERRUPTED,
                            "the copy was interrupted; rerun the same command to resume"));
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
        return totals;
    }
}
