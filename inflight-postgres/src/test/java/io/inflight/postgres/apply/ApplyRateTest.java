package io.inflight.postgres.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ApplyRateTest {

    private static long s(double seconds) {
        return (long) (seconds * TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void ratesTheLastTenSecondsOfCommits() {
        ApplyRate rate = new ApplyRate();
        assertThat(rate.at(s(0), 0)).isZero();
        assertThat(rate.at(s(1), 1_000)).isCloseTo(1_000, within(0.01));
        assertThat(rate.at(s(2), 3_000)).isCloseTo(1_500, within(0.01));
        // 20 s later at a lower pace: the early burst has left the window
        for (int i = 3; i <= 22; i++) {
            rate.at(s(i), 3_000 + (i - 2) * 100L);
        }
        assertThat(rate.at(s(23), 5_100)).isCloseTo(100, within(0.01));
    }

    @Test
    void aStallShowsAsTheRateFalling() {
        ApplyRate rate = new ApplyRate();
        rate.at(s(0), 0);
        rate.at(s(5), 5_000);
        assertThat(rate.at(s(10), 5_000)).isCloseTo(500, within(0.01));
        assertThat(rate.at(s(30), 5_000)).isZero();
    }
}
