package io.inflight.postgres.verify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class RateLimiterTest {

    @Test
    @Timeout(10)
    void readsBeyondTheBudgetWait() throws InterruptedException {
        RateLimiter limiter = new RateLimiter(1000);
        long start = System.nanoTime();
        limiter.acquire(500);
        limiter.acquire(500);
        limiter.acquire(1);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(millis).as("1000 rows at 1000/s before the last read").isBetween(900L, 3000L);
    }

    @Test
    void noLimitNeverWaits() throws InterruptedException {
        RateLimiter limiter = new RateLimiter(0);
        long start = System.nanoTime();
        limiter.acquire(1_000_000_000);
        assertThat(limiter.limited()).isFalse();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(100);
    }
}
