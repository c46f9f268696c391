package io.inflight.postgres.clone;

import io.inflight.core.ErrorCode;
import io.inflight.core.Identifiers;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.core.TableId;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.checkpoint.CopyStatus;
import io.inflight.postgres.checkpoint.MigrationRecord;
import io.inflight.postgres.checkpoint.SourceIdentity;
import io.inflight.postgres.checkpoint.StateStore;
import io.inflight.postgres.checkpoint.TableState;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.connect.Side;
import io.inflight.postgres.schema.DataGate;
import io.inflight.postgres.schema.ExistingSchemaCheck;
import io.inflight.postgres.schema.SchemaCloner;
import io.inflight.postgres.schema.SchemaPlan;
import io.inflight.postgres.schema.SchemaPlanner;
import io.inflight.postgres.schema.SchemaReader;
import io.inflight.postgres.schema.SequenceSync;
import io.inflight.postgres.schema.TableCatalog;
import io.inflight.postgres.schema.TableInfo;
import io.inflight.postgres.snapshot.Backfill;
import io.inflight.postgres.snapshot.Publications;
import io.inflight.postgres.snapshot.SnapshotSlot;
import io.inflight.postgres.work.WorkSlots;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code inflight clone}: preflight, pre-data schema, publication and slot with its exported snapshot,
 * parallel copy, post-data schema, sequences — in that order, and resumable at every step from the
 * state kept on the target ({@link StateStore}).
 *
 * <p>What makes a rerun safe at each point a crash can hit:
 * <ul>
 *   <li>The migration is recorded (slot name, no LSN yet) before the slot exists, so a slot found on a
 *       rerun with no recorded LSN is known to be ours and unused: it is dropped and made again.</li>
 *   <li>Pre-data runs in one target transaction: after a crash either every table exists or none does.</li>
 *   <li>Each copied range commits together with its done mark; a table left half-copied is recopied whole
 *       under a fresh snapshot whose LSN is recorded for the stream.</li>
 *   <li>Post-data skips what exists and rebuilds invalid leftovers; sequences are simply set again.</li>
 * </ul>
 * Not thread-safe; one run per target (the state store holds an advisory lock).
 */
public final class CloneJob {

    private static final Logger log = LoggerFactory.getLogger(CloneJob.class);

    private final CloneOptions options;
    private final ProgressListener progress;
    private final PgConnector source;
    private final PgConnector target;
    private final Map<String, Duration> phases = new LinkedHashMap<>();
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** The migration lock was taken once: from then on a lost connection is resumed, not reported. */
    private boolean begun;

    public CloneJob(CloneOptions options, ProgressListener progress) {
        this.options = options;
        this.progress = progress;
        this.source = new PgConnector(Side.SOURCE, options.source());
        this.target = new PgConnector(Side.TARGET, options.target());
    }

