package io.inflight.cli.progress;

import io.inflight.core.TableId;
import io.inflight.core.progress.ProgressListener;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows a job's progress to a person. On a terminal, a block of lines redrawn twice a second (one per
 * active table plus an overall line), with phases and finished tables scrolling above it; elsewhere,
 * log lines: one per event and an overall line every five seconds.
 *
 * <p>Thread-safe. Workers only update {@link ProgressState}; all output happens on one scheduler
 * thread, so no worker ever waits on a console. Close it to stop the thread and flush what is left.
 */
public final class ConsoleProgress implements ProgressListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("io.inflight.progress");
    private static final String UP_AND_CLEAR = "\033[1A\033[2K";

    /** How progress is shown. */
    public enum Mode { TERMINAL, LOG, QUIET }

    private final ProgressState state;
    private final Mode mode;
    private final PrintWriter out;
    private final int width;
    private final ScheduledExecutorService scheduler;
    private int drawnLines;
    private volatile Supplier<List<String>> liveLines = List::of;
    private long lastLogNanos = System.nanoTime();

    private ConsoleProgress(ProgressState state, Mode mode, PrintWriter out, int width) {
        this.state = state;
        this.mode = mode;
        this.out = out;
        this.width = width;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "inflight-progress");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::tick, 500, 500, TimeUnit.MILLISECONDS);
    }

    /** A display on {@code out} (normally stderr), in the mode that fits where it goes. */
    public static ConsoleProgress start(boolean quiet, PrintWriter out) {
        Mode mode = quiet ? Mode.QUIET : isTerminal() ? Mode.TERMINAL : Mode.LOG;
        return new ConsoleProgress(new ProgressState(), mode, out, terminalWidth());
    }

    public static ConsoleProgress start(Mode mode, PrintWriter out) {
        return new ConsoleProgress(new ProgressState(), mode, out, terminalWidth());
    }

    /** True when a person watches: a console, and a terminal that understands cursor movement. */
    public static boolean isTerminal() {
        String term = System.getenv("TERM");
        return System.console() != null && term != null && !term.isBlank()
                && !term.toLowerCase(Locale.ROOT).equals("dumb");
    }

    private static int terminalWidth() {
        try {
            String columns = System.getenv("COLUMNS");
            return columns == null ? 120 : Math.max(40, Integer.parseInt(columns.strip()));
        } catch (NumberFormatException e) {
            return 120;
        }
    }

    public Mode mode() {
        return mode;
    }

    /**
     * Lines about something other than tables (e.g. the stream's lag) shown below the table lines on a terminal,
     * and logged with the overall line otherwise. Called on the display thread.
     */
    public void showLive(Supplier<List<String>> lines) {
        this.liveLines = lines;
    }

    @Override
    public void tableExpected(TableId table, long estimatedRows, long estimatedBytes) {
        state.tableExpected(table, estimatedRows, estimatedBytes);
    }

    public ProgressState.Snapshot snapshot() {
        return state.snapshot();
    }

    // ---- ProgressListener: record only --------------------------------------------------------

    @Override
    public void phaseStarted(String phase, String detail) {
        state.phaseStarted(phase, detail);
    }

    @Override
    public void phaseFinished(String phase, String detail) {
        state.phaseFinished(phase, detail);
    }

    @Override
    public void tableStarted(TableId table, long estimatedRows, long estimatedBytes) {
        state.tableStarted(table, estimatedRows, estimatedBytes);
    }

    @Override
    public void tableProgress(TableId table, long rowsDelta, long bytesDelta) {
        state.tableProgress(table, rowsDelta, bytesDelta);
    }

    @Override
    public void tableFinished(TableId table, long rows, long bytes) {
        state.tableFinished(table, rows, bytes);
    }

    @Override
    public void tableSkipped(TableId table, String reason) {
        state.tableSkipped(table, reason);
    }

    @Override
    public void stepFinished(String description, long millis) {
        state.stepFinished(description, millis);
    }

    @Override
    public void warning(String message) {
        state.warning(message);
    }

    // ---- rendering, on the scheduler thread only ----------------------------------------------

    private void tick() {
        try {
            render(false);
        } catch (RuntimeException e) {
            // A display fault must never stop the job; say it once in the debug log.
            log.debug("progress display failed", e);
        }
    }

    private void render(boolean last) {
        List<ProgressState.Event> events = state.drainEvents();
        switch (mode) {
            case TERMINAL -> renderTerminal(events, last);
            case LOG -> renderLog(events);
            case QUIET -> events.stream().filter(ProgressState.Event::warning).forEach(e -> log.warn(e.text()));
            default -> throw new IllegalStateException(mode.name());
        }
    }

    private void renderTerminal(List<ProgressState.Event> events, boolean last) {
        ProgressState.Snapshot s = state.snapshot();
        StringBuilder sb = new StringBuilder();
        sb.append(UP_AND_CLEAR.repeat(drawnLines));
        for (ProgressState.Event e : events) {
            sb.append(e.warning() ? "warning: " : "").append(ProgressMath.fit(e.text(), width)).append('\n');
        }
        drawnLines = 0;
        if (!last && !s.active().isEmpty()) {
            for (String line : ProgressRenderer.terminalLines(s, width)) {
                sb.append(line).append('\n');
                drawnLines++;
            }
        }
        if (!last) {
            for (String line : liveLines.get()) {
                sb.append(ProgressMath.fit(line, width)).append('\n');
                drawnLines++;
            }
        }
        out.print(sb);
        out.flush();
    }

    private void renderLog(List<ProgressState.Event> events) {
        for (ProgressState.Event e : events) {
            if (e.warning()) {
                log.warn(e.text());
            } else {
                log.info(e.text());
            }
        }
        long now = System.nanoTime();
        if (now - lastLogNanos >= TimeUnit.SECONDS.toNanos(5)) {
            lastLogNanos = now;
            ProgressState.Snapshot s = state.snapshot();
            if (!s.active().isEmpty()) {
                log.info(ProgressRenderer.overallLine(s));
            }
            liveLines.get().forEach(log::info);
        }
    }

    /** Stops the display: what is pending is printed, the live block is cleared. */
    @Override
    public void close() {
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(2, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        render(true);
    }
}
