package io.inflight.postgres.cutover;

import io.inflight.core.Endpoint;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.core.progress.ProgressListener;
import io.inflight.core.TableId;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.connect.Side;
import io.inflight.postgres.schema.SchemaFilter;
import io.inflight.postgres.schema.SequenceSync;
import io.inflight.postgres.schema.TableCatalog;
import io.inflight.postgres.schema.TableInfo;
import io.inflight.postgres.stream.StreamJob;
import io.inflight.postgres.stream.StreamOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code inflight cutover} (writes move from the migration's source to its target) and {@code inflight rollback}
 * (back again): the same steps in opposite directions, between {@code from} (where writes go now) and {@code to}
 * (the target of the stream from {@code from}, where they go afterwards):
 * <ol>
 *   <li>{@code takeover}: stop the running stream into {@code to} and stream in this process until caught up;</li>
 *   <li>{@code fence}: stop writes reaching {@code from} (PgBouncer PAUSE, or read-only);</li>
 *   <li>{@code drain}: apply everything up to {@code from}'s WAL position taken after the fence;</li>
 *   <li>{@code sequences}: set {@code to}'s sequences from {@code from}, never below a column's largest value;</li>
 *   <li>{@code check}: row counts and the newest rows of each table agree (optional, see {@link FinalCheck});</li>
 *   <li>{@code reverse}: a slot and publication on {@code to} and a migration record on {@code from}, so a stream
 *       can run back (or the existing one is reused);</li>
 *   <li>{@code flip}: the stream into {@code to} is retired (phase {@code promoted}); PgBouncer is repointed;</li>
 *   <li>{@code resume}: writes flow, to {@code to}.</li>
 * </ol>
 * Each step is logged in {@code inflight.switch_step} on {@code to}. A failure before the flip undoes the fence
 * (writes flow to {@code from} again) and ends the run as aborted; a crash leaves it running, and a rerun repeats
 * the steps before the flip (each is idempotent) or, once the flip began, continues from it, so writes never reach
 * both sides. Blocking; one run at a time per side.
 */
public final class Switchover {

    private static final Logger log = LoggerFactory.getLogger(Switchover.class);
    private static final Duration TAKEOVER_WAIT = Duration.ofSeconds(30);
    static final List<String> STEPS = List.of("takeover", "fence", "drain", "sequences", "check", "reverse", "flip",
            "resume");

    private final String kind;
    private final SwitchOptions options;
    private final ProgressListener progress;
    private final PgConnector from;
    private final PgConnector to;
    private final WriteRoute route;
    private final Map<String, Duration> steps = new LinkedHashMap<>();

    private Switchover(String kind, SwitchOptions options, Endpoint from, Endpoint to, ProgressListener progress) {
        this.kind = kind;
        this.options = options;
        this.progress = progress;
        this.from = new PgConnector(Side.SOURCE, from);
        this.to = new PgConnector(Side.TARGET, to);
        this.route = options.pgbouncer().<WriteRoute>map(p -> new PgBouncerRoute(p, to))
                .orElseGet(() -> new ReadOnlyRoute(from, to));
    }

    /** Writes move from the migration's source to its target. */
    public static Switchover cutover(SwitchOptions options, ProgressListener progress) {
        return new Switchover("cutover", options, options.source(), options.target(), progress);
    }

    /** Writes move back from the migration's target to its source. */
    public static Switchover rollback(SwitchOptions options, ProgressListener progress) {
        return new Switchover("rollback", options, options.target(), options.source(), progress);
    }

    public SwitchResult run() {
        try (SwitchLog switchLog = SwitchLog.open(to)) {
            Optional<SwitchLog.Run> open = switchLog.unfinished();
            if (open.isPresent() && !open.get().kind().equals(kind)) {
                throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "a " + open.get().kind() + " into " + to
                        + " is half done (run " + open.get().id() + "); rerun inflight " + open.get().kind()
                        + " to finish it first");
            }
            if (options.abort()) {
                return abort(switchLog, open);
            }
            if (open.isEmpty()) {
                Optional<SwitchResult> done = alreadyDone(switchLog);
                if (done.isPresent()) {
                    return done.get();
                }
            }
            Preconditions.Stream stream;
            SwitchLog.Run run;
            if (open.isPresent()) {
                run = open.get();
                stream = Preconditions.stream(kind, to);
                progress.warning("continuing the " + kind + " a previous run left half done (run " + run.id()
                        + ", steps done: " + String.join(", ", run.finished()) + ")");
            } else {
                stream = Preconditions.check(kind, options, from, to);
                run = switchLog.begin(kind);
            }
            return run(switchLog, run, stream);
        }
    }

    private SwitchResult run(SwitchLog switchLog, SwitchLog.Run run, Preconditions.Stream stream) {
        boolean flipBegun = run.started().contains("flip");
        Lsn fenceLsn = Lsn.INVALID;
        int sequences = 0;
        String reverseSlot = "";
        long pauseStarted = System.nanoTime();
        StreamHandover handover = new StreamHandover(streamOptions(), progress);
        Connection fromConn = null;
        Connection toConn = null;
        try {
            if (!flipBegun) {
                try {
                    step(switchLog, run, "takeover", () -> {
                        handover.takeOver(TAKEOVER_WAIT);
                        Lsn now = StreamJob.sourcePosition(from.endpoint());
                        handover.awaitApplied(now, options.drainTimeout(), "catching up before the fence");
                        return "caught up to " + now;
                    });
                    // With the stream's writes marked by its origin, the stream back leaves them out, so its slot
                    // may start before the fence: that keeps slot creation out of the write pause.
                    boolean reverseEarly = marksOrigin(stream.slot());
                    if (reverseEarly) {
                        reverseSlot = reverse(switchLog, run, stream);
                    }
                    // Everything the pause needs is opened now, so that the pause holds only the work itself.
                    route.prepare();
                    fromConn = from.open();
                    toConn = to.open();
                    // What it writes during the pause need not wait for the disk: the flip's record, committed
                    // durably on the same server right after, carries it to disk first (WAL is written in order).
                    asynchronous(toConn);
                    List<TableInfo> tables = options.finalCheck() ? migratedTables(toConn) : List.of();
                    Connection a = fromConn;
                    Connection b = toConn;
                    long[] fenced = new long[1];
                    step(switchLog, run, "fence", () -> {
                        fenced[0] = System.nanoTime();
                        route.fence();
                        return "writes to " + from.endpoint().describe() + " fenced";
                    });
                    pauseStarted = fenced[0];
                    Lsn[] fence = new Lsn[1];
                    step(switchLog, run, "drain", () -> {
                        fence[0] = fencePosition(a);
                        long behind = Math.max(0, fence[0].bytesAfter(handover.applied()));
                        handover.awaitApplied(fence[0], options.drainTimeout(), "draining after the fence");
                        handover.requestStop(); // nothing more can arrive: it ends while the next steps run
                        return "applied up to " + fence[0] + " (" + behind + " bytes behind at the fence)";
                    });
                    fenceLsn = fence[0];
                    int[] seqs = new int[1];
                    step(switchLog, run, "sequences", () -> {
                        seqs[0] = SequenceSync.sync(a, b, SchemaFilter.all());
                        return seqs[0] + " sequences set";
                    });
                    sequences = seqs[0];
                    step(switchLog, run, "check", () -> options.finalCheck()
                            ? FinalCheck.run(from, a, to, b, tables) : "skipped");
                    if (!reverseEarly) {
                        reverseSlot = reverse(switchLog, run, stream);
                    }
                } catch (RuntimeException e) {
                    handover.close();
                    undo(switchLog, run, e);
                    throw new InflightException(code(e), "the " + kind + " stopped before the flip and was undone:"
                            + " writes go to " + from.endpoint().describe() + " again; restart the stream into "
                            + to.endpoint().describe() + ". Cause: " + e.getMessage(), null, e);
                }
            }
            // the flip's start record also sets the phase 'promoted' (see SwitchLog.started)
            step(switchLog, run, "flip", () -> {
                route.flip();
                return "writes routed to " + to.endpoint().describe();
            });
            step(switchLog, run, "resume", () -> {
                route.resume();
                return "writes flow";
            });
        } finally {
            route.close();
            PgConnector.closeQuietly(fromConn);
            PgConnector.closeQuietly(toConn);
        }
        Duration pause = Duration.ofNanos(System.nanoTime() - pauseStarted);
        // The stream was asked to stop after the drain; whatever it does now cannot matter: the old side is fenced.
        handover.close();
        switchLog.end(run, "done", flipBegun ? null : pause);
        log.info("{} done: write pause {} ms, steps {}", kind, pause.toMillis(), steps);
        return new SwitchResult(kind, run.id(), flipBegun ? Duration.ZERO : pause, steps, fenceLsn, sequences,
                reverseSlot, !run.started().isEmpty(), false, route.afterwards());
    }

    /**
     * The old side's WAL position once fenced: taken inside a transaction that commits synchronously, so the WAL
     * before it is flushed at once and the stream's source decodes past it without waiting for its WAL writer.
     * Every client transaction ended before the fence returned, so its commit lies before this position.
     */
    static Lsn fencePosition(Connection c) {
        try (Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SET LOCAL synchronous_commit = local");
            s.execute("SELECT txid_current()"); // an xid, so that the commit writes (and flushes) a record
            Lsn lsn;
            try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
                rs.next();
                lsn = Lsn.parse(rs.getString(1));
            }
            c.commit();
            c.setAutoCommit(true);
            return lsn;
        } catch (SQLException e) {
            throw new InflightException(ErrorCode.CONNECTION_LOST, "reading the WAL position after the fence failed: "
                    + e.getMessage(), e.getSQLState(), e);
        }
    }

    /** The tables the migration copied (those the stream keeps in step), with their keys, as the target has them. */
    private List<TableInfo> migratedTables(Connection c) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT schema_name, table_name FROM"
                + " inflight.table_state WHERE status = 'copied'")) {
            Set<TableId> copied = new HashSet<>();
            while (rs.next()) {
                copied.add(TableId.of(rs.getString(1), rs.getString(2)));
            }
            return TableCatalog.read(c, SchemaFilter.all()).stream()
                    .filter(t -> t.holdsRows() && copied.contains(t.id())).toList();
        } catch (SQLException e) {
            throw PgErrors.translate(e, to, "listing the migrated tables for the final check");
        }
    }

    private void asynchronous(Connection c) {
        try (Statement s = c.createStatement()) {
            s.execute("SET synchronous_commit = off");
        } catch (SQLException e) {
            throw PgErrors.translate(e, to, "setting synchronous_commit for the cutover's session");
        }
    }


    private SwitchResult abort(SwitchLog switchLog, Optional<SwitchLog.Run> open) {
        if (open.isEmpty()) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "no " + kind + " into " + to
                    + " is half done: nothing to abort");
        }
        SwitchLog.Run run = open.get();
        if (run.started().contains("flip")) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "the " + kind + " (run " + run.id() + ")"
                    + " already began its flip, so writes may reach " + to + "; rerun inflight " + kind + " to finish"
                    + " it, then roll back if needed");
        }
        route.unfence();
        switchLog.end(run, "aborted", null);
        return new SwitchResult(kind, run.id(), Duration.ZERO, Map.of(), Lsn.INVALID, 0, "", true, false,
                "writes go to " + from.endpoint().describe() + " again; restart the stream into " + to.endpoint()
                        .describe());
    }

    /**
     * A rerun of a switch that has finished (the process may have died after its last record, before it could say
     * so) succeeds without doing anything: writes already go to {@code to}, so the same command twice is safe. Only
     * when the newest run recorded on {@code to} is a finished one of this kind and the stream into {@code to} is
     * retired; a switch the other way since then (recorded on the other side) makes the phase there retired and
     * this one's stream live again, so it is not mistaken for done.
     */
    private Optional<SwitchResult> alreadyDone(SwitchLog switchLog) {
        Optional<SwitchLog.Finished> last = switchLog.lastFinished();
        if (last.isEmpty() || !last.get().kind().equals(kind) || !last.get().status().equals("done")
                || !"promoted".equals(Preconditions.stream(kind, to).phase())) {
            return Optional.empty();
        }
        SwitchLog.Finished f = last.get();
        progress.warning("the " + kind + " into " + to + " was already done by run " + f.id() + " (finished "
                + f.finishedAt() + "); nothing to do");
        return Optional.of(SwitchResult.alreadyDone(kind, f.id(), "writes already go to " + to.endpoint().describe()
                + " since run " + f.id() + " finished at " + f.finishedAt() + "; nothing was done"));
    }

    private void undo(SwitchLog switchLog, SwitchLog.Run run, RuntimeException cause) {
        try {
            route.unfence();
            switchLog.end(run, "aborted", null);
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
            progress.warning("undoing the fence failed too (" + e.getMessage() + "); rerun inflight " + kind
                    + " --abort to lift it");
        }
    }

    private String reverse(SwitchLog switchLog, SwitchLog.Run run, Preconditions.Stream stream) {
        String[] slot = new String[1];
        step(switchLog, run, "reverse", () -> {
            slot[0] = new ReverseStream(to.endpoint(), from.endpoint()).ensure(stream.slot());
            return "stream back reads slot '" + slot[0] + "' on " + to.endpoint().describe();
        });
        return slot[0];
    }

    /** Whether the stream into {@code to} marks its writes with its replication origin (it may not, see Applier). */
    private boolean marksOrigin(String slot) {
        try (Connection c = to.open(); PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM pg_replication_origin WHERE roname = ?")) {
            ps.setString(1, StreamJob.originName(slot));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, to, "looking up the stream's replication origin");
        }
    }

    private static ErrorCode code(RuntimeException e) {
        return e instanceof InflightException ie ? ie.code() : ErrorCode.INTERNAL;
    }

    private void step(SwitchLog switchLog, SwitchLog.Run run, String name, Supplier<String> body) {
        progress.phaseStarted(kind + " " + name, "");
        switchLog.started(run, name);
        long t0 = System.nanoTime();
        String detail = body.get();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        switchLog.finished(run, name, took, detail);
        steps.put(name, took);
        progress.stepFinished(kind + " " + name + ": " + detail, took.toMillis());
        progress.phaseFinished(kind + " " + name, detail);
        log.info("{} step {} took {} ms: {}", kind, name, took.toMillis(), detail);
    }

    private StreamOptions streamOptions() {
        return StreamOptions.defaults(from.endpoint(), to.endpoint()).withApply(options.apply())
                .withReconnectFor(Duration.ofSeconds(30));
    }
}
