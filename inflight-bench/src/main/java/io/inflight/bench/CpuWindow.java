package io.inflight.bench;

import io.inflight.testkit.PostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

/**
 * The CPU a measured run costs, from {@link #start} until an end: every process of the source cluster and of the
 * target cluster (each read as its postmaster's tree, so processes that ended meanwhile count too), of which a
 * walsender if one is followed, and the run's own client-side processes: either given by the caller, or those of
 * the harness's children that ended and were reaped in the window. The harness's own sessions on the servers, which
 * poll them meanwhile, are left out. Not thread-safe.
 */
final class CpuWindow {

    private final long sourcePostmaster;
    private final long targetPostmaster;
    private final Set<Long> harnessBackends;
    private final long sourceStart;
    private final long targetStart;
    private final long harnessReapedStart;
    private final ProcCpu.Follower walsender = new ProcCpu.Follower();

    private CpuWindow(long sourcePostmaster, long targetPostmaster, Set<Long> harnessBackends) {
        this.sourcePostmaster = sourcePostmaster;
        this.targetPostmaster = targetPostmaster;
        this.harnessBackends = Set.copyOf(harnessBackends);
        this.sourceStart = ProcCpu.treeTicks(sourcePostmaster, this.harnessBackends);
        this.targetStart = ProcCpu.treeTicks(targetPostmaster, this.harnessBackends);
        this.harnessReapedStart = harnessReaped();
    }

    /**
     * Starts the window, right before what it measures starts. {@code harnessSessions}: the harness's sessions on either
     * server, left out of the accounting; they must stay connected until {@link #end}.
     */
    static CpuWindow start(PostgresServer source, PostgresServer target, Statement... harnessSessions) throws SQLException {
        Set<Long> pids = new HashSet<>();
        for (Statement s : harnessSessions) {
            try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pids.add(rs.getLong(1));
            }
        }
        return new CpuWindow(postmaster(source), postmaster(target), pids);
    }

    /** Starts the window, right before what it measures starts, when the harness holds no session on either server. */
    static CpuWindow start(PostgresServer source, PostgresServer target) {
        return new CpuWindow(postmaster(source), postmaster(target), Set.of());
    }

    /** Reads the CPU time of the slot's walsender ({@code active_pid}); call it on every poll, since it may end first. */
    void sampleWalsender(long pid) {
        if (pid > 0) {
            walsender.sample(pid);
        }
    }

    /** Ends the window: what both clusters used since the start, and {@code processTicks} for the reader's own process. */
    CpuSeconds end(long processTicks) {
        long source = ProcCpu.treeTicks(sourcePostmaster, harnessBackends) - sourceStart;
        long target = ProcCpu.treeTicks(targetPostmaster, harnessBackends) - targetStart;
        return new CpuSeconds(ProcCpu.seconds(source), ProcCpu.seconds(walsender.ticks()), ProcCpu.seconds(target),
                ProcCpu.seconds(processTicks));
    }

    /**
     * Ends the window when the run's own processes are the harness's children, all waited for by now: their whole
     * CPU (their own children's included, once they reaped them) is then in the harness's reaped times. Any other
     * child of the harness that ended in the window would be counted too, so none may run beside them.
     */
    CpuSeconds endWithHarnessChildren() {
        return end(harnessReaped() - harnessReapedStart);
    }

    /** CPU ticks of the harness's children that ended and were reaped so far. */
    private static long harnessReaped() {
        return ProcCpu.read(ProcessHandle.current().pid()).orElseThrow().reaped();
    }

    /** The postmaster's pid: the first line of {@code postmaster.pid} in the data directory. */
    private static long postmaster(PostgresServer server) {
        try {
            return Long.parseLong(Files.readAllLines(server.dataDir().resolve("postmaster.pid"), StandardCharsets.US_ASCII)
                    .get(0).trim());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the postmaster's pid in " + server.dataDir() + ": " + e.getMessage(), e);
        }
    }
}
