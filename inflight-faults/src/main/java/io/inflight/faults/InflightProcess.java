package io.inflight.faults;

import io.inflight.testkit.LauncherOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * One run of the real {@code inflight} jar as a user starts it: its own JVM with the launcher's options
 * ({@code inflight-cli/jvm.options}) and {@code -Xmx256m}, passwords in the environment, output to a log file.
 * {@code kill -9} is a real SIGKILL.
 */
final class InflightProcess {

    private final Process process;
    private final Path log;

    private InflightProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code java -jar jar <args>} with the two passwords, and {@code env}, in its environment. */
    static InflightProcess start(Path jar, List<String> args, String sourcePassword, String targetPassword,
            Map<String, String> env, Path log) {
        List<String> cmd = LauncherOptions.javaCommand(jar, List.of("-Xmx256m"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("INFLIGHT_SOURCE_PASSWORD", sourcePassword);
        pb.environment().put("INFLIGHT_TARGET_PASSWORD", targetPassword);
        pb.environment().putAll(env);
        try {
            return new InflightProcess(pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, then waits for the process to be gone. */
    void kill9() {
        process.destroyForcibly();
        awaitQuietly(30);
    }

    /** SIGTERM (what a service manager sends to stop it), then waits. */
    void terminate() {
        process.destroy();
        if (!awaitQuietly(60)) {
            kill9();
        }
    }

    /** The exit code once ended within {@code seconds}, else empty (still running). */
    OptionalInt awaitExit(long seconds) {
        return awaitQuietly(seconds) ? OptionalInt.of(process.exitValue()) : OptionalInt.empty();
    }

    /** The exit code if it has ended. */
    OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** The last lines of its log, stack frames left out, for a failure message. */
    String tail() {
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log).stream()
                    .filter(l -> !l.stripLeading().startsWith("at ") && !l.stripLeading().startsWith("... ")).toList()
                    : List.of();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    private boolean awaitQuietly(long seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
