package io.inflight.postgres.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.TableId;
import io.inflight.postgres.work.WorkSlots;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ParallelStepsTest {

    private static DdlStep step(String id, Set<String> after, Set<String> locks) {
        return new DdlStep(id, "step " + id, List.of(), after, locks, null, null);
    }

    @Test
    void runsStepsInParallelButAfterTheirDependenciesAndNeverTwoOnOneTable() {
        List<String> finished = Collections.synchronizedList(new ArrayList<>());
        Set<String> holding = ConcurrentHashMap.newKeySet();
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        List<DdlStep> steps = List.of(
                step("idx1", Set.of(), Set.of()), step("idx2", Set.of(), Set.of()), step("idx3", Set.of(), Set.of()),
                step("pk", Set.of("idx1"), Set.of("t")), step("fk", Set.of("pk"), Set.of("t", "u")),
                step("trigger", Set.of(), Set.of("t")), step("owner", Set.of(), Set.of("u")));

        new ParallelSteps(steps, 3, () -> null, (c, s) -> {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            for (String lock : s.locks()) {
                assertThat(holding.add(lock)).as("two steps hold " + lock).isTrue();
            }
            sleep(30);
            s.locks().forEach(holding::remove);
            concurrent.decrementAndGet();
            finished.add(s.id());
        }).run();

        assertThat(finished).hasSize(7);
        assertThat(finished.indexOf("pk")).isGreaterThan(finished.indexOf("idx1"));
        assertThat(finished.indexOf("fk")).isGreaterThan(finished.indexOf("pk"));
        assertThat(maxConcurrent.get()).isBetween(2, 3);
    }

    @Test
    void theFirstFailureStopsTheRunAndIsRethrown() {
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        List<DdlStep> steps = List.of(step("a", Set.of(), Set.of()), step("b", Set.of("a"), Set.of()));

        assertThatThrownBy(() -> new ParallelSteps(steps, 2, () -> null, (c, s) -> {
            ran.add(s.id());
            throw new IllegalStateException("boom in " + s.id());
        }).run()).hasMessage("boom in a");
        assertThat(ran).containsExactly("a");
    }

    @Test
    void stepsWaitingOnStepsThatNeverRunAreReported() {
        List<DdlStep> steps = List.of(step("a", Set.of("missing"), Set.of()));

        assertThatThrownBy(() -> new ParallelSteps(steps, 2, () -> null, (c, s) -> { }).run())
                .isInstanceOf(InflightException.class).hasMessageContaining("step a");
    }

    @Test
    void aStepWaitsForTheRowsOfItsTablesAndStepsNamingNoTableForTheWholeCopy() throws Exception {
        TableId t = new TableId("public", "t");
        TableId u = new TableId("public", "u");
        DataGate gate = new DataGate(List.of(t, u));
        List<String> started = Collections.synchronizedList(new ArrayList<>());
        List<DdlStep> steps = List.of(step("index on u", Set.of(), Set.of()), step("index on t", Set.of(), Set.of()),
                step("fk t to u", Set.of(), Set.of("t", "u")), step("view", Set.of(), Set.of()));
        Map<String, Set<TableId>> needs = Map.of("index on u", Set.of(u), "index on t", Set.of(t),
                "fk t to u", Set.of(t, u));
        ParallelSteps steps2 = new ParallelSteps(steps, 2, () -> null, (c, s) -> started.add(s.id()), gate, needs,
                WorkSlots.withoutCopy(2));
        Thread runner = new Thread(steps2::run);
        runner.start();

        gate.copied(t);
        waitFor(() -> started.contains("index on t"));
        Thread.sleep(100);
        assertThat(started).containsExactly("index on t");
        gate.copied(u);
        waitFor(() -> started.size() == 3);
        Thread.sleep(100);
        assertThat(started).doesNotContain("view");
        gate.complete();
        runner.join(5000);
        assertThat(started).hasSize(4).endsWith("view");
    }

    @Test
    void anAbortedGateStopsTheWaitingSteps() throws Exception {
        DataGate gate = new DataGate(List.of(new TableId("public", "t")));
        List<String> started = Collections.synchronizedList(new ArrayList<>());
        ParallelSteps steps = new ParallelSteps(List.of(step("index", Set.of(), Set.of())), 2, () -> null,
                (c, s) -> started.add(s.id()), gate, Map.of("index", Set.of(new TableId("public", "t"))),
                WorkSlots.withoutCopy(2));
        List<Throwable> thrown = Collections.synchronizedList(new ArrayList<>());
        Thread runner = new Thread(() -> {
            try {
                steps.run();
            } catch (RuntimeException e) {
                thrown.add(e);
            }
        });
        runner.start();
        Thread.sleep(100);
        gate.abort();
        runner.join(5000);
        assertThat(started).isEmpty();
        assertThat(thrown).singleElement().satisfies(e -> assertThat(((InflightException) e).code())
                .isEqualTo(ErrorCode.INTERRUPTED));
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            Thread.sleep(5);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
