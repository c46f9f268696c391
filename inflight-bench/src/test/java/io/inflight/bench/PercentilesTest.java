package io.inflight.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PercentilesTest {

    @Test
    void nearestRankOfAHundredValues() {
        List<Double> values = new ArrayList<>();
        for (int i = 100; i >= 1; i--) {
            values.add((double) i);
        }
        Percentiles p = Percentiles.of(values);
        assertEquals(50, p.p50());
        assertEquals(99, p.p99());
        assertEquals(100, p.max());
        assertEquals(100, p.samples());
    }

    @Test
    void oneValueIsEveryPercentile() {
        Percentiles p = Percentiles.of(List.of(0.3));
        assertEquals(0.3, p.p50());
        assertEquals(0.3, p.p99());
        assertEquals(0.3, p.max());
    }

    @Test
    void noValuesIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> Percentiles.of(List.of()));
    }
}