    /**
     * Runs the clone to the end, or throws an {@link InflightException} naming what stopped it. Once it has
     * begun, losing either database (a restart, a network cut) or the target's disk filling up does not end it:
     * it resumes, as a rerun would, for up to {@link CloneOptions#reconnectFor()}; what was copied stays copied.
     */
    public CloneResult run() {
        long started = System.nanoTime();
        long outageStarted = 0;
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            try {
                return runOnce(started);
            } catch (InflightException e) {
                if (!begun || !retriable(e)) {
                    throw e;
                }
                long now = System.nanoTime();
                outageStarted = outageStarted == 0 ? now : outageStarted;
                if (options.reconnectFor().isZero()) {
                    throw e;
                }
                if (now - outageStarted > options.reconnectFor().toNanos()) {
                    throw new InflightException(e.code(), e.getMessage() + " (gave up resuming after "
                            + options.reconnectFor().toSeconds() + " s; rerun the same command to continue)",
                            e.sqlState().orElse(null), e);
                }
                progress.warning("clone interrupted, resuming in " + backoff.toSeconds() + " s (what is copied stays"
                        + " copied): " + e.getMessage());
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    private static boolean retriable(InflightException e) {
        return switch (e.code()) {
            case CONNECTION_LOST, CONNECTION_FAILED -> true;
            // the target's disk or memory (a SQLSTATE says so), not this process's heap, which waiting won't fix
            case RESOURCE_EXHAUSTED -> e.sqlState().isPresent();
            // a slot's walsender may outlive its broken connection for a moment
            case OBJECT_CONFLICT -> "55006".equals(e.sqlState().orElse(""));
            default -> false;
        };
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InflightException(ErrorCode.INTERRUPTED, "interrupted while waiting to resume the clone");
        }
    }

    private CloneResult runOnce(long started) {
        try (Connection src = source.open(); Connection tgt = target.open()) {
            Preflight.versions(Preflight.server(src, source), Preflight.server(tgt, target));
            Preflight.replication(src, source);
            refuseUnknownSchemas(src);
            List<TableInfo> tables = TableCatalog.read(src, options.schemas());
            if (tables.isEmpty()) {
                throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "the source " + source.endpoint()
                        + " has no tables in the chosen schemas (" + describe(options.schemas().include()) + ")");
            }
            Preflight.selectPrivileges(src, source, tables);
            tables.stream().filter(TableInfo::holdsRows)
                    .forEach(t -> progress.tableExpected(t.id(), t.estimatedRows(), t.estimatedBytes()));

            try (StateStore state = StateStore.open(target)) {
                begun = true;
                SchemaPlan plan = options.schemaMode() == SchemaMode.CREATE
                        ? timed("plan", () -> SchemaPlanner.plan(SchemaReader.read(src, options.schemas())))
                        : null;
                MigrationRecord migration = state.migration()
                        .map(m -> resumed(m, state))
                        .orElseGet(() -> fresh(src, tgt, tables, plan, state));

                if (plan != null) {
                    timedRun("schema", () -> preData(tgt, plan));
                }
                Backfill.Result copy = plan == null
                        ? timed("copy", () -> copy(migration, tables, state, progress, null))
                        : copyWithPostData(migration, tables, plan, state);
                state.setPhase("sequences");
                progress.phaseStarted("sequences", "");
                int sequences = timed("sequences", () -> SequenceSync.sync(src, tgt, options.schemas()));
                progress.phaseFinished("sequences", sequences + " set to the source's values");
                state.setPhase("cloned");
                MigrationRecord done = state.migration().orElseThrow();
                return new CloneResult(done.slotName(), done.publication(), done.consistentLsn(),
                        copy.tablesCopied(), copy.tablesSkipped(), copy.rowsCopied(), copy.bytesCopied(),
                        Duration.ofNanos(System.nanoTime() - started),
                        Collections.unmodifiableMap(new LinkedHashMap<>(phases)));
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "closing connections");
        }
    }

    // ---- first run ------------------------------------------------------------------------------

    private MigrationRecord fresh(Connection src, Connection tgt, List<TableInfo> tables, SchemaPlan plan,
                                  StateStore state) {
        if (plan != null) {
            List<TableId> there = SchemaCloner.existingTables(tgt, plan);
            if (!there.isEmpty()) {
                throw new InflightException(ErrorCode.TARGET_NOT_EMPTY, "the target " + target.endpoint()
                        + " already holds " + there.size() + " of the tables to create: " + preview(there)
                        + ". Clone into an empty database, or pass --schema existing to load into the tables"
                        + " that are there (they must match the source and be empty)");
            }
        } else {
            ExistingSchemaCheck.check(src, tgt, options.schemas());
            List<TableId> holding = tablesWithRows(tgt, tables);
            if (!holding.isEmpty()) {
                throw new InflightException(ErrorCode.TARGET_NOT_EMPTY, "with --schema existing the target tables"
                        + " must be empty, but " + holding.size() + " hold rows: " + preview(holding)
                        + ". Empty them (TRUNCATE) on the target, then rerun");
            }
        }
        // A slot of that name that no migration on this target recorded belongs to someone else: refuse
        // before recording anything, so that no later rerun mistakes it for ours and drops it.
        SnapshotSlot.find(source, options.slotName()).ifPresent(slot -> {
            throw new InflightException(ErrorCode.OBJECT_CONFLICT, "replication slot '" + slot.name()
                    + "' already exists on the source " + source.endpoint() + " (active: " + slot.active()
                    + ") and no migration on the target uses it. Choose another name with --slot, or, if it is"
                    + " an abandoned slot, drop it on the source: SELECT pg_drop_replication_slot('"
                    + slot.name() + "');");
        });
        new Publications(source).ensure(options.publication(), tables);
        SourceIdentity identity = SnapshotSlot.identify(source);
        // Recorded before the slot exists: see the class comment.
        return state.begin(options.slotName(), options.publication(), Lsn.INVALID, identity, "schema");
    }

