package io.inflight.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BenchmarksFileTest {

    @Test
    void replacesOnlyItsOwnSectionAndKeepsTheRest() {
        String doc = """
                # Benchmarks
                intro
                <!-- clone:begin -->
                old clone figures
                <!-- clone:end -->
                hand-written note
                <!-- stream:begin -->
                stream figures
                <!-- stream:end -->
                """;
        assertThat(BenchmarksFile.replaceSection(doc, "clone", "new figures\n")).isEqualTo("""
                # Benchmarks
                intro
                <!-- clone:begin -->
                new figures
                <!-- clone:end -->
                hand-written note
                <!-- stream:begin -->
                stream figures
                <!-- stream:end -->
                """);
    }

    @Test
    void appendsASectionTheDocumentDoesNotHaveYet() {
        assertThat(BenchmarksFile.replaceSection("# Benchmarks\ntext", "clone", "figures"))
                .isEqualTo("# Benchmarks\ntext\n\n<!-- clone:begin -->\nfigures\n<!-- clone:end -->\n");
    }

    @Test
    void refusesABeginMarkerWithoutItsEnd() {
        assertThatThrownBy(() -> BenchmarksFile.replaceSection("<!-- clone:begin -->\nold\n", "clone", "new"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("<!-- clone:end -->");
    }
}
