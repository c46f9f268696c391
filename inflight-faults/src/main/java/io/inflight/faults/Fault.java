package io.inflight.faults;

import io.inflight.core.Identifiers;
import io.inflight.testkit.PgBouncer;
import io.inflight.testkit.PostgresServer;
import io.inflight.testkit.TcpProxy;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The kinds of fault the suite injects. Each waits for its phase of the migration, strikes at a random moment in
 * it (the episode's seeded random), and puts things back (a restarted server, restored network, freed disk); it
 * never restarts Inflight itself, that is the user's part ({@link Episode#ensureRunning()}).
 */
enum Fault {

    KILL_IN_SCHEMA(Stage.CLONE, "kill -9 while the schema is created") {
        @Override
        Injected inject(Episode e) {
            String phase = e.awaitPhase(Set.of("schema"), LATER_THAN_SCHEMA, PHASE_LIMIT);
            e.kill();
            return new Injected(phase, "killed");
        }
    },
    KILL_IN_COPY(Stage.CLONE, "kill -9 during the copy") {
        @Override
        Injected inject(Episode e) {
            String phase = inCopy(e, 0, 600);
            e.kill();
            return new Injected(phase, "killed");
        }
    },
    KILL_IN_INDEX_BUILD(Stage.CLONE, "kill -9 while indexes and constraints are built (post-data)") {
        @Override
        Injected inject(Episode e) {
            String phase = e.awaitPhase(Set.of("post-data"), Set.of("sequences", "cloned", "streaming"), PHASE_LIMIT);
            Pause.between(e.random, 0, 150);
            e.kill();
            return new Injected(phase, "killed");
        }
    },
    KILL_IN_STREAMING(Stage.STREAM, "kill -9 while streaming") {
        @Override
        Injected inject(Episode e) {
            String phase = streaming(e);
            e.kill();
            return new Injected(phase, "killed");
        }
    },
    KILL_IN_LARGE_TRANSACTION(Stage.STREAM, "kill -9 while a large source transaction is being applied") {
        @Override
        Injected inject(Episode e) {
            String phase = e.awaitStreaming();
            int rows = e.rig.largeRows;
            long base = e.nextLargeBase(rows);
            CompletableFuture<Void> large = CompletableFuture.runAsync(() -> e.rig.source.execute(Rig.SOURCE_DB,
                    "BEGIN; DELETE FROM big; INSERT INTO big SELECT " + base + " + g, g % 1000, md5(g::text)"
                            + " FROM generate_series(1, " + rows + ") g; COMMIT"));
            try {
                large.get(120, TimeUnit.SECONDS);
            } catch (Exception ex) {
                throw new IllegalStateException("the large transaction failed on the source: " + ex, ex);
            }
            boolean caught = e.awaitTarget("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname ="
                    + " current_database() AND state <> 'idle' AND pid <> pg_backend_pid() AND query LIKE '%\"big\"%')",
                    Duration.ofSeconds(60));
            Pause.between(e.random, 0, 300);
            e.kill();
            return new Injected(caught ? "streaming (mid large transaction)" : phase + " (large transaction missed)",
                    "killed");
        }
    },
    KILL_IN_VERIFY(Stage.STREAM, "kill -9 of inflight verify (rerun must resume and find the sides equal)") {
        @Override
        Injected inject(Episode e) {
            String phase = e.awaitStreaming();
            InflightProcess verify = e.start(List.of("verify", "--source", e.rig.sourceUri(), "--target",
                    e.rig.targetUri(e.db), "--jobs", "2"), "verify");
            Pause.between(e.random, 1200, 4000);
            boolean alive = verify.isAlive();
            verify.kill9();
            e.verifyPending = true;
            return new Injected(phase + " (verify " + (alive ? "running" : "already ended") + ")", "verify killed");
        }
    },
    /**
     * kill -9 of {@code inflight cutover} at a step the seed picks, with the writes going through PgBouncer; the
     * rerun must finish, then the stream back runs and the round compares the old source with the new primary.
     * Ends its episode (see {@link Plan}): after it the migration is promoted. See {@link CutoverKill}.
     */
    KILL_IN_CUTOVER(Stage.STREAM,
            "kill -9 of inflight cutover (writes through PgBouncer; rerun, then stream --reverse)") {
        @Override
        boolean available(Rig rig) {
            return Files.isExecutable(Paths.get(PgBouncer.BINARY));
        }

        @Override
        Injected inject(Episode e) {
            return CutoverKill.inject(e);
        }
    },
    SOURCE_RESTART_FAST_IN_COPY(Stage.CLONE, "source restart (fast shutdown) during the copy") {
        @Override
        Injected inject(Episode e) {
            String phase = inCopy(e, 0, 500);
            restart(e, e.rig.source, "fast");
            return new Injected(phase, "source restarted (fast)");
        }
    },
    SOURCE_RESTART_IMMEDIATE_IN_COPY(Stage.CLONE, "source restart (immediate shutdown: a crash) during the copy") {
        @Override
        Injected inject(Episode e) {
            String phase = inCopy(e, 0, 500);
            restart(e, e.rig.source, "immediate");
            return new Injected(phase, "source restarted (immediate)");
        }
    },
    SOURCE_RESTART_FAST_IN_STREAMING(Stage.STREAM, "source restart (fast shutdown) while streaming") {
        @Override
        Injected inject(Episode e) {
            String phase = streaming(e);
            restart(e, e.rig.source, "fast");
            return new Injected(phase, "source restarted (fast)");
        }
    },
    SOURCE_RESTART_IMMEDIATE_IN_STREAMING(Stage.STREAM, "source restart (immediate shutdown) while streaming") {
        @Override
        Injected inject(Episode e) {
            String phase = streaming(e);
            restart(e, e.rig.source, "immediate");
            return new Injected(phase, "source restarted (immediate)");
        }
    },
    TARGET_RESTART_IN_COPY(Stage.CLONE, "target restart (immediate shutdown) during the copy") {
        @Override
        Injected inject(Episode e) {
            String phase = inCopy(e, 0, 500);
            restart(e, e.rig.target, "immediate");
            return new Injected(phase, "target restarted (immediate)");
        }
    },
    TARGET_RESTART_IN_APPLY(Stage.STREAM, "target restart (immediate shutdown) while changes are applied") {
        @Override
        Injected inject(Episode e) {
            String phase = streaming(e);
            restart(e, e.rig.target, "immediate");
            return new Injected(phase, "target restarted (immediate)");
        }
    },
    WALSENDER_TERMINATED(Stage.STREAM, "the stream's walsender terminated on the source (pg_terminate_backend)") {
        @Override
        Injected inject(Episode e) {
            String phase = streaming(e);
            try (Connection c = e.rig.source.connect(Rig.SOURCE_DB); Statement s = c.createStatement()) {
                s.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = "
                        + Identifiers.literal(e.slot) + " AND active_pid IS NOT NULL");
            } catch (SQLException ex) {
                throw new IllegalStateException("cannot terminate the walsender: " + ex.getMessage(), ex);
            }
            return new Injected(phase, "walsender terminated");
        }
    },
    TARGET_DISK_FULL_IN_COPY(Stage.CLONE, "target out of space for a few seconds during the copy") {
        @Override
        boolean available(Rig rig) {
            return rig.disk.isPresent();
        }

        @Override
        Injected inject(Episode e) {
            String phase = inCopy(e, 0, 400);
            diskFull(e);
            return new Injected(phase, "tablespace full, then freed");
        }
    },
    TARGET_DISK_FULL_IN_APPLY(Stage.STREAM, "target out of space for a few seconds while changes are applied") {
        @Override
        boolean available(Rig rig) {
            return rig.disk.isPresent();
        }

        @Override
        Injected inject(Episode e) {
            String phase = streaming(e);
            diskFull(e);
            return new Injected(phase, "tablespace full, then freed");
        }
    },
    NETWORK_CUT_SOURCE_IN_COPY(Stage.CLONE, "network between Inflight and the source cut for a while, during the copy") {
        @Override
        Injected inject(Episode e) {
            String phase = inCopy(e, 0, 500);
            cut(e, e.rig.sourceProxy);
            return new Injected(phase, "source network cut, then restored");
        }
    },
    NETWORK_CUT_TARGET_IN_COPY(Stage.CLONE, "network between Inflight and the target cut for a while, during the copy") {
        @Override
        Injected inject(Episode e) {
            String phase = inCopy(e, 0, 500);
            cut(e, e.rig.targetProxy);
            return new Injected(phase, "target network cut, then restored");
        }
    },
    NETWORK_CUT_SOURCE_IN_STREAMING(Stage.STREAM, "network between Inflight and the source cut for a while, streaming") {
        @Override
        Injected inject(Episode e) {
            String phase = streaming(e);
            cut(e, e.rig.sourceProxy);
            return new Injected(phase, "source network cut, then restored");
        }
    },
    NETWORK_CUT_TARGET_IN_STREAMING(Stage.STREAM, "network between Inflight and the target cut for a while, streaming") {
        @Override
        Injected inject(Episode e) {
            String phase = streaming(e);
            cut(e, e.rig.targetProxy);
            return new Injected(phase, "target network cut, then restored");
        }
    };

    /** Whether the fault needs a fresh clone (it strikes before streaming) or a running stream. */
    enum Stage { CLONE, STREAM }

    /**
     * Where the fault struck (the migration's phase when it did), what it did, and what went wrong in the fault's
     * own checks (a cutover's rerun that did not finish, PgBouncer not routing to the target).
     */
    record Injected(String phase, String action, List<String> problems) {

        Injected(String phase, String action) {
            this(phase, action, List.of());
        }
    }

    private static final Duration PHASE_LIMIT = Duration.ofMinutes(3);
    private static final Set<String> LATER_THAN_SCHEMA = Set.of("copy", "post-data", "sequences", "cloned",
            "streaming");
    private static final Set<String> LATER_THAN_COPY = Set.of("post-data", "sequences", "cloned", "streaming");

    final Stage stage;
    final String description;

    Fault(Stage stage, String description) {
        this.stage = stage;
        this.description = description;
    }

    /** Whether this machine (or this version of Inflight) can have the fault. */
    boolean available(Rig rig) {
        return true;
    }

    /** Injects the fault into the episode's migration, blocking until the fault is over (the damage stays). */
    abstract Injected inject(Episode e);

    // ---- shared moves ------------------------------------------------------------------------------------------

    /** Waits for the copy and a random moment into it; returns the phase then. */
    private static String inCopy(Episode e, long minMs, long maxMs) {
        String phase = e.awaitPhase(Set.of("copy"), LATER_THAN_COPY, PHASE_LIMIT);
        Pause.between(e.random, minMs, maxMs);
        return phase;
    }

    /** Waits until the stream applies, then a random 0.3–2.5 s of it under the write load. */
    private static String streaming(Episode e) {
        String phase = e.awaitStreaming();
        Pause.between(e.random, 300, 2500);
        return phase;
    }

    private static void restart(Episode e, PostgresServer server, String mode) {
        server.stop(mode);
        Pause.between(e.random, 500, 2500);
        server.start();
    }

    private static void diskFull(Episode e) {
        SmallDisk disk = e.rig.disk.orElseThrow();
        disk.fill();
        try {
            Pause.between(e.random, 2000, 5000);
        } finally {
            disk.release();
        }
    }

    private static void cut(Episode e, TcpProxy proxy) {
        proxy.cut();
        try {
            Pause.between(e.random, 1500, 5000);
        } finally {
            proxy.restore();
        }
    }
}
