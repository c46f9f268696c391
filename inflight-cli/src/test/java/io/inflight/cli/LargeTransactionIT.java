package io.inflight.cli;

import static io.inflight.testkit.TableContents.fingerprint;
import static io.inflight.testkit.TableContents.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One source transaction far bigger than the stream's heap streams through {@code inflight stream} running with
 * {@code -Xmx256m}: it arrives whole, in one target transaction (the target shows none of its rows, then all),
 * and the heap left after each garbage collection stays small whatever the transaction's size.
 *
 * <p>1,000,000 rows of about 100 bytes by default; {@code -Dinflight.largeTx.rows=5000000} runs the 5 M-row
 * version.
 */
@Timeout(1800)
class LargeTransactionIT {

    private static final int ROWS = Integer.getInteger("inflight.largeTx.rows", 1_000_000);
    private static final int BEFORE = 10;
    /**
     * Heap live after a marking collection that the stream may never exceed: half the heap, a fraction of what the
     * transaction's rows take as objects. What is held by design: the reader's queue (64 MB at most), the segment
     * being gathered and the one the write lane applies (16 MB each at most), and a segment waiting between them.
     */
    private static final long MAX_LIVE_HEAP_MB = 128;
    private static final Pattern GC_LINE = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    static PostgresServer source;
    static PostgresServer target;

    @TempDir
    Path temp;

    @BeforeAll
    static void servers() {
        source = PostgresServer.builder(13).setting("max_wal_size", "4GB").start();
        target = PostgresServer.builder(17).setting("max_wal_size", "4GB").start();
        source.createDatabase("big");
        target.createDatabase("big");
        source.execute("big", "CREATE TABLE wide (id bigint PRIMARY KEY, n int NOT NULL, label text NOT NULL,"
                        + " at timestamptz NOT NULL)",
                "INSERT INTO wide SELECT g, g, 'before', now() FROM generate_series(1, " + BEFORE + ") g");
    }

    @AfterAll
    static void stop() {
        if (target != null) {
            target.close();
        }
        if (source != null) {
            source.close();
        }
    }

    @Test
    void aTransactionLargerThanTheHeapStreamsThroughWholeInBoundedMemory() throws Exception {
        InflightProcess.start(source, "big", target, "big", temp.resolve("clone.log"), List.of(), "clone",
                "--jobs", "2").awaitSuccess(120);
        long t0 = System.nanoTime();
        // ~100 bytes a row: 8 + 4 + 65 (64 characters and a length byte) + 8, plus the tuple header
        source.execute("big", "INSERT INTO wide SELECT g, g % 100000, md5(g::text) || md5((g + 1)::text),"
                + " timestamptz '2024-01-01' + g * interval '1 second' FROM generate_series(" + (BEFORE + 1) + ", "
                + (BEFORE + ROWS) + ") g");
        System.out.printf("LargeTransactionIT: %,d-row source transaction committed in %.1f s%n", ROWS,
                (System.nanoTime() - t0) / 1e9);

        Path gcLog = temp.resolve("gc.log");
        Set<Long> seen = new ConcurrentSkipListSet<>();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> sample(seen, sampling), "target-count-sampler");
        long t1 = System.nanoTime();
        InflightProcess stream = InflightProcess.start(source, "big", target, "big", temp.resolve("stream.log"),
                List.of("-Xmx256m", "-Xlog:gc:file=" + gcLog, "-XX:+HeapDumpOnOutOfMemoryError",
                        "-XX:HeapDumpPath=" + temp), "stream", "--until-caught-up");
        sampler.start();
        try {
            stream.awaitSuccess(1500);
        } finally {
            sampling.set(false);
            sampler.join();
        }
        double seconds = (System.nanoTime() - t1) / 1e9;
        long maxLive = maxLiveHeapMb(gcLog);
        System.out.printf("LargeTransactionIT: %,d rows streamed in %.1f s (%,.0f rows/s), max heap after GC %d MB,"
                + " target counts seen %s%n", ROWS, seconds, ROWS / seconds, maxLive, seen);

        assertThat(stream.output()).doesNotContain("OutOfMemoryError");
        try (var files = Files.list(temp)) {
            assertThat(files.filter(p -> p.toString().endsWith(".hprof")).toList()).as("heap dumps").isEmpty();
        }
        assertThat(Files.readString(gcLog)).as("the collector ran").contains("Pause");
        assertThat(maxLive).as("heap live after GC (MB); GC log:\n%s", Files.readString(gcLog))
                .isLessThan(MAX_LIVE_HEAP_MB);
        // one target transaction: a reader sees none of the rows or all of them
        assertThat(seen).as("row counts seen on the target during the apply").isSubsetOf((long) BEFORE, (long) BEFORE + ROWS)
                .contains((long) BEFORE + ROWS);
        try (Connection s = source.connect("big"); Connection t = target.connect("big")) {
            assertThat(scalar(t, "SELECT count(*) FROM wide")).isEqualTo(String.valueOf(BEFORE + ROWS));
            assertThat(fingerprint(t, "public.wide")).isEqualTo(fingerprint(s, "public.wide"));
        }
    }

    /** Counts the target's rows over and over while the stream runs, and once after it ended. */
    private static void sample(Set<Long> seen, AtomicBoolean sampling) {
        try (Connection t = target.connect("big")) {
            do {
                seen.add(Long.parseLong(scalar(t, "SELECT count(*) FROM wide")));
                Thread.sleep(100);
            } while (sampling.get());
            seen.add(Long.parseLong(scalar(t, "SELECT count(*) FROM wide")));
        } catch (SQLException | InterruptedException e) {
            throw new IllegalStateException("sampling the target's row count", e);
        }
    }

    /** The largest heap occupancy right after a collection, from a {@code -Xlog:gc} file. */
    /**
     * The most heap found live. A young pause's "after" still counts the old generation's garbage, so once a
     * marking cycle or full collection has run, only those say what is live; until then the young pauses are
     * an upper bound.
     */
    static long maxLiveHeapMb(Path gcLog) throws Exception {
        long marked = -1;
        long young = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = GC_LINE.matcher(line);
            if (m.find()) {
                long after = mb(Long.parseLong(m.group(3)), m.group(4));
                if (line.contains("Pause Remark") || line.contains("Pause Full")) {
                    marked = Math.max(marked, after);
                } else {
                    young = Math.max(young, after);
                }
            }
        }
        return marked >= 0 ? marked : young;
    }

    private static long mb(long value, String unit) {
        return switch (unit) {
            case "K" -> value / 1024;
            case "G" -> value * 1024;
            default -> value;
        };
    }
}
