package io.inflight.postgres.snapshot;

import io.inflight.core.ErrorCode;
import io.inflight.core.Identifiers;
import io.inflight.core.InflightException;
import io.inflight.core.TableId;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.checkpoint.CopyStatus;
import io.inflight.postgres.checkpoint.StateStore;
import io.inflight.postgres.checkpoint.TableState;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.CopyOut;

/**
 * One copy worker: a source connection inside a REPEATABLE READ READ ONLY transaction that imported the
 * migration's snapshot, and a target connection. Copies tasks one at a time, each as one COPY stream
 * from source to target, committed together with the state row saying it is done.
 *
 * <p>Memory: a task holds one reusable buffer of {@value #BUFFER_BYTES} bytes plus the row pgjdbc just
 * read (one CopyData message, i.e. one row; a row larger than the buffer is written straight through).
 * Nothing grows with the size of a table. Not thread-safe: one thread drives a worker.
 */
final class CopyWorker implements AutoCloseable {

    /**
     * Rows arrive one CopyData message each, often a few dozen bytes; sending each as its own message would
     * cost a syscall and a message header per row. 256 KB batches them into large socket writes while
     * staying small next to the socket buffers and far from mattering for heap size.
     */
    static final int BUFFER_BYTES = 256 * 1024;

    private static final long REPORT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final PgConnector source;
    private final PgConnector target;
    private final Connection src;
    private final Connection tgt;
    private final CopyManager srcCopy;
    private final CopyManager tgtCopy;
    private final StateStore state;
    private final ProgressListener progress;
    private final byte[] buffer = new byte[BUFFER_BYTES];

    private CopyWorker(PgConnector source, PgConnector target, Connection src, Connection tgt, StateStore state,
                       ProgressListener progress) throws SQLException {
        this.source = source;
        this.target = target;
        this.src = src;
        this.tgt = tgt;
        this.srcCopy = src.unwrap(PGConnection.class).getCopyAPI();
        this.tgtCopy = tgt.unwrap(PGConnection.class).getCopyAPI();
        this.state = state;
        this.progress = progress;
    }

