package io.inflight.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LagSamplerTest {

    @Test
    void idleWalAfterTheLastTransactionIsNotLag() {
        // idle at 100 (the last commit), the source wrote WAL without changes up to 180 before the load began
        // it counts as just past that head: its lag is the age of the first WAL written after it
        assertEquals(181, LagSampler.pastIdleWal(100, 100, 180));
        assertEquals(181, LagSampler.pastIdleWal(180, 100, 180));
    }

    @Test
    void positionsPastTheIdleHeadOrBehindTheIdlePositionStayAsTheyAre() {
        assertEquals(250, LagSampler.pastIdleWal(250, 100, 180));
        assertEquals(90, LagSampler.pastIdleWal(90, 100, 180));
    }
}
