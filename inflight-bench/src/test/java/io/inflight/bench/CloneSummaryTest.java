package io.inflight.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CloneSummaryTest {

    @Test
    void readsTheFiguresAndKeepsThePhaseOrder() {
        CloneSummary s = CloneSummary.parse("""
                {"elapsedMs": 12345, "rowsCopied": 5120000, "bytesCopied": 871234567,
                 "tables": [{"name": "public.orders", "rows": 10}], "warnings": [], "ok": true, "note": null,
                 "phasesMs": {"schema": 120, "copy": 9800, "post-data": 2300, "sequences": 15}}
                """);
        assertThat(s.elapsed()).isEqualTo(Duration.ofMillis(12345));
        assertThat(s.rowsCopied()).isEqualTo(5_120_000);
        assertThat(s.bytesCopied()).isEqualTo(871_234_567);
        assertThat(s.phases()).containsExactly(Map.entry("schema", Duration.ofMillis(120)),
                Map.entry("copy", Duration.ofMillis(9800)), Map.entry("post-data", Duration.ofMillis(2300)),
                Map.entry("sequences", Duration.ofMillis(15)));
    }

    @Test
    void ignoresLinesAroundTheObject() {
        CloneSummary s = CloneSummary.parse("12:00:01 INFO starting\n"
                + "{\"elapsedMs\":1,\"rowsCopied\":2,\"bytesCopied\":3,\"phasesMs\":{\"copy\":4}}\n");
        assertThat(s.phases()).containsExactly(Map.entry("copy", Duration.ofMillis(4)));
    }

    @Test
    void saysWhichFieldIsMissing() {
        assertThatThrownBy(() -> CloneSummary.parse("{\"elapsedMs\":1,\"rowsCopied\":2,\"phasesMs\":{}}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"bytesCopied\"");
        assertThatThrownBy(() -> CloneSummary.parse("{\"elapsedMs\":1,\"rowsCopied\":2,\"bytesCopied\":3}"))
                .hasMessageContaining("\"phasesMs\"");
        assertThatThrownBy(() -> CloneSummary.parse("inflight: the command line is being assembled"))
                .hasMessageContaining("no JSON object");
    }
}
