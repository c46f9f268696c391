package io.inflight.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs external commands to completion with a time limit. Standard error goes to a file (never a pipe
 * nobody reads, which would block a chatty tool) and comes back as the tail of its text.
 */
final class Processes {

    private static final Logger log = LoggerFactory.getLogger(Processes.class);

    /** How a command ended: its exit code and the end of what it wrote to standard error. */
    record Outcome(int exitCode, String stderrTail) {
        boolean ok() {
            return exitCode == 0;
        }

        /** "exit 2: the error text", for reports. */
        String describe() {
            return "exit " + exitCode + (stderrTail.isBlank() ? "" : ": " + stderrTail.strip());
        }
    }

    private static final int TAIL_CHARS = 600;

    private Processes() {
    }

    /** Runs one command; its standard output goes where {@code builder} says. */
    static Outcome run(ProcessBuilder builder, Duration timeout) {
        return pipeline(List.of(builder), timeout).get(0);
    }

    /**
     * Runs commands connected stdout-to-stdin, like a shell pipe, and waits for all of them.
     * The outcomes come back in the order of the commands.
     */
    static List<Outcome> pipeline(List<ProcessBuilder> builders, Duration timeout) {
        List<Path> errFiles = new ArrayList<>();
        try {
            for (ProcessBuilder b : builders) {
                Path err = Files.createTempFile("bench-stderr", ".txt");
                errFiles.add(err);
                b.redirectError(err.toFile());
            }
            List<Process> processes = ProcessBuilder.startPipeline(builders);
            long deadline = System.nanoTime() + timeout.toNanos();
            List<Outcome> outcomes = new ArrayList<>();
            for (int i = 0; i < processes.size(); i++) {
                Process p = processes.get(i);
                long left = Math.max(0, deadline - System.nanoTime());
                if (!p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    processes.forEach(Process::destroyForcibly);
                    throw new IllegalStateException(builders.get(i).command().get(0) + " did not finish within "
                            + timeout.toMinutes() + " min");
                }
                outcomes.add(new Outcome(p.exitValue(), tail(errFiles.get(i))));
                keepLog(builders.get(i), errFiles.get(i));
            }
            return outcomes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + builders.get(0).command().get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + builders.get(0).command().get(0), e);
        } finally {
            errFiles.forEach(Processes::deleteQuietly);
        }
    }

    /**
     * With {@code BENCH_KEEP_LOGS=DIR} in the environment, each command's standard error is kept there
     * (named after the command and the time), for reading a tool's own timeline after a run.
     */
    static String keepLogsDir() {
        String dir = System.getenv("BENCH_KEEP_LOGS");
        return dir == null || dir.isBlank() ? null : dir;
    }

    /** Best effort: a log that cannot be kept is reported, and the run it belongs to goes on. */
    private static void keepLog(ProcessBuilder builder, Path err) {
        String dir = keepLogsDir();
        if (dir == null) {
            return;
        }
        List<String> command = builder.command();
        String name = Path.of(command.get(0)).getFileName() + (command.contains("-jar")
                && command.indexOf("-jar") + 2 < command.size() ? "-" + command.get(command.indexOf("-jar") + 2) : "");
        try {
            Path into = Files.createDirectories(Path.of(dir));
            // Commands of one pipeline end within the same millisecond: the name must not depend on time alone.
            Files.copy(err, Files.createTempFile(into, name + "-" + System.currentTimeMillis() + "-", ".log"),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.warn("could not keep the standard error of {} in {}: {}", name, dir, e.toString());
        }
    }

    /** The end of a text file: the last few hundred characters a tool wrote to standard error. */
    static String tail(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return text.length() <= TAIL_CHARS ? text : "..." + text.substring(text.length() - TAIL_CHARS);
    }

    static void deleteQuietly(Path path) {
        try {
            if (Files.isDirectory(path)) {
                try (var all = Files.walk(path)) {
                    for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            } else {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // a leftover temp file is not worth failing a benchmark for
        }
    }
}
