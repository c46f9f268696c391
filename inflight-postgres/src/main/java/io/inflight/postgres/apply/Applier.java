package io.inflight.postgres.apply;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.core.TableId;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.checkpoint.StreamPosition;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies source transactions to the target in source commit order, whole, several to one target transaction,
 * and stores with each target commit the end LSN of the last source transaction it holds
 * ({@link StreamPosition}). After a crash the target holds exactly the source transactions up to the stored
 * position: no more, no less.
 *
 * <p>The session runs with {@code session_replication_role = replica} when allowed, like PostgreSQL's own
 * apply worker: triggers and foreign-key checks do not fire again for rows the source already checked, which is
 * sound because whole transactions arrive in commit order. Commits are synchronous ({@code synchronous_commit =
 * on}), so a position returned by {@link #commit} or {@link #flush} is durable and may be confirmed to the source.
 *
 * <p>One stream feeds it, from one thread. Calls follow each source transaction:
 * {@link #begin}, {@link #apply}/{@link #truncate}..., {@link #commit}. Under the replica role the target work
 * runs on a {@link WriteLane} of its own, so the next segment is gathered while the target executes the last;
 * {@link #commit} then reports positions as they become durable, and {@link #flush} waits for all of them.
 */
public final class Applier implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Applier.class);

    private final PgConnector target;
    private final Connection conn;
    private final ApplyOptions options;
    private final ApplyStats stats;
    private final RowWriter writer;
    /** Null when the session may not use the replica role: then every change takes the ordered path. */
    private final SetWriter setWriter;
    private final WriteLane lane;
    private List<RowChange> segment = new ArrayList<>();
    private long segmentBytes;

    private boolean inTransaction;
    private Lsn currentCommitLsn = Lsn.INVALID;
    private int batchTransactions;
    private long batchChanges;
    private long batchStartNanos;
    private Lsn batchEndLsn;
    private Instant batchCommitTime;
    /** Committed on the target: written by the lane, read by the stream. */
    private volatile Lsn appliedLsn;
    /** The last durable position handed to the caller. */
    private Lsn reportedLsn;
    /** The end of the last batch handed to the lane. */
    private Lsn submittedLsn;
    /** On the lane: the recent apply rate, stored with the position. */
    private final ApplyRate rate = new ApplyRate();

    /** Changes held for the set path before they are applied, at most. */
    static final int SEGMENT_MAX_CHANGES = 20_000;
    private static final long SEGMENT_MAX_BYTES = 16L << 20;
    /** Pieces of target work waiting behind the running one: each is a segment at most, or a commit. */
    private static final int LANE_DEPTH = 1;
    /** Below this many changes to a table in a segment, the ordered path's few round trips cost less. */
    private static final int SET_PATH_MIN_CHANGES = 4;
    /** From this many bytes of changes to a table in a segment on, the set path, however few they are. */
    private static final long LARGE_CHANGES_BYTES = 1 << 20;

    private Applier(PgConnector target, Connection conn, ApplyOptions options, ApplyStats stats, Lsn appliedLsn,
                    boolean replicaRole) throws SQLException {
        this.target = target;
        this.conn = conn;
        this.options = options;
        this.stats = stats;
        this.writer = new RowWriter(conn, stats);
        // Net changes per table may be applied table by table only when no foreign-key trigger checks the order
        // between tables, i.e. under the replica role (see NetChanges for the order within a table).
        this.setWriter = replicaRole ? new SetWriter(conn) : null;
        // The ordered path writes as it goes, change by change: there is nothing to gather meanwhile.
        this.lane = replicaRole ? WriteLane.threaded("inflight-apply-writer", LANE_DEPTH) : WriteLane.direct();
        this.appliedLsn = appliedLsn;
        this.reportedLsn = appliedLsn;
        this.submittedLsn = appliedLsn;
    }

    /**
     * Opens the apply session on the target.
     *
     * @param appliedLsn the position the target holds now (where the stream starts)
     */
    public static Applier open(PgConnector target, ApplyOptions options, ApplyStats stats, Lsn appliedLsn,
                               ProgressListener progress) {
        Connection conn = target.open();
        try {
            try (Statement s = conn.createStatement()) {
                // Positions are confirmed to the source only after commit: the commit must be durable by then,
                // whatever the server's default is.
                s.execute("SET synchronous_commit = on");
                s.execute("SET lock_timeout = 0");
                // The set path joins a batch of keys to its table, each key finding its row through the key's
                // index. At the default cost of a random page (4, a spinning disk's) the planner hashes the whole
                // table instead from about 10,000 keys on, which took twice as long: the rows a stream changes
                // are mostly recent, their pages cached.
                s.execute("SET random_page_cost = 1.1");
            }
            boolean replicaRole = trySet(conn, "SET session_replication_role = replica");
            if (!replicaRole) {
                progress.warning("the target role may not set session_replication_role; changes are applied with"
                        + " triggers and foreign-key checks firing on the target (slower, and target triggers run"
                        + " again). Grant it with GRANT SET ON PARAMETER session_replication_role TO <role> (PG15+)"
                        + " or run as a superuser");
            }
            if (options.origin().isPresent()) {
                setUpOrigin(conn, options.origin().get(), progress);
            }
            conn.setAutoCommit(false);
            return new Applier(target, conn, options, stats, appliedLsn, replicaRole);
        } catch (SQLException e) {
            PgConnector.closeQuietly(conn);
            throw PgErrors.translate(e, target, "setting up the apply session");
        }
    }

    private static boolean trySet(Connection conn, String sql) throws SQLException {
        try (Statement s = conn.createStatement()) {
            s.execute(sql);
            return true;
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Marks every change of this session with a replication origin, so that a stream reading the target later
     * (the fallback stream after cutover) can leave out what Inflight itself wrote.
     */
    private static void setUpOrigin(Connection conn, String origin, ProgressListener progress) throws SQLException {
        try (PreparedStatement create = conn.prepareStatement("SELECT pg_replication_origin_create(?)"
                + " WHERE pg_replication_origin_oid(?) IS NULL");
             PreparedStatement setup = conn.prepareStatement("SELECT pg_replication_origin_session_setup(?)")) {
            create.setString(1, origin);
            create.setString(2, origin);
            create.execute();
            setup.setString(1, origin);
            for (int attempt = 1; ; attempt++) {
                try {
                    setup.execute();
                    break;
                } catch (SQLException e) {
                    // the session of a stream that just lost its connection may not have ended yet: the origin
                    // is then still active for its PID (55006; 55000 on servers that word it as a state error)
                    if (!Set.of("55000", "55006").contains(e.getSQLState()) || attempt == 25) {
                        throw e;
                    }
                    sleep(200);
                }
            }
        } catch (SQLException e) {
            if (!"42501".equals(e.getSQLState())) {
                throw e;
            }
            progress.warning("the target role may not use replication origins (" + e.getMessage().strip()
                    + "); applied changes are not marked, so a reverse stream could not tell them apart. Grant"
                    + " EXECUTE on pg_replication_origin_create and pg_replication_origin_session_setup, or use a"
                    + " superuser, before cutover");
        }
    }

    private static void sleep(long ms) throws SQLException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for replication origin", "57014", e);
        }
    }

    /** The position the target holds: the end LSN of the last source transaction committed there. */
    public Lsn appliedLsn() {
        return appliedLsn;
    }

    /** A source transaction begins; {@code commitLsn} is its commit record's LSN, for messages. */
    public void begin(Lsn commitLsn) {
        if (inTransaction) {
            throw new IllegalStateException("source transaction " + currentCommitLsn + " was not committed");
        }
        inTransaction = true;
        currentCommitLsn = commitLsn;
        if (batchStartNanos == 0) {
            batchStartNanos = System.nanoTime();
        }
    }

    public void apply(RowChange change) {
        batchChanges++;
        if (setWriter != null) {
            segment.add(change);
            segmentBytes += change.approxBytes();
            if (segment.size() >= SEGMENT_MAX_CHANGES || segmentBytes >= SEGMENT_MAX_BYTES) {
                flushSegment();
            }
            return;
        }
        Lsn at = currentCommitLsn;
        lane.submit(() -> {
            try {
                writer.write(change);
            } catch (SQLException e) {
                throw failed(e, change.shape().table(), at);
            }
        });
    }

    /**
     * Applies the held changes: per table, the net effect in a few set statements when there are enough of them,
     * else (or when the net effect briefly breaks a unique constraint the ordered changes did not) one by one in
     * source order. Tables are independent here: the replica role checks no foreign key between them.
     */
    private void flushSegment() {
        if (segment.isEmpty()) {
            return;
        }
        List<RowChange> held = segment;
        segment = new ArrayList<>();
        segmentBytes = 0;
        Lsn at = currentCommitLsn;
        // Reduced here, while the lane still writes the segment before: on the lane, the target sat idle in its
        // transaction through each table's reduction.
        List<TableRun> runs = reduce(held);
        lane.submit(() -> writeSegment(runs, at));
    }

    /**
     * One table's changes in a segment, in source order, and their net effect when the set path may take them
     * ({@code shape}: the first change's, which the net effect was reduced for).
     */
    private record TableRun(TableShape shape, List<RowChange> changes, Optional<NetChanges.Result> net) {
    }

    private static List<TableRun> reduce(List<RowChange> held) {
        Map<TableId, List<RowChange>> byTable = new LinkedHashMap<>();
        // A shape stands for one table: most changes find their table's list by the shape's identity, without
        // hashing and comparing the table's names once per change.
        Map<TableShape, List<RowChange>> byShape = new IdentityHashMap<>();
        for (RowChange c : held) {
            List<RowChange> changes = byShape.get(c.shape());
            if (changes == null) {
                changes = byTable.computeIfAbsent(c.shape().table(), t -> new ArrayList<>());
                byShape.put(c.shape(), changes);
            }
            changes.add(c);
        }
        List<TableRun> runs = new ArrayList<>(byTable.size());
        for (Map.Entry<TableId, List<RowChange>> e : byTable.entrySet()) {
            List<RowChange> changes = e.getValue();
            TableShape shape = changes.get(0).shape();
            Optional<NetChanges.Result> net = changes.size() < SET_PATH_MIN_CHANGES && !large(changes)
                    ? Optional.empty() : NetChanges.reduce(shape, changes);
            runs.add(new TableRun(shape, changes, net));
        }
        return runs;
    }

    /** On the lane. {@code at}: the source transaction the segment ends in, for messages. */
    private void writeSegment(List<TableRun> runs, Lsn at) {
        for (TableRun run : runs) {
            try {
                if (run.net().isEmpty() || !applySet(run.shape(), run.net().get(), run.changes())) {
                    for (RowChange c : run.changes()) {
                        writer.write(c);
                    }
                }
            } catch (SQLException ex) {
                throw failed(ex, run.shape().table(), at);
            }
        }
        try {
            writer.flush();
        } catch (SQLException ex) {
            throw failed(ex, writer.pendingTable(), at);
        }
    }

    /**
     * Whether the changes hold big values. The set path writes those from the received bytes (COPY streams
     * them); the ordered path binds each as a string, which pgjdbc encodes again: three copies of a 100 MB value
     * at once, where a 256 MB heap holds two.
     */
    private static boolean large(List<RowChange> changes) {
        long bytes = 0;
        for (RowChange c : changes) {
            bytes += c.approxBytes();
        }
        return bytes >= LARGE_CHANGES_BYTES;
    }

    /** The set path for one table, inside a savepoint; false (and nothing applied) on a constraint violation. */
    private boolean applySet(TableShape shape, NetChanges.Result net, List<RowChange> changes) throws SQLException {
        writer.flush();
        Savepoint sp = conn.setSavepoint();
        try {
            long missing = setWriter.apply(shape, net);
            conn.releaseSavepoint(sp);
            stats.applied(shape.table(), changes);
            stats.appliedAsSet(changes.size());
            for (long i = 0; i < missing; i++) {
                stats.missing(shape.table());
            }
            if (missing > 0) {
                log.warn("{} updates/deletes of {} found no row on the target; the target differs from the source,"
                        + " run inflight verify", missing, shape.table());
            }
            return true;
        } catch (SQLException e) {
            if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
                throw e;
            }
            conn.rollback(sp);
            stats.fellBackToOrder();
            log.debug("net changes of {} broke {} in between; applying its {} changes in order", shape.table(),
                    e.getMessage(), changes.size());
            return false;
        }
    }

    /** Empties tables as a source TRUNCATE did, after the changes before it. */
    public void truncate(List<TableId> tables, boolean cascade, boolean restartIdentity) {
        if (tables.isEmpty()) {
            return;
        }
        String sql = "TRUNCATE " + tables.stream().map(TableId::quoted).collect(Collectors.joining(", "))
                + (restartIdentity ? " RESTART IDENTITY" : "") + (cascade ? " CASCADE" : "");
        flushSegment();
        Lsn at = currentCommitLsn;
        lane.submit(() -> {
            try {
                writer.flush();
                try (Statement s = conn.createStatement()) {
                    s.execute(sql);
                }
                tables.forEach(stats::truncated);
            } catch (SQLException e) {
                throw failed(e, tables.get(0), at);
            }
        });
        batchChanges++;
    }

    /**
     * The source transaction ended at {@code endLsn}. Commits the target transaction when a batch bound is
     * reached. Returns a position that became durable since the last one returned (an earlier batch's, when the
     * lane is still committing this one); empty if none did.
     */
    public Optional<Lsn> commit(Lsn endLsn, Instant commitTime) {
        if (!inTransaction) {
            throw new IllegalStateException("commit at " + endLsn + " without a begun source transaction");
        }
        inTransaction = false;
        batchTransactions++;
        batchEndLsn = endLsn;
        batchCommitTime = commitTime;
        boolean full = batchTransactions >= options.maxTransactions() || batchChanges >= options.maxChanges()
                || System.nanoTime() - batchStartNanos >= options.maxDelay().toNanos();
        if (full) {
            commitBatch();
        }
        return durable();
    }

    /**
     * Commits the open batch now (the stream has nothing more to give right away) and waits until the target
     * holds it. Returns the position that became durable since the last one returned; empty if none did. While a
     * source transaction is open its batch stays open, but the batches before it are waited for, so that what is
     * durable gets reported (a stop in the middle of a transaction must still confirm every earlier commit).
     */
    public Optional<Lsn> flush() {
        if (inTransaction) {
            lane.await();
            return durable();
        }
        if (batchEndLsn != null) {
            commitBatch();
        }
        lane.await();
        return durable();
    }

    /**
     * Records that the source has nothing for this stream up to {@code lsn} (an idle source still moves its WAL,
     * and the slot keeps that WAL until the position moves). Only between source transactions, with no open batch.
     */
    public Optional<Lsn> advanceIdle(Lsn lsn, Instant now) {
        if (inTransaction || batchEndLsn != null || !lsn.isAfter(submittedLsn)) {
            return Optional.empty();
        }
        batchEndLsn = lsn;
        batchCommitTime = now;
        commitBatch();
        lane.await();
        return durable();
    }

    /** Hands the batch's commit to the lane: the rows, then the position, in one target transaction. */
    private void commitBatch() {
        flushSegment();
        Lsn end = batchEndLsn;
        Instant commitTime = batchCommitTime;
        int transactions = batchTransactions;
        Lsn at = currentCommitLsn;
        lane.submit(() -> {
            try {
                writer.flush();
                StreamPosition.write(conn, end, commitTime, stats.uncommittedChanges(),
                        rate.at(System.nanoTime(), stats.changes()));
                conn.commit();
            } catch (SQLException e) {
                throw failed(e, writer.pendingTable(), at);
            }
            stats.committed(end, commitTime, transactions);
            appliedLsn = end;
        });
        submittedLsn = end;
        batchEndLsn = null;
        batchTransactions = 0;
        batchChanges = 0;
        batchStartNanos = 0;
    }

    private Optional<Lsn> durable() {
        Lsn now = appliedLsn;
        if (!now.isAfter(reportedLsn)) {
            return Optional.empty();
        }
        reportedLsn = now;
        return Optional.of(now);
    }

    /** Drops the open batch; the target keeps what the last commit holds. */
    public void rollback() {
        lane.reset();
        writer.discard();
        segment = new ArrayList<>();
        segmentBytes = 0;
        inTransaction = false;
        batchEndLsn = null;
        batchTransactions = 0;
        batchChanges = 0;
        batchStartNanos = 0;
        submittedLsn = appliedLsn;
        try {
            conn.rollback();
        } catch (SQLException e) {
            log.debug("rollback on a broken connection: {}", e.getMessage());
        }
    }

    private InflightException failed(SQLException e, TableId table, Lsn commitLsn) {
        SQLException cause = e instanceof BatchUpdateException && e.getNextException() != null
                ? e.getNextException() : e;
        String doing = "applying the source transaction committed at " + commitLsn
                + (table == null ? "" : " to table " + table);
        InflightException translated = PgErrors.translate(cause, target, doing);
        if (translated.code() != ErrorCode.INTERNAL) {
            return translated;
        }
        String state = cause.getSQLState() == null ? "" : cause.getSQLState();
        if (state.startsWith("23")) {
            return new InflightException(ErrorCode.DATA_CONFLICT, translated.getMessage() + ". The target no longer"
                    + " matches the source for this table (a row was changed on the target, or the target has a"
                    + " constraint the source does not); fix the target, then rerun: the stream resumes from "
                    + appliedLsn + " and nothing after it was confirmed to the source", state, cause);
        }
        if (state.startsWith("42")) {
            return new InflightException(ErrorCode.SCHEMA_MISMATCH, translated.getMessage() + ". The target's table"
                    + " differs from the source's; make it match, then rerun to resume from " + appliedLsn, state,
                    cause);
        }
        return translated;
    }

    @Override
    public void close() {
        lane.close();
        writer.close();
        try {
            if (!conn.getAutoCommit()) {
                conn.rollback();
            }
        } catch (SQLException ignored) {
            // closing: nothing uncommitted is worth keeping
        }
        PgConnector.closeQuietly(conn);
    }

}
