package io.inflight.cli.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ProgressMathTest {

    @Test
    void fractionPrefersRowsAndCapsAtOne() {
        assertThat(ProgressMath.fraction(250, 1000, 1, 1_000_000).getAsDouble()).isEqualTo(0.25);
        assertThat(ProgressMath.fraction(0, -1, 300, 1200).getAsDouble()).isEqualTo(0.25);
        assertThat(ProgressMath.fraction(5000, 1000, 0, 0).getAsDouble()).isEqualTo(1.0);
        assertThat(ProgressMath.fraction(10, -1, 10, 0)).isEmpty();
    }

    @Test
    void etaExtrapolatesTheRateSoFar() {
        // A quarter done in 10 s: three quarters left take 30 s.
        assertThat(ProgressMath.eta(OptionalDouble.of(0.25), Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(30));
        assertThat(ProgressMath.eta(OptionalDouble.of(0.5), Duration.ofMinutes(2))).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void noEtaWithoutProgressOrPastTheEstimate() {
        assertThat(ProgressMath.eta(OptionalDouble.empty(), Duration.ofSeconds(10))).isNull();
        assertThat(ProgressMath.eta(OptionalDouble.of(0), Duration.ofSeconds(10))).isNull();
        assertThat(ProgressMath.eta(OptionalDouble.of(1), Duration.ofSeconds(10))).isNull();
    }

    @Test
    void rates() {
        assertThat(ProgressMath.perSecond(5_000_000, Duration.ofSeconds(2))).isEqualTo(2_500_000.0);
        assertThat(ProgressMath.perSecond(100, Duration.ZERO)).isZero();
    }

    @Test
    void sizes() {
        assertThat(ProgressMath.bytes(0)).isEqualTo("0 B");
        assertThat(ProgressMath.bytes(999)).isEqualTo("999 B");
        assertThat(ProgressMath.bytes(1000)).isEqualTo("1.0 kB");
        assertThat(ProgressMath.bytes(12_345_678)).isEqualTo("12.3 MB");
        assertThat(ProgressMath.bytes(999_999)).isEqualTo("1.0 MB");
        assertThat(ProgressMath.bytes(3.2e12)).isEqualTo("3.2 TB");
    }

    @Test
    void countsPercentsAndClocks() {
        assertThat(ProgressMath.count(1234567)).isEqualTo("1,234,567");
        assertThat(ProgressMath.percent(OptionalDouble.of(0.999))).isEqualTo("99%");
        assertThat(ProgressMath.percent(OptionalDouble.empty())).isEqualTo("?");
        assertThat(ProgressMath.clock(Duration.ofSeconds(7))).isEqualTo("0:07");
        assertThat(ProgressMath.clock(Duration.ofSeconds(754))).isEqualTo("12:34");
        assertThat(ProgressMath.clock(Duration.ofSeconds(3723))).isEqualTo("1:02:03");
        assertThat(ProgressMath.clock(null)).isEqualTo("--:--");
        assertThat(ProgressMath.duration(Duration.ofMillis(850))).isEqualTo("850 ms");
        assertThat(ProgressMath.duration(Duration.ofMillis(3400))).isEqualTo("3.4 s");
        assertThat(ProgressMath.duration(Duration.ofSeconds(125))).isEqualTo("2m05s");
    }

    @Test
    void fitCutsLongLines() {
        assertThat(ProgressMath.fit("abcdefghij", 6)).isEqualTo("abcde…");
        assertThat(ProgressMath.fit("abc", 6)).isEqualTo("abc");
    }
}
