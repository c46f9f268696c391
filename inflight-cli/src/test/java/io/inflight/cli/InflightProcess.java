package io.inflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.testkit.LauncherOptions;
import io.inflight.testkit.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real shaded {@code inflight} jar run as a child process (so that {@code kill -9}, SIGTERM and {@code -Xmx}
 * are real), its stdout and stderr going to a log file. Passwords travel in the environment only, as users give
 * them.
 */
final class InflightProcess {

    private final Process process;
    private final Path log;

    private InflightProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code java @jvm.options <jvmOptions> -jar inflight.jar <command> --source ... --target ... <args>},
     * with the launcher's JVM options as a user runs it.
     *
     * @param log file receiving the process's stdout and stderr
     */
    static InflightProcess start(PostgresServer source, String sourceDb, PostgresServer target, String targetDb,
                                 Path log, List<String> jvmOptions, String command, String... args)
            throws IOException {
        return start(source, sourceDb, target, targetDb, log, jvmOptions, command, args, null);
    }

    /** Like {@link #start}, with PgBouncer's console password in INFLIGHT_PGBOUNCER_PASSWORD (when not null). */
    static InflightProcess start(PostgresServer source, String sourceDb, PostgresServer target, String targetDb,
                                 Path log, List<String> jvmOptions, String command, String[] args,
                                 String pgbouncerPassword) throws IOException {
        Path jar = Paths.get("target", "inflight.jar").toAbsolutePath();
        assertThat(jar).exists();
        List<String> cmd = LauncherOptions.javaCommand(jar, jvmOptions);
        cmd.addAll(List.of(command, "--source", uri(source, sourceDb), "--target", uri(target, targetDb)));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("INFLIGHT_SOURCE_PASSWORD", source.password());
        pb.environment().put("INFLIGHT_TARGET_PASSWORD", target.password());
        if (pgbouncerPassword != null) {
            pb.environment().put("INFLIGHT_PGBOUNCER_PASSWORD", pgbouncerPassword);
        }
        return new InflightProcess(pb.start(), log);
    }

    static String uri(PostgresServer pg, String db) {
        return "postgresql://" + PostgresServer.SUPERUSER + "@127.0.0.1:" + pg.port() + "/" + db;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no final commit, no goodbye to either server. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("killed process ended").isTrue();
    }

    /** SIGTERM, as {@code kill} and service managers send it; returns the exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("process ended after SIGTERM:\n%s", output()).isTrue();
        return process.exitValue();
    }

    /** Waits for the process to end by itself and returns its exit code. */
    int await(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("inflight did not finish within " + seconds + " s:\n" + output());
        }
        return process.exitValue();
    }

    /** Waits for a zero exit code, failing with the process's output otherwise. */
    void awaitSuccess(long seconds) throws InterruptedException {
        int code = await(seconds);
        assertThat(code).as("exit code of inflight; its output:\n%s", output()).isZero();
    }

    String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }
}
