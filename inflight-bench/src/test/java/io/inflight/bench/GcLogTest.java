package io.inflight.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GcLogTest {

    /** Lines as JDK 17 writes them with -Xlog:gc (G1, -Xmx256m). */
    private static final String G1_LOG = """
            [0.004s][info][gc] Using G1
            [0.736s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 12M->4M(256M) 11.743ms
            [1.026s][info][gc] GC(9) Pause Young (Concurrent Start) (G1 Evacuation Pause) 155M->128M(256M) 5.666ms
            [1.026s][info][gc] GC(10) Concurrent Mark Cycle
            [1.085s][info][gc] GC(15) Pause Young (Normal) (G1 Evacuation Pause) 214M->214M(256M) 5.103ms
            [1.088s][info][gc] GC(10) Pause Remark 217M->105M(256M) 2.035ms
            [1.094s][info][gc] GC(10) Pause Cleanup 126M->126M(256M) 0.113ms
            [1.100s][info][gc] GC(10) Concurrent Mark Cycle 73.412ms
            """;

    @Test
    void peakIsTheLargestOccupancyBeforeAnyCollection() {
        assertThat(GcLog.peakHeapBytes(G1_LOG)).hasValue(217L << 20);
    }

    @Test
    void readsKilobyteAndGigabyteFigures() {
        String log = """
                [0.5s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 900K->300K(8192K) 1.0ms
                [0.9s][info][gc] GC(1) Pause Full (System.gc()) 2G->1G(4G) 100.0ms
                """;
        assertThat(GcLog.peakHeapBytes(log)).hasValue(2L << 30);
    }

    @Test
    void noCollectionMeansNoFigure() {
        assertThat(GcLog.peakHeapBytes("[0.004s][info][gc] Using G1\n")).isEmpty();
        assertThat(GcLog.peakHeapBytes("")).isEmpty();
    }
}
