package io.inflight.cli.progress;

import io.inflight.core.TableId;
import io.inflight.core.progress.ProgressListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Collects what a clone reports, for a renderer to read. Worker threads call the listener methods
 * concurrently; they only touch adders, atomics and concurrent collections, never a lock, never I/O.
 * {@link #snapshot()} and {@link #drainEvents()} are for the single rendering thread.
 */
public final class ProgressState implements ProgressListener {

    /** A line worth keeping on screen or in the log: a phase, a finished table, a warning. */
    public record Event(String text, boolean warning) {
    }

    /** Steps (an index build, a validation) shorter than this are not reported one by one. */
    static final long NOTABLE_STEP_MILLIS = 1000;

    /** One table being copied, as the renderer sees it. */
    public record TableView(TableId table, long rows, long bytes, long estimatedRows, long estimatedBytes,
                            Duration elapsed) {
    }

    /** Everything at one instant. */
    public record Snapshot(String phase, List<TableView> active, int tablesDone, int tablesSkipped, int tablesTotal,
                           long rows, long bytes, long estimatedRows, long estimatedBytes, Duration copyElapsed) {
    }

    private static final class Table {
        final TableId id;
        final long estimatedRows;
        final long estimatedBytes;
        final long startNanos;
        final LongAdder rows = new LongAdder();
        final LongAdder bytes = new LongAdder();

        Table(TableId id, long estimatedRows, long estimatedBytes, long startNanos) {
            this.id = id;
            this.estimatedRows = estimatedRows;
            this.estimatedBytes = estimatedBytes;
            this.startNanos = startNanos;
        }
    }

    private final LongSupplier clock;
    private final Map<TableId, Table> active = new ConcurrentHashMap<>();
    private final Map<TableId, long[]> planned = new ConcurrentHashMap<>();
    private final Queue<Event> events = new ConcurrentLinkedQueue<>();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger skipped = new AtomicInteger();
    private final LongAdder rows = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    /** Rows and bytes of tables started but not in the plan, so totals stay sensible without one. */
    private final LongAdder unplannedRows = new LongAdder();
    private final LongAdder unplannedBytes = new LongAdder();
    private final AtomicInteger unplannedTables = new AtomicInteger();
    private final AtomicLong copyStart = new AtomicLong(Long.MIN_VALUE);
    private volatile String phase = "";

    public ProgressState() {
        this(System::nanoTime);
    }

    /** With a clock in nanoseconds, for tests. */
    public ProgressState(LongSupplier clock) {
        this.clock = clock;
    }

    /**
     * The tables the copy is expected to cover with their estimates, so the overall line can show a
     * total and an ETA from the start. Optional; call before the copy starts.
     */
    @Override
    public void tableExpected(TableId table, long estimatedRows, long estimatedBytes) {
        planned.put(table, new long[] {Math.max(0, estimatedRows), Math.max(0, estimatedBytes)});
    }

    @Override
    public void phaseStarted(String name, String detail) {
        phase = name;
        events.add(new Event(name + (detail == null || detail.isBlank() ? "" : ": " + detail), false));
    }

    @Override
    public void phaseFinished(String name, String detail) {
        events.add(new Event(name + " done" + (detail == null || detail.isBlank() ? "" : ": " + detail), false));
    }

    @Override
    public void tableStarted(TableId table, long estimatedRows, long estimatedBytes) {
        long now = clock.getAsLong();
        copyStart.compareAndSet(Long.MIN_VALUE, now);
        active.put(table, new Table(table, estimatedRows, estimatedBytes, now));
        if (!planned.containsKey(table)) {
            unplannedTables.incrementAndGet();
            unplannedRows.add(Math.max(0, estimatedRows));
            unplannedBytes.add(Math.max(0, estimatedBytes));
        }
    }

    @Override
    public void tableProgress(TableId table, long rowsDelta, long bytesDelta) {
        Table t = active.get(table);
        if (t != null) {
            t.rows.add(rowsDelta);
            t.bytes.add(bytesDelta);
        }
        rows.add(rowsDelta);
        bytes.add(bytesDelta);
    }

    @Override
    public void tableFinished(TableId table, long rowCount, long byteCount) {
        Table t = active.remove(table);
        done.incrementAndGet();
        Duration took = t == null ? Duration.ZERO : Duration.ofNanos(clock.getAsLong() - t.startNanos);
        if (t != null) {
            // Workers may report the last chunk only in the totals; make the aggregate agree with them.
            rows.add(rowCount - t.rows.sum());
            bytes.add(byteCount - t.bytes.sum());
        }
        events.add(new Event(String.format(java.util.Locale.ROOT, "copied %s: %s rows, %s in %s (%s/s)", table,
                ProgressMath.count(rowCount), ProgressMath.bytes(byteCount), ProgressMath.duration(took),
                ProgressMath.bytes(ProgressMath.perSecond(byteCount, took))), false));
    }

    @Override
    public void tableSkipped(TableId table, String reason) {
        skipped.incrementAndGet();
        // Its rows are not coming: keep it in the table count, drop it from the row and byte totals.
        planned.computeIfPresent(table, (k, v) -> new long[] {0, 0});
        events.add(new Event("skipped " + table + ": " + reason, false));
    }

    @Override
    public void stepFinished(String description, long millis) {
        // Hundreds of catalog steps take milliseconds each; a user wants to see the ones that cost time.
        if (millis < NOTABLE_STEP_MILLIS) {
            return;
        }
        events.add(new Event(description + " (" + ProgressMath.duration(Duration.ofMillis(millis)) + ")", false));
    }

    @Override
    public void warning(String message) {
        events.add(new Event(message, true));
    }

    /** Events since the previous call, oldest first. */
    public List<Event> drainEvents() {
        List<Event> out = new ArrayList<>();
        for (Event e; (e = events.poll()) != null; ) {
            out.add(e);
        }
        return out;
    }

    public Snapshot snapshot() {
        long now = clock.getAsLong();
        List<TableView> views = new ArrayList<>();
        for (Table t : active.values()) {
            views.add(new TableView(t.id, t.rows.sum(), t.bytes.sum(), t.estimatedRows, t.estimatedBytes,
                    Duration.ofNanos(now - t.startNanos)));
        }
        views.sort(Comparator.comparing(TableView::table));
        long estRows = unplannedRows.sum();
        long estBytes = unplannedBytes.sum();
        for (long[] p : planned.values()) {
            estRows += p[0];
            estBytes += p[1];
        }
        int skippedNow = skipped.get();
        int total = planned.isEmpty() ? unplannedTables.get() + skippedNow : planned.size() + unplannedTables.get();
        long start = copyStart.get();
        Duration copyElapsed = start == Long.MIN_VALUE ? Duration.ZERO : Duration.ofNanos(now - start);
        return new Snapshot(phase, List.copyOf(views), done.get(), skippedNow, total, rows.sum(), bytes.sum(),
                estRows, estBytes, copyElapsed);
    }
}
