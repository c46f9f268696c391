package io.inflight.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatsTest {

    private static Duration s(double seconds) {
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    @Test
    void medianOfAnOddCountIsTheMiddleValueWhateverTheOrder() {
        assertThat(Stats.median(List.of(s(34), s(30), s(41)))).hasValue(s(34));
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Stats.median(List.of(s(10), s(4), s(2), s(7)))).hasValue(s(5.5));
    }

    @Test
    void medianOfNothingIsEmpty() {
        assertThat(Stats.median(List.of())).isEmpty();
    }

    @Test
    void medianOfNumbersLikeThatOfDurationsAndLeavesItsArgumentAlone() {
        double[] values = {1.9, 1.2, 1.5};
        assertThat(Stats.median(values)).hasValue(1.5);
        assertThat(values).containsExactly(1.9, 1.2, 1.5);
        assertThat(Stats.median(new double[] {4, 1, 2, 3})).hasValue(2.5);
        assertThat(Stats.median(new double[0])).isEmpty();
    }

    @Test
    void ratioDividesAndIsEmptyWhenASideIsMissingOrZero() {
        assertThat(Stats.ratio(Optional.of(s(12)), Optional.of(s(30))).getAsDouble()).isCloseTo(0.4, within(1e-9));
        assertThat(Stats.ratio(Optional.empty(), Optional.of(s(30)))).isEmpty();
        assertThat(Stats.ratio(Optional.of(s(12)), Optional.empty())).isEmpty();
        assertThat(Stats.ratio(Optional.of(s(12)), Optional.of(Duration.ZERO))).isEmpty();
    }
}
