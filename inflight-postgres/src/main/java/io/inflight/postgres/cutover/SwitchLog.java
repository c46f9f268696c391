package io.inflight.postgres.cutover;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.postgres.checkpoint.StateStore;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The durable record of cutover and rollback runs, in schema {@value StateStore#SCHEMA} on the side writes move
 * to: {@code switch_run} (one row per run: kind, status running/done/aborted, the write pause) and
 * {@code switch_step} (when each step started and finished, and what it found). Opening it takes an advisory lock
 * (its own key, not the stream's), so two switches cannot run at once. Not thread-safe.
 */
final class SwitchLog implements AutoCloseable {

    private static final int LOCK_CLASS = 0x494E464C;
    private static final int LOCK_SWITCH = 1;
    private static final String DDL = """
            CREATE SCHEMA IF NOT EXISTS inflight;
            CREATE TABLE IF NOT EXISTS inflight.switch_run (
                run_id         bigserial PRIMARY KEY,
                kind           text NOT NULL CHECK (kind IN ('cutover', 'rollback')),
                status         text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'aborted')),
                started_at     timestamptz NOT NULL DEFAULT now(),
                finished_at    timestamptz,
                write_pause_ms bigint
            );
            CREATE TABLE IF NOT EXISTS inflight.switch_step (
                run_id      bigint NOT NULL REFERENCES inflight.switch_run ON DELETE CASCADE,
                step        text NOT NULL,
                started_at  timestamptz NOT NULL DEFAULT now(),
                finished_at timestamptz,
                elapsed_ms  bigint,
                detail      text,
                PRIMARY KEY (run_id, step)
            );
            """;

    /** A run not yet done or aborted, and the steps it finished. */
    record Run(long id, String kind, Set<String> started, Set<String> finished) {
    }

    private final PgConnector side;
    private final Connection conn;

    private SwitchLog(PgConnector side, Connection conn) {
        this.side = side;
        this.conn = conn;
    }

    static SwitchLog open(PgConnector side) {
        Connection c = side.open();
        try {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + LOCK_CLASS + ", " + LOCK_SWITCH
                         + ")")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new InflightException(ErrorCode.OBJECT_CONFLICT, "another cutover or rollback is working on "
                            + side + "; wait for it to finish, then rerun");
                }
                s.execute(DDL);
                // Most records need not wait for the disk: a crash of this process loses none of them, and a rerun
                // repeats every step before the flip anyway. The two that decide what a rerun does (the fence and
                // the flip began) are committed durably, see started().
                s.execute("SET synchronous_commit = off");
            }
            return new SwitchLog(side, c);
        } catch (SQLException e) {
            close(c);
            throw PgErrors.translate(e, side, "opening the cutover log in schema " + StateStore.SCHEMA);
        } catch (RuntimeException e) {
            close(c);
            throw e;
        }
    }

    /** A run that ended: done or aborted. */
    record Finished(long id, String kind, String status, String finishedAt) {
    }

    /** The newest run recorded here, if it has ended. */
    Optional<Finished> lastFinished() {
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT run_id, kind, status,"
                + " finished_at::text FROM inflight.switch_run ORDER BY run_id DESC LIMIT 1")) {
            if (!rs.next() || rs.getString(3).equals("running")) {
                return Optional.empty();
            }
            return Optional.of(new Finished(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
        } catch (SQLException e) {
            throw PgErrors.translate(e, side, "reading inflight.switch_run");
        }
    }

    /** The run a crash (or a failure after the flip began) left unfinished, if any. */
    Optional<Run> unfinished() {
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT run_id, kind FROM"
                + " inflight.switch_run WHERE status = 'running' ORDER BY run_id DESC LIMIT 1")) {
            if (!rs.next()) {
                return Optional.empty();
            }
            long id = rs.getLong(1);
            String kind = rs.getString(2);
            Set<String> started = new LinkedHashSet<>();
            Set<String> finished = new LinkedHashSet<>();
            try (PreparedStatement ps = conn.prepareStatement("SELECT step, finished_at IS NOT NULL FROM"
                    + " inflight.switch_step WHERE run_id = ? ORDER BY started_at")) {
                ps.setLong(1, id);
                try (ResultSet steps = ps.executeQuery()) {
                    while (steps.next()) {
                        started.add(steps.getString(1));
                        if (steps.getBoolean(2)) {
                            finished.add(steps.getString(1));
                        }
                    }
                }
            }
            return Optional.of(new Run(id, kind, started, finished));
        } catch (SQLException e) {
            throw PgErrors.translate(e, side, "reading inflight.switch_run");
        }
    }

    Run begin(String kind) {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO inflight.switch_run (kind) VALUES (?)"
                + " RETURNING run_id")) {
            ps.setString(1, kind);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Run(rs.getLong(1), kind, Set.of(), Set.of());
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, side, "recording the " + kind + " in inflight.switch_run");
        }
    }

    /**
     * Records that {@code step} began. The fence's and the flip's records are committed durably: they decide what a
     * rerun does. The flip's also retires the stream into this side (migration phase {@code promoted}) in the same
     * transaction, so that no stream applies here once writes may arrive, and a rerun after a crash knows it.
     */
    void started(Run run, String step) {
        boolean decisive = step.equals("fence") || step.equals("flip");
        try {
            if (decisive) {
                durably(true);
                conn.setAutoCommit(false);
            }
            update("INSERT INTO inflight.switch_step (run_id, step) VALUES (?, ?) ON CONFLICT (run_id, step) DO UPDATE"
                    + " SET started_at = now(), finished_at = NULL, elapsed_ms = NULL, detail = NULL", run.id(), step);
            if (step.equals("flip")) {
                try (Statement s = conn.createStatement()) {
                    s.executeUpdate("UPDATE inflight.migration SET phase = 'promoted', updated_at = now()");
                }
            }
            if (decisive) {
                conn.commit();
                conn.setAutoCommit(true);
                durably(false);
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, side, "recording step " + step + " in inflight.switch_step");
        }
    }

    private void durably(boolean on) {
        try (Statement s = conn.createStatement()) {
            s.execute("SET synchronous_commit = " + (on ? "on" : "off"));
        } catch (SQLException e) {
            throw PgErrors.translate(e, side, "setting synchronous_commit for the cutover log");
        }
    }

    void finished(Run run, String step, Duration took, String detail) {
        try (PreparedStatement ps = conn.prepareStatement("UPDATE inflight.switch_step SET finished_at = now(),"
                + " elapsed_ms = ?, detail = ? WHERE run_id = ? AND step = ?")) {
            ps.setLong(1, took.toMillis());
            ps.setString(2, detail);
            ps.setLong(3, run.id());
            ps.setString(4, step);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw PgErrors.translate(e, side, "recording step " + step + " in inflight.switch_step");
        }
    }

    void end(Run run, String status, Duration writePause) {
        durably(true);
        try (PreparedStatement ps = conn.prepareStatement("UPDATE inflight.switch_run SET status = ?,"
                + " finished_at = now(), write_pause_ms = ? WHERE run_id = ?")) {
            ps.setString(1, status);
            if (writePause == null) {
                ps.setNull(2, java.sql.Types.BIGINT);
            } else {
                ps.setLong(2, writePause.toMillis());
            }
            ps.setLong(3, run.id());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw PgErrors.translate(e, side, "recording the end of the run in inflight.switch_run");
        }
    }

    private void update(String sql, long id, String step) {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setLong(1, id);
            ps.setString(2, step);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw PgErrors.translate(e, side, "recording step " + step + " in inflight.switch_step");
        }
    }

    @Override
    public void close() {
        close(conn);
    }

    private static void close(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // the server releases the lock with the session anyway
        }
    }
}