    private void preData(Connection tgt, SchemaPlan plan) {
        List<TableId> there = SchemaCloner.existingTables(tgt, plan);
        if (there.isEmpty()) {
            SchemaCloner.applyPreData(tgt, plan, progress);
        } else {
            progress.phaseFinished("schema", "already created by an earlier run");
        }
    }

    // ---- rerun ----------------------------------------------------------------------------------

    private MigrationRecord resumed(MigrationRecord m, StateStore state) {
        state.verifySource(SnapshotSlot.identify(source));
        if (!m.slotName().equals(options.slotName()) || !m.publication().equals(options.publication())) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "the target " + target.endpoint()
                    + " holds a migration using slot '" + m.slotName() + "' and publication '" + m.publication()
                    + "', but this run asks for slot '" + options.slotName() + "' and publication '"
                    + options.publication() + "': rerun with --slot " + m.slotName() + " --publication "
                    + m.publication());
        }
        log.info("continuing the migration begun {} (slot {}, phase {})", m.startedAt(), m.slotName(), m.phase());
        return m;
    }

    // ---- copy -----------------------------------------------------------------------------------

    /**
     * The copy, with the post-data schema running beside it: a table's indexes, keys and triggers start
     * as soon as its rows are in (foreign keys once both tables are), sharing {@code --jobs} slots with
     * the copy. The "post-data" phase is what is left of it once the copy is done.
     */
    private Backfill.Result copyWithPostData(MigrationRecord migration, List<TableInfo> tables, SchemaPlan plan,
                                             StateStore state) {
        DataGate gate = new DataGate(tables.stream().filter(TableInfo::holdsRows).map(TableInfo::id).toList());
        WorkSlots slots = new WorkSlots(options.jobs());
        AtomicReference<RuntimeException> postFailure = new AtomicReference<>();
        Thread post = new Thread(() -> {
            try {
                SchemaCloner.applyPostData(target, plan, gate, slots, progress);
            } catch (RuntimeException e) {
                postFailure.set(e);
                slots.cancel("creating the post-data schema failed: " + e.getMessage());
            }
        }, "inflight-post-data");
        ProgressListener gated = new GateFeeder(progress, gate);
        post.start();
        Backfill.Result copy;
        try {
            copy = timed("copy", () -> copy(migration, tables, state, gated, slots));
        } catch (RuntimeException e) {
            gate.abort();
            // Post-data steps waiting for a slot behind copy work that will never come must stop too, or the
            // join below waits for ever (a copy that failed while its tasks were still queued).
            slots.cancel("the copy failed: " + e.getMessage());
            join(post);
            RuntimeException postError = postFailure.get();
            // A cancelled copy only echoes the post-data failure that stopped it.
            throw postError != null && e instanceof InflightException ie && ie.code() == ErrorCode.INTERRUPTED
                    ? postError : e;
        }
        gate.complete();
        // Recorded so that status (and a person reading the state tables) sees what the clone waits on.
        state.setPhase("post-data");
        progress.phaseStarted("post-data", plan.postData().size() + " steps on " + options.jobs() + " connections");
        timedRun("post-data", () -> join(post));
        if (postFailure.get() != null) {
            throw postFailure.get();
        }
        progress.phaseFinished("post-data", plan.postData().size() + " steps");
        return copy;
    }

    private static void join(Thread t) {
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
                t.interrupt();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Opens the gate for each table as the copy reports it committed (or copied by an earlier run). */
    private static final class GateFeeder implements ProgressListener {
        private final ProgressListener next;
        private final DataGate gate;

        GateFeeder(ProgressListener next, DataGate gate) {
            this.next = next;
            this.gate = gate;
        }

        @Override
        public void phaseStarted(String phase, String detail) {
            next.phaseStarted(phase, detail);
        }

        @Override
        public void phaseFinished(String phase, String detail) {
            next.phaseFinished(phase, detail);
        }

        @Override
        public void tableExpected(TableId table, long estimatedRows, long estimatedBytes) {
            next.tableExpected(table, estimatedRows, estimatedBytes);
        }

        @Override
        public void tableStarted(TableId table, long estimatedRows, long estimatedBytes) {
            next.tableStarted(table, estimatedRows, estimatedBytes);
        }

        @Override
        public void tableProgress(TableId table, long rowsDelta, long bytesDelta) {
            next.tableProgress(table, rowsDelta, bytesDelta);
        }

        @Override
        public void tableFinished(TableId table, long rows, long bytes) {
            next.tableFinished(table, rows, bytes);
            gate.copied(table);
        }

        @Override
        public void tableSkipped(TableId table, String reason) {
            next.tableSkipped(table, reason);
            gate.copied(table);
        }

        @Override
        public void stepFinished(String description, long millis) {
            next.stepFinished(description, millis);
        }

        @Override
        public void warning(String message) {
            next.warning(message);
        }
    }

    private Backfill.Result copy(MigrationRecord migration, List<TableInfo> tables, StateStore state,
                                 ProgressListener progress, WorkSlots slots) {
        progress.phaseStarted("copy", tables.stream().filter(TableInfo::holdsRows).count() + " tables");
        Backfill.Result result = copyTables(migration, tables, state, progress, slots);
        progress.phaseFinished("copy", result.tablesCopied() + " tables copied, " + result.tablesSkipped()
                + " copied earlier");
        return result;
    }

    private Backfill.Result copyTables(MigrationRecord migration, List<TableInfo> tables, StateStore state,
                                       ProgressListener progress, WorkSlots slots) {
        Backfill backfill = new Backfill(source, target, state, options.jobs(), progress);
        if (slots != null) {
            backfill = backfill.withSlots(slots);
        }
        if (options.schemaMode() == SchemaMode.EXISTING) {
            backfill = backfill.withTargetReplicaRole();
        }
        if (!migration.consistentLsn().isValid()) {
            if (SnapshotSlot.find(source, migration.slotName()).isPresent()) {
                log.info("dropping slot {} left unused by an interrupted run", migration.slotName());
                SnapshotSlot.drop(source, migration.slotName());
            }
            state.setPhase("copy");
            try (SnapshotSlot slot = SnapshotSlot.create(source, migration.slotName())) {
                state.recordConsistentPoint(slot.consistentPoint());
                log.info("slot {} created at LSN {}; copying under its snapshot {}", slot.slotName(),
                        slot.consistentPoint(), slot.snapshot().name());
                return backfill.run(tables, slot.snapshot());
            }
        }
        if (SnapshotSlot.find(source, migration.slotName()).isEmpty()) {
            throw new InflightException(ErrorCode.OBJECT_CONFLICT, "replication slot '" + migration.slotName()
                    + "' recorded on the target (consistent point " + migration.consistentLsn() + ") no longer"
                    + " exists on the source, so the changes made since then are lost to the stream. Start over:"
                    + " drop the cloned tables and schema " + StateStore.SCHEMA + " on the target, then rerun");
        }
        if (backfill.remaining(tables).isEmpty()) {
            return backfill.run(tables, null);
        }
        // The main slot's snapshot died with the run that made it: tables still to copy get a fresh one,
        // whose LSN the state records per table so the stream skips their older changes.
        try (SnapshotSlot fresh = SnapshotSlot.createTemporary(source)) {
            log.info("resuming the copy under a fresh snapshot at LSN {}", fresh.consistentPoint());
            if (options.schemaMode() == SchemaMode.CREATE) {
                copyLinkedAgain(tables, backfill.remaining(tables), state);
            }
            return backfill.run(tables, fresh.snapshot());
        }
    }

    /**
     * Sets tables copied under the earlier snapshot back to pending when a foreign key links them to a table
     * still to copy (see {@link LinkedTables}): in one target transaction, drops the foreign keys and triggers
     * on them (post-data adds them again, and validates the keys, once the tables are copied), empties them and
     * resets their state.
     * A user's own schema ({@code --schema existing}) keeps its keys: there the copy does not validate them.
     */
    private void copyLinkedAgain(List<TableInfo> tables, List<TableInfo> todo, StateStore state) {
        Set<TableId> linked;
        try (Connection src = source.open()) {
            linked = LinkedTables.closure(src, todo.stream().map(TableInfo::id).toList());
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "reading the foreign keys between the tables to copy");
        }
        Map<TableId, TableState> states = state.tables();
        List<TableId> again = tables.stream().filter(TableInfo::holdsRows).map(TableInfo::id)
                .filter(t -> linked.contains(t) && states.get(t).status() == CopyStatus.COPIED).toList();
        if (again.isEmpty()) {
            return;
        }
        log.info("copying {} again under the fresh snapshot: foreign keys link them to {}, which an earlier run did"
                + " not finish copying, and rows copied under two snapshots may not satisfy them", again,
                todo.stream().map(TableInfo::id).filter(linked::contains).toList());
        try (Connection tgt = target.open()) {
            tgt.setAutoCommit(false);
            List<String> drops = new ArrayList<>();
            try (Statement s = tgt.createStatement(); ResultSet rs = s.executeQuery(TARGET_FOREIGN_KEYS)) {
                while (rs.next()) {
                    TableId on = TableId.of(rs.getString(1), rs.getString(2));
                    TableId to = TableId.of(rs.getString(4), rs.getString(5));
                    if (linked.contains(on) || linked.contains(to)) {
                        drops.add("ALTER TABLE " + on.quoted() + " DROP CONSTRAINT "
                                + Identifiers.quote(rs.getString(3)));
                    }
                }
            }
            // The tables' own triggers too: copying again must not fire what the first copy did not.
            try (Statement s = tgt.createStatement(); ResultSet rs = s.executeQuery(TARGET_TRIGGERS)) {
                while (rs.next()) {
                    TableId on = TableId.of(rs.getString(1), rs.getString(2));
                    if (linked.contains(on)) {
                        drops.add("DROP TRIGGER " + Identifiers.quote(rs.getString(3)) + " ON " + on.quoted());
                    }
                }
            }
            try (Statement s = tgt.createStatement()) {
                for (String drop : drops) {
                    s.execute(drop);
                }
                s.execute("TRUNCATE ONLY " + again.stream().map(TableId::quoted).collect(Collectors.joining(", ")));
            }
            state.copyAgain(tgt, again);
            tgt.commit();
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "emptying " + again + " to copy them again");
        }
    }

    /** The target's own triggers, each once (a partitioned table's, not its partitions' clones of it). */
    private static final String TARGET_TRIGGERS = """
            SELECT n.nspname, c.relname, g.tgname
              FROM pg_catalog.pg_trigger g
              JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE NOT g.tgisinternal AND g.tgparentid = 0""";

    /** The target's foreign keys, each once (a partitioned table's, not its partitions' clones of it). */
    private static final String TARGET_FOREIGN_KEYS = """
            SELECT n.nspname, c.relname, co.conname, fn.nspname, f.relname
              FROM pg_catalog.pg_constraint co
              JOIN pg_catalog.pg_class c ON c.oid = co.conrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_catalog.pg_class f ON f.oid = co.confrelid
              JOIN pg_catalog.pg_namespace fn ON fn.oid = f.relnamespace
             WHERE co.contype = 'f' AND co.conparentid = 0""";

    private List<TableId> tablesWithRows(Connection tgt, List<TableInfo> tables) {
        List<TableId> holding = new ArrayList<>();
        try (Statement s = tgt.createStatement()) {
            for (TableInfo t : tables) {
                if (!t.holdsRows()) {
                    continue;
                }
                try (ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM ONLY " + t.id().quoted() + ")")) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        holding.add(t.id());
                    }
                }
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "checking that the target tables are empty");
        }
        return holding;
    }

    private <T> T timed(String phase, Supplier<T> work) {
        long t0 = System.nanoTime();
        try {
            return work.get();
        } finally {
            phases.merge(phase, Duration.ofNanos(System.nanoTime() - t0), Duration::plus);
        }
    }

    private void timedRun(String phase, Runnable work) {
        timed(phase, () -> {
            work.run();
            return null;
        });
    }

    private static String preview(List<TableId> ids) {
        List<String> names = ids.stream().limit(10).map(TableId::toString).toList();
        return String.join(", ", names) + (ids.size() > 10 ? " and " + (ids.size() - 10) + " more" : "");
    }

    /** A misspelt name in --schemas would otherwise leave that schema out without a word. */
    private void refuseUnknownSchemas(Connection src) throws SQLException {
        List<String> unknown = new ArrayList<>();
        for (String name : options.schemas().include()) {
            try (var ps = src.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        unknown.add("'" + name + "'");
                    }
                }
            }
        }
        if (!unknown.isEmpty()) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "--schemas names schema(s) "
                    + String.join(", ", unknown) + " that the source " + source.endpoint() + " does not have;"
                    + " check the spelling (names are case-sensitive: as in pg_namespace, without quotes)");
        }
    }

    private static String describe(List<String> include) {
        return include.isEmpty() ? "all schemas" : String.join(", ", include);
    }
}
