package io.inflight.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * CPU time of processes as Linux accounts it in {@code /proc/<pid>/stat}, in clock ticks: exact, unlike
 * sampling, and covering every thread of a process. Read by the harness, which runs as root on the host of
 * both servers, so it sees every PostgreSQL process.
 */
final class ProcCpu {

    private static final Path PROC = Path.of("/proc");
    /** Clock ticks per second, the unit of the stat file's times: {@code getconf CLK_TCK}, 100 on every usual kernel. */
    static final long TICKS_PER_SECOND = ticksPerSecond();
    /** How often a tree is re-read when one of its processes ended while it was being read. */
    private static final int TREE_ATTEMPTS = 5;

    private ProcCpu() {
    }

    /**
     * The times of one process, in clock ticks: its own ({@code utime}, {@code stime}, all its threads
     * included) and those of the children it waited for ({@code cutime}, {@code cstime}: the whole CPU of
     * each, their own reaped children included).
     */
    record Stat(long pid, long ppid, long utime, long stime, long cutime, long cstime) {

        long own() {
            return utime + stime;
        }

        /** The time of the children it reaped. */
        long reaped() {
            return cutime + cstime;
        }

        /** Its own time and that of the children it reaped: everything it and its ended descendants used. */
        long withReaped() {
            return own() + reaped();
        }

        /**
         * Parses one {@code /proc/<pid>/stat} line. The second field, the command name in parentheses, may itself
         * hold spaces and parentheses ("postgres: walsender (x)"), so the fields are counted from the last ')'.
         */
        static Stat parse(String line) {
            int open = line.indexOf('(');
            int close = line.lastIndexOf(')');
            if (open < 1 || close < open) {
                throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + line);
            }
            // after the name: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
            String[] f = line.substring(close + 1).trim().split(" +");
            if (f.length < 15) {
                throw new IllegalArgumentException("a /proc/<pid>/stat line with " + (f.length + 2) + " fields: " + line);
            }
            return new Stat(Long.parseLong(line.substring(0, open).trim()), Long.parseLong(f[1]), Long.parseLong(f[11]),
                    Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14]));
        }
    }

    /** The process's times, or empty when it no longer exists. */
    static Optional<Stat> read(long pid) {
        try {
            return Optional.of(Stat.parse(Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"),
                    StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            return Optional.empty(); // it ended (or never was): it has no time of its own left to read
        }
    }

    /**
     * The CPU ticks used so far by {@code parent} and its children: the parent's own and reaped times plus
     * those of each living child (own and reaped), except the children in {@code leaveOut}. A child that ends
     * between the reads would be missed or counted twice, so the tree is read again until the parent reaped
     * nothing meanwhile. Grandchildren still alive are not counted: a postmaster's children do not fork.
     */
    static long treeTicks(long parent, Set<Long> leaveOut) {
        for (int attempt = 1; ; attempt++) {
            Stat before = read(parent).orElseThrow(() -> new IllegalStateException("process " + parent + " is gone"));
            long children = 0;
            try (DirectoryStream<Path> all = Files.newDirectoryStream(PROC, p -> isPid(p.getFileName().toString()))) {
                for (Path p : all) {
                    long pid = Long.parseLong(p.getFileName().toString());
                    Optional<Stat> s = leaveOut.contains(pid) ? Optional.empty() : read(pid);
                    if (s.isPresent() && s.get().ppid() == parent) {
                        children += s.get().withReaped();
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
            }
            Stat after = read(parent).orElseThrow(() -> new IllegalStateException("process " + parent + " is gone"));
            if (after.reaped() == before.reaped() || attempt == TREE_ATTEMPTS) {
                return after.withReaped() + children;
            }
        }
    }

    static double seconds(long ticks) {
        return (double) ticks / TICKS_PER_SECOND;
    }

    private static boolean isPid(String name) {
        return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }

    private static long ticksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? Long.parseLong(out) : 100;
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }

    /**
     * Follows processes that may end before they can be read for the last time (a walsender whose reader
     * disconnected): keeps the last ticks read of each pid, so their sum is what they used up to the last
     * sample. Each must have started after the follower did. Not thread-safe.
     */
    static final class Follower {

        private final Map<Long, Long> last = new HashMap<>();

        void sample(long pid) {
            read(pid).ifPresent(s -> last.put(pid, s.own()));
        }

        long ticks() {
            return last.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
