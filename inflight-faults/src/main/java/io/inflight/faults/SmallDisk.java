package io.inflight.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small filesystem of its own (tmpfs) for the target's tablespace, so the target can run out of space without
 * touching the machine's disk: {@link #fill()} takes every free byte with a root-owned ballast file the server
 * cannot remove, {@link #release()} gives them back. Only the tablespace fills; the server's WAL lives elsewhere,
 * as on a production server whose data volume filled up.
 *
 * <p>Mounting needs root (or CAP_SYS_ADMIN); {@link #mount} says so with an empty result rather than failing.
 */
final class SmallDisk implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SmallDisk.class);

    private final Path dir;
    private final Path ballast;

    private SmallDisk(Path dir) {
        this.dir = dir;
        this.ballast = dir.resolve("ballast");
    }

    /** Mounts a tmpfs of {@code megabytes} at a fresh directory owned by {@code owner}, or empty if not allowed. */
    static Optional<SmallDisk> mount(int megabytes, String owner) {
        Path dir;
        try {
            dir = Files.createTempDirectory("inflight-faults-disk-");
        } catch (IOException e) {
            return Optional.empty();
        }
        String mounted = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m,mode=0700", "tmpfs",
                dir.toString()));
        if (mounted != null) {
            log.warn("no small disk for the disk-full faults ({}); they are left out", mounted);
            dir.toFile().delete();
            return Optional.empty();
        }
        String chown = run(List.of("chown", owner, dir.toString()));
        if (chown != null) {
            run(List.of("umount", dir.toString()));
            log.warn("cannot hand the small disk to {}: {}", owner, chown);
            return Optional.empty();
        }
        return Optional.of(new SmallDisk(dir));
    }

    /** Where the tablespace goes: empty and owned by the server's user, as CREATE TABLESPACE wants. */
    Path tablespaceDir() {
        return dir;
    }

    /**
     * Takes all free space but a few kilobytes; the server's next file extension fails with "No space left". The
     * server may be writing meanwhile, so a ballast that no longer fits is tried again a little smaller.
     */
    void fill() {
        String failed = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            long free;
            try {
                free = Files.getFileStore(dir).getUsableSpace();
            } catch (IOException e) {
                throw new IllegalStateException("cannot fill " + dir + ": " + e.getMessage(), e);
            }
            long size = Math.max(0, free - 8192 - attempt * (1L << 20));
            failed = run(List.of("fallocate", "-l", Long.toString(size), ballast.toString()));
            if (failed == null) {
                return;
            }
            release();
        }
        throw new IllegalStateException("cannot fill " + dir + ": " + failed);
    }

    /** Gives the space back. */
    void release() {
        try {
            Files.deleteIfExists(ballast);
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove " + ballast + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        release();
        String failed = run(List.of("umount", "-l", dir.toString()));
        if (failed != null) {
            log.warn("cannot unmount {}: {}", dir, failed);
        }
        dir.toFile().delete();
    }

    /** Runs a command; null when it succeeded, else what went wrong. */
    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", command) + " timed out";
            }
            return p.exitValue() == 0 ? null : String.join(" ", command) + ": exit " + p.exitValue() + " " + out;
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