    /** Sets {@code session_replication_role = replica}, or says which grant the target role lacks. */
    static void replicaRole(Connection tgt, PgConnector target) {
        try (Statement s = tgt.createStatement()) {
            s.execute("SET session_replication_role = replica");
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                throw new InflightException(ErrorCode.INSUFFICIENT_PRIVILEGE, "target role '" + target.endpoint().user()
                        + "' may not set session_replication_role, which loading into an existing schema needs (its"
                        + " foreign keys and triggers must not act on copied rows). Run on the target as a superuser:"
                        + " GRANT SET ON PARAMETER session_replication_role TO \""
                        + target.endpoint().user().replace("\"", "\"\"") + "\"; (PostgreSQL 15+), or clone as a"
                        + " superuser", "42501", e);
            }
            throw PgErrors.translate(e, target, "setting session_replication_role");
        }
    }

    /** Opens both connections and imports the snapshot; the exporting connection must still be open. */
    static CopyWorker open(PgConnector source, PgConnector target, ExportedSnapshot snapshot, StateStore state,
                           ProgressListener progress, boolean replicaRole) {
        Connection src = source.open();
        Connection tgt = null;
        try {
            try (Statement s = src.createStatement()) {
                // A worker's transaction sits idle between tasks and runs one long COPY per task: neither
                // may be cut short by the role's defaults.
                s.execute("SET idle_in_transaction_session_timeout = 0");
                s.execute("SET statement_timeout = 0");
                if (src.getMetaData().getDatabaseMajorVersion() >= 11) {
                    // JIT compiling a range's simple predicate costs more than the scan it would speed up.
                    s.execute("SET jit = off");
                }
                s.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
                s.execute("SET TRANSACTION SNAPSHOT " + Identifiers.literal(snapshot.name()));
            } catch (SQLException e) {
                throw PgErrors.translate(e, source, "importing snapshot " + snapshot.name() + " (taken at LSN "
                        + snapshot.lsn() + ")");
            }
            tgt = target.open();
            try (Statement s = tgt.createStatement()) {
                // A commit lost in a target crash loses the range's rows AND its done mark together (they share
                // the transaction), so the rerun copies that range again: nothing needs the WAL flush per commit.
                s.execute("SET synchronous_commit = off");
                s.execute("SET statement_timeout = 0");
                if (replicaRole) {
                    replicaRole(tgt, target);
                }
                tgt.setAutoCommit(false);
            } catch (SQLException e) {
                throw PgErrors.translate(e, target, "preparing a copy session");
            }
            return new CopyWorker(source, target, src, tgt, state, progress);
        } catch (SQLException e) {
            PgConnector.closeQuietly(src);
            PgConnector.closeQuietly(tgt);
            throw PgErrors.translate(e, source, "preparing a copy session");
        } catch (RuntimeException e) {
            PgConnector.closeQuietly(src);
            PgConnector.closeQuietly(tgt);
            throw e;
        }
    }

    /** Copies one task and commits it with its done mark; returns the table's state after the commit. */
    TableState copy(CopyTask task, BooleanSupplier aborted) {
        TableId id = task.table().id();
        CopyOut out = null;
        CopyIn in = null;
        try {
            out = onSource(() -> srcCopy.copyOut(task.copyOutSql()));
            CopyIn input = onTarget(() -> tgtCopy.copyIn(task.copyInSql()));
            in = input;
            CopyOut output = out;
            byte[] buf = buffer;
            int len = 0;
            long bytes = 0;
            long rowsSeen = 0;
            long reportedRows = 0;
            long reportedBytes = 0;
            long lastReport = System.nanoTime();
            SqlCall<byte[]> read = output::readFromCopy;
            byte[] row;
            while ((row = onSource(read)) != null) {
                rowsSeen++;
                bytes += row.length;
                if (row.length > buf.length - len) {
                    if (len > 0) {
                        write(input, buf, len);
                        len = 0;
                    }
                    if (aborted.getAsBoolean()) {
                        throw new Aborted();
                    }
                    long now = System.nanoTime();
                    if (now - lastReport >= REPORT_EVERY_NANOS) {
                        progress.tableProgress(id, rowsSeen - reportedRows, bytes - reportedBytes);
                        reportedRows = rowsSeen;
                        reportedBytes = bytes;
                        lastReport = now;
                    }
                    if (row.length >= buf.length) {
                        write(input, row, row.length);
                        continue;
                    }
                }
                System.arraycopy(row, 0, buf, len, row.length);
                len += row.length;
            }
            out = null; // finished: nothing to cancel any more
            if (len > 0) {
                write(input, buf, len);
            }
            long rows = onTarget(input::endCopy);
            in = null;
            long copiedBytes = bytes;
            TableState after = onTarget(() -> {
                TableState s = state.finishRange(tgt, id, task.rangeNo(), rows, copiedBytes);
                tgt.commit();
                return s;
            });
            // The rows counted while streaming are CopyData messages (binary adds a trailer); settle on exact.
            progress.tableProgress(id, rows - reportedRows, bytes - reportedBytes);
            if (after.status() == CopyStatus.COPIED) {
                progress.tableFinished(id, after.rows(), after.bytes());
            }
            return after;
        } catch (SideFailure f) {
            cancel(out, in);
            throw f.translate(task);
        } catch (RuntimeException e) {
            cancel(out, in);
            throw e;
        }
    }

    @Override
    public void close() {
        PgConnector.closeQuietly(src);
        PgConnector.closeQuietly(tgt);
    }

    private void write(CopyIn in, byte[] b, int len) {
        onTarget(() -> {
            in.writeToCopy(b, 0, len);
            return null;
        });
    }

    /** Best effort after a failure: the run stops, the target transaction is rolled back. */
    private void cancel(CopyOut out, CopyIn in) {
        try {
            if (out != null && out.isActive()) {
                out.cancelCopy();
            }
        } catch (SQLException | RuntimeException ignored) {
            // the source transaction is abandoned anyway
        }
        try {
            if (in != null && in.isActive()) {
                in.cancelCopy();
            }
        } catch (SQLException | RuntimeException ignored) {
            // a broken target connection cannot take a cancel; its transaction is gone with it
        }
        try {
            tgt.rollback();
        } catch (SQLException ignored) {
            // as above
        }
    }

    private interface SqlCall<T> {
        T call() throws SQLException;
    }

    private <T> T onSource(SqlCall<T> call) {
        try {
            return call.call();
        } catch (SQLException e) {
            throw new SideFailure(source, e);
        }
    }

    private <T> T onTarget(SqlCall<T> call) {
        try {
            return call.call();
        } catch (SQLException e) {
            throw new SideFailure(target, e);
        }
    }

    /** A server error and the side that raised it, until the task can name itself in the message. */
    private static final class SideFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient PgConnector side;

        SideFailure(PgConnector side, SQLException cause) {
            super(cause);
            this.side = side;
        }

        InflightException translate(CopyTask task) {
            InflightException e = PgErrors.translate((SQLException) getCause(), side, "copying " + task);
            if (e.code() != ErrorCode.CONNECTION_LOST && e.code() != ErrorCode.RESOURCE_EXHAUSTED) {
                return e;
            }
            return new InflightException(e.code(), e.getMessage() + " (tables already copied are kept; "
                    + task.table().id() + " is copied again from the start)", e.sqlState().orElse(null), getCause());
        }
    }

    /** Another worker failed: this one stops its task without reporting a failure of its own. */
    static final class Aborted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Aborted() {
            super("stopped because another copy worker failed", null, false, false);
        }
    }

}
