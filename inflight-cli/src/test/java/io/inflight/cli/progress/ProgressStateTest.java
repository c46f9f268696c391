package io.inflight.cli.progress;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.TableId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ProgressStateTest {

    private final AtomicLong now = new AtomicLong(0);
    private final ProgressState state = new ProgressState(now::get);
    private final TableId orders = TableId.of("shop", "orders");
    private final TableId items = TableId.of("shop", "order_items");
    private final TableId ledger = TableId.of("shop", "ledger");

    @Test
    void overallLineShowsTotalsRateAndEtaFromThePlan() {
        state.tableExpected(orders, 1000, 100_000);
        state.tableExpected(items, 3000, 300_000);
        state.phaseStarted("copy", "2 tables");
        state.tableStarted(orders, 1000, 100_000);
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        state.tableProgress(orders, 1000, 4_000_000);
        state.tableFinished(orders, 1000, 4_000_000);

        ProgressState.Snapshot s = state.snapshot();
        assertThat(s.tablesDone()).isEqualTo(1);
        assertThat(s.tablesTotal()).isEqualTo(2);
        assertThat(s.rows()).isEqualTo(1000);
        // 1000 of 4000 rows in 10 s: 30 s to go; 4 MB in 10 s.
        assertThat(ProgressRenderer.overallLine(s))
                .isEqualTo("copy: 1/2 tables, 1,000 rows, 4.0 MB, 400.0 kB/s, 25%, ETA 0:30");
    }

    @Test
    void activeTablesGetALineEach() {
        state.tableStarted(orders, 200, 0);
        now.addAndGet(Duration.ofSeconds(4).toNanos());
        state.tableProgress(orders, 50, 2_000_000);
        List<String> lines = ProgressRenderer.terminalLines(state.snapshot(), 200);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("shop.orders").contains("50/200 rows").contains("2.0 MB")
                .contains("500.0 kB/s").contains("25%").contains("ETA 0:12");
        assertThat(lines.get(1)).startsWith("copy: 0/1 tables");
    }

    @Test
    void skippedTablesCountAsDoneAndLeaveTheRowTotal() {
        state.tableExpected(orders, 1000, 0);
        state.tableExpected(ledger, 9000, 0);
        state.tableSkipped(ledger, "copied by an earlier run");
        state.tableStarted(orders, 1000, 0);
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        state.tableProgress(orders, 500, 500);
        ProgressState.Snapshot s = state.snapshot();
        assertThat(s.estimatedRows()).isEqualTo(1000);
        assertThat(ProgressRenderer.overallLine(s)).contains("1/2 tables (1 skipped)").contains("50%");
        assertThat(state.drainEvents()).extracting(ProgressState.Event::text)
                .containsExactly("skipped shop.ledger: copied by an earlier run");
    }

    @Test
    void eventsComeOutOnceInOrder() {
        state.phaseStarted("schema", "");
        state.warning("table shop.t has no primary key");
        state.tableStarted(orders, 10, 0);
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        state.tableFinished(orders, 10, 2000);
        List<ProgressState.Event> events = state.drainEvents();
        assertThat(events).extracting(ProgressState.Event::text).containsExactly("schema",
                "table shop.t has no primary key", "copied shop.orders: 10 rows, 2.0 kB in 2.0 s (1.0 kB/s)");
        assertThat(events.get(1).warning()).isTrue();
        assertThat(state.drainEvents()).isEmpty();
    }

    @Test
    void finishedTotalsWinOverPartialProgress() {
        state.tableStarted(orders, 0, 0);
        state.tableProgress(orders, 40, 400);
        state.tableFinished(orders, 100, 1000);
        assertThat(state.snapshot().rows()).isEqualTo(100);
        assertThat(state.snapshot().bytes()).isEqualTo(1000);
        assertThat(state.snapshot().active()).isEmpty();
    }

    @Test
    @Timeout(30)
    void concurrentWorkersLoseNothing() throws InterruptedException {
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            TableId t = TableId.of("s", "t" + w);
            workers.add(new Thread(() -> {
                state.tableStarted(t, 10_000, 0);
                for (int i = 0; i < 10_000; i++) {
                    state.tableProgress(t, 1, 10);
                }
                state.tableFinished(t, 10_000, 100_000);
            }));
        }
        workers.forEach(Thread::start);
        for (int i = 0; i < 100; i++) {
            state.snapshot();
            state.drainEvents();
        }
        for (Thread t : workers) {
            t.join();
        }
        ProgressState.Snapshot s = state.snapshot();
        assertThat(s.rows()).isEqualTo(80_000);
        assertThat(s.bytes()).isEqualTo(800_000);
        assertThat(s.tablesDone()).isEqualTo(8);
    }
}
