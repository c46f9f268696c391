package io.inflight.postgres.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inflight.core.InflightException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
