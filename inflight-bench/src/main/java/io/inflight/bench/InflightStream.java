package io.inflight.bench;

import io.inflight.testkit.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Inflight as a user runs it: the CLI's own jar in separate JVMs, {@code clone} once, then {@code stream}
 * started and stopped as the benchmark needs. Stopping sends SIGTERM, on which {@code stream} commits what
 * it applied and exits; a later start continues from there. Passwords travel in the environment.
 */
final class InflightStream {

    /** The slot {@code inflight clone} creates on the source (its default name). */
    static final String SLOT = "inflight";
    /** The publication {@code inflight clone} creates on the source and {@code inflight stream} reads (its default name). */
    static final String PUBLICATION = "inflight";
    private static final Duration CLONE_LIMIT = Duration.ofHours(1);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(60);

    private final Path jar;
    private final PostgresServer source;
    private final String sourceDatabase;
    private final PostgresServer target;
    private final String targetDatabase;
    private final Path workDir;
    private final Optional<Path> jfrDir;
    private int starts;

    InflightStream(Path jar, PostgresServer source, String sourceDatabase, PostgresServer target, String targetDatabase,
                   Path workDir, Optional<Path> jfrDir) {
        this.jar = jar;
        this.source = source;
        this.sourceDatabase = sourceDatabase;
        this.target = target;
        this.targetDatabase = targetDatabase;
        this.workDir = workDir;
        this.jfrDir = jfrDir;
    }

    /** {@code inflight clone --jobs 2} into the (empty) target database; throws when it fails. */
    void cloneOnce() {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: build it with `mvn -q -B -DskipTests package`");
        }
        Prepared clone = prepare(List.of(), "clone", "--jobs", "2", "--quiet");
        clone.builder().redirectOutput(workDir.resolve("inflight-clone.out").toFile());
        Processes.Outcome outcome = clone.run(CLONE_LIMIT);
        if (!outcome.ok()) {
            throw new IllegalStateException("inflight clone " + outcome.describe());
        }
    }

    /** Starts {@code inflight stream} (until stopped); the returned handle stops it. */
    Running start() {
        return start(new String[0]);
    }

    /** Starts {@code inflight stream} with extra options (e.g. {@code --reverse}); the handle stops it. */
    Running start(String... extra) {
        starts++;
        List<String> jvm = new ArrayList<>();
        jfrDir.ifPresent(d -> jvm.add("-XX:StartFlightRecording=settings=profile,filename="
                + d.resolve("inflight-stream-" + starts + ".jfr")));
        Path log = workDir.resolve("inflight-stream-" + starts + ".log");
        List<String> args = new ArrayList<>(List.of("--quiet"));
        args.addAll(List.of(extra));
        Prepared stream = prepare(jvm, "stream", args.toArray(String[]::new));
        stream.builder().redirectErrorStream(true).redirectOutput(log.toFile());
        try {
            return new Running(stream.builder().start(), log, stream.launch());
        } catch (IOException e) {
            stream.launch().ended(-1);
            throw new UncheckedIOException("cannot start inflight stream", e);
        }
    }

    /** {@code inflight <command> --source .. --target .. <args>}, passwords in the environment. */
    Prepared prepare(String command, String... args) {
        return prepare(List.of(), command, args);
    }

    private Prepared prepare(List<String> jvmArgs, String command, String... args) {
        InflightJvm.Launch launch = InflightJvm.launch(jar, jvmArgs, command);
        List<String> cmd = new ArrayList<>(launch.command());
        cmd.addAll(List.of(command, "--source", InflightClone.url(source, sourceDatabase),
                "--target", InflightClone.url(target, targetDatabase)));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("INFLIGHT_SOURCE_PASSWORD", source.password());
        pb.environment().put("INFLIGHT_TARGET_PASSWORD", target.password());
        return new Prepared(pb, launch);
    }

    /** One {@code inflight} run, ready to start: the caller may still redirect its output or add to its environment. */
    record Prepared(ProcessBuilder builder, InflightJvm.Launch launch) {

        /** Runs it to its end ({@link Processes#run}); the class-data archive it recorded is kept if it did its work. */
        Processes.Outcome run(Duration limit) {
            int exit = -1;
            try {
                Processes.Outcome outcome = Processes.run(builder, limit);
                exit = outcome.exitCode();
                return outcome;
            } finally {
                launch.ended(exit);
            }
        }
    }

    /** A running {@code inflight stream} process. */
    static final class Running {
        private final Process process;
        private final Path log;
        private final InflightJvm.Launch launch;

        private Running(Process process, Path log, InflightJvm.Launch launch) {
            this.process = process;
            this.log = log;
            this.launch = launch;
        }

        /** The CPU ticks its JVM used so far, all threads together; 0 once it has ended. */
        long cpuTicks() {
            return ProcCpu.read(process.pid()).map(ProcCpu.Stat::own).orElse(0L);
        }

        /** Throws, with the end of its output, when the process has exited (it never should by itself). */
        void checkAlive() {
            if (!process.isAlive()) {
                launch.ended(process.exitValue());
                throw new IllegalStateException("inflight stream exited with " + process.exitValue() + ": " + tail());
            }
        }

        /** Waits for the process to end by itself (a cutover took the stream over); throws if it does not. */
        void awaitExit(Duration limit) {
            try {
                if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    launch.ended(-1);
                    throw new IllegalStateException("inflight stream did not end within " + limit.toSeconds()
                            + " s of being taken over: " + tail());
                }
                launch.ended(process.exitValue());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                launch.ended(-1);
                throw new IllegalStateException("interrupted while waiting for inflight stream", e);
            }
        }

        /**
         * SIGTERM, then waits for the exit: the stream commits what it applied first. 143 (ended by the
         * signal, after the shutdown hook let the stream finish) counts as a clean stop, like 0.
         */
        void stop() {
            process.destroy();
            try {
                if (!process.waitFor(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    launch.ended(-1);
                    throw new IllegalStateException("inflight stream did not stop within " + STOP_LIMIT.toSeconds()
                            + " s of SIGTERM: " + tail());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                launch.ended(-1);
                throw new IllegalStateException("interrupted while stopping inflight stream", e);
            }
            int exit = process.exitValue();
            launch.ended(exit);
            if (exit != 0 && exit != 143) {
                throw new IllegalStateException("inflight stream exited with " + exit + " on SIGTERM: " + tail());
            }
        }

        private String tail() {
            try {
                String text = Files.readString(log, StandardCharsets.UTF_8);
                return text.length() <= 800 ? text.strip() : "..." + text.substring(text.length() - 800).strip();
            } catch (IOException e) {
                return "(no output: " + e.getMessage() + ")";
            }
        }
    }
}
