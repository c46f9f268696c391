package io.inflight.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LagTimelineTest {

    private static final long S = 1_000_000_000L;

    private static LagTimeline timeline() {
        LagTimeline t = new LagTimeline();
        t.add(0, 1000);
        t.add(S, 2000);
        t.add(2 * S, 2000); // idle for a second
        t.add(3 * S, 4000);
        return t;
    }

    @Test
    void interpolatesWhenTheHeadPassedThePosition() {
        LagTimeline t = timeline();
        // 1500 was the head half-way between 0 s and 1 s
        assertEquals(2.5, t.lagSeconds(1500, 3 * S), 1e-9);
        // 3000 half-way between 2 s and 3 s
        assertEquals(0.5, t.lagSeconds(3000, 3 * S), 1e-9);
    }

    @Test
    void aPositionReachedAtASampleCountsFromThatSample() {
        // 2000 was first reached at 1 s, not at 2 s when the head was still there
        assertEquals(2.0, timeline().lagSeconds(2000, 3 * S), 1e-9);
    }

    @Test
    void justPastAPlateauCountsFromTheEndOfThePlateau() {
        // the head stood at 2000 from 1 s to 2 s; 2001 was written just after 2 s
        assertEquals(1.0, timeline().lagSeconds(2001, 3 * S), 1e-3);
    }

    @Test
    void atOrPastTheHeadIsNoLag() {
        assertEquals(0, timeline().lagSeconds(4000, 3 * S));
        assertEquals(0, timeline().lagSeconds(5000, 3 * S));
    }

    @Test
    void olderThanTheFirstSampleCountsFromTheFirstSample() {
        assertEquals(3.0, timeline().lagSeconds(10, 3 * S), 1e-9);
    }

    @Test
    void samplesMustComeInOrder() {
        LagTimeline t = timeline();
        assertThrows(IllegalArgumentException.class, () -> t.add(4 * S, 3999));
        assertThrows(IllegalArgumentException.class, () -> t.add(S, 5000));
    }
}
