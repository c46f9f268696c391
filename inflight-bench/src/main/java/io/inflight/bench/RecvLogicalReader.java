package io.inflight.bench;

import io.inflight.core.Identifiers;
import io.inflight.core.Lsn;
import io.inflight.testkit.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A third reader of the backlog that does nothing with it: the source's walsender decoding it, with
 * Inflight's publication and protocol version, for Debian's {@code pg_recvlogical} 15, which throws every
 * byte away and never fsyncs. Not a lower bound for the appliers: {@code pg_recvlogical} sleeps on its socket
 * between messages, so each send wakes it, and the walsender spends more CPU per change than for a reader
 * that is busy applying. Its own slot is created where the appliers stopped, before the backlog, and must be
 * dropped after each round: an idle slot keeps the source's WAL.
 */
final class RecvLogicalReader {

    private static final Logger log = LoggerFactory.getLogger(RecvLogicalReader.class);

    static final String SLOT = "recvlogical";
    static final String LABEL = "pg_recvlogical → /dev/null";
    private static final String TOOL = "pg_recvlogical";
    private static final Duration LIMIT = Duration.ofMinutes(30);
    private static final long POLL_MS = 20;

    private final ClientTools tools;
    private final PostgresServer source;
    private final String database;
    private final PostgresServer target;
    private final Path workDir;

    /** {@code target} only to account for its CPU meanwhile, like for the appliers. */
    RecvLogicalReader(ClientTools tools, PostgresServer source, String database, PostgresServer target, Path workDir) {
        if (!Files.isExecutable(tools.binDir().resolve(TOOL))) {
            throw new IllegalStateException(tools.binDir().resolve(TOOL) + " is missing: install PostgreSQL 15's client "
                    + "tools (apt-get install postgresql-client-15)");
        }
        this.tools = tools;
        this.source = source;
        this.database = database;
        this.target = target;
        this.workDir = workDir;
    }

    /** Creates the reader's pgoutput slot: it will send every transaction committed from now on. */
    void createSlot() {
        source.execute(database, "SELECT pg_create_logical_replication_slot(" + Identifiers.literal(SLOT) + ", 'pgoutput')");
    }

    /**
     * Runs {@code pg_recvlogical} on the slot until it has received {@code end} and exits by itself; timed from
     * starting the process. Throws when it fails or takes longer than the appliers are allowed to.
     */
    StreamRun.RecvLogical run(Lsn end) {
        Path err = workDir.resolve("pg_recvlogical.err");
        ProcessBuilder pb = tools.command(TOOL, source, database, "--slot", SLOT, "--start", "--endpos", end.toString(),
                        "--no-loop", "-o", "proto_version=1",
                        "-o", "publication_names=" + Identifiers.quote(InflightStream.PUBLICATION),
                        "--fsync-interval", "0", "--file", "-")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
        try (Connection c = source.connect(database); Statement s = c.createStatement()) {
            BackendStates states = new BackendStates();
            CpuWindow cpu = CpuWindow.start(source, target, s);
            long start = System.nanoTime();
            Process p = pb.start();
            long connected = 0;
            int polls = 0;
            try {
                while (!p.waitFor(POLL_MS, TimeUnit.MILLISECONDS)) {
                    long walsender = activePid(s);
                    cpu.sampleWalsender(walsender);
                    if (connected == 0 && walsender != 0) {
                        connected = System.nanoTime();
                    }
                    if (connected != 0 && polls++ % StreamBenchmark.STATES_EVERY_POLLS == 0) {
                        states.pollWalsender(s, SLOT);
                    }
                    if (System.nanoTime() - start > LIMIT.toNanos()) {
                        throw new IllegalStateException(TOOL + " did not reach " + end + " within " + LIMIT.toMinutes() + " min");
                    }
                }
            } finally {
                p.destroyForcibly();
            }
            long done = System.nanoTime();
            // its walsender may outlive it by a moment; if it ended already, its last sample stands
            cpu.sampleWalsender(activePid(s));
            // waitFor returned, so the harness reaped it; no other child of the harness ends meanwhile
            CpuSeconds used = cpu.endWithHarnessChildren();
            if (p.exitValue() != 0) {
                throw new IllegalStateException(TOOL + " exited with " + p.exitValue() + ": " + Processes.tail(err).strip());
            }
            // a run shorter than one poll may never see the slot active: then it connected at once
            connected = connected == 0 ? start : connected;
            return new StreamRun.RecvLogical(Duration.ofNanos(connected - start), Duration.ofNanos(done - start),
                    states.summary(), used);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + TOOL, e);
        } catch (SQLException e) {
            throw new IllegalStateException("watching slot " + SLOT + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            Processes.deleteQuietly(err);
        }
    }

    /** Drops the slot if it exists, first ending a walsender that still holds it (a {@code pg_recvlogical} that was killed). */
    void dropSlot() {
        String where = " FROM pg_replication_slots WHERE slot_name = " + Identifiers.literal(SLOT);
        source.execute(database, "SELECT pg_terminate_backend(active_pid)" + where + " AND active_pid IS NOT NULL");
        try (Connection c = source.connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*)" + where)) {
            rs.next();
            if (rs.getLong(1) == 0) {
                return;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("looking for slot " + SLOT + " on the source: " + e.getMessage(), e);
        }
        Slots.awaitInactive(source, database, SLOT);
        source.execute(database, "SELECT pg_drop_replication_slot(" + Identifiers.literal(SLOT) + ")");
    }

    /** {@link #dropSlot()} after {@code failure}: a failure to drop is added to it rather than hiding it. */
    void dropSlotAfter(RuntimeException failure) {
        try {
            dropSlot();
        } catch (RuntimeException e) {
            log.error("could not drop slot {} on the source after a failed round: {}", SLOT, e.getMessage());
            failure.addSuppressed(e);
        }
    }

    /** The pid of the walsender holding the slot, 0 while none does. */
    private static long activePid(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT coalesce(active_pid, 0) FROM pg_replication_slots WHERE slot_name = "
                + Identifiers.literal(SLOT))) {
            if (!rs.next()) {
                throw new IllegalStateException("slot " + SLOT + " vanished from the source");
            }
            return rs.getLong(1);
        }
    }
}
