package io.inflight.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InflightJvmTest {

    @TempDir
    Path dir;

    @Test
    void aRunThatDidItsWorkReplacesTheArchive() throws IOException {
        for (int exit : new int[] {0, 130, 143}) {
            Path archive = Files.writeString(dir.resolve("stream.jsa"), "older");
            Path recording = Files.writeString(dir.resolve("stream.jsa." + exit + ".partial"), "recorded");

            new InflightJvm.Launch(List.of("java"), recording, archive).ended(exit);

            assertThat(archive).hasContent("recorded");
            assertThat(recording).doesNotExist();
        }
    }

    @Test
    void aFailedRunLeavesTheArchiveAsItWas() throws IOException {
        Path archive = Files.writeString(dir.resolve("stream.jsa"), "older");
        Path recording = Files.writeString(dir.resolve("stream.jsa.1.partial"), "a sliver");

        new InflightJvm.Launch(List.of("java"), recording, archive).ended(1);

        assertThat(archive).hasContent("older");
        assertThat(recording).doesNotExist();
    }

    @Test
    void aRunThatWroteNoArchiveKeepsNone() throws IOException {
        Path archive = dir.resolve("clone.jsa");
        Path recording = dir.resolve("clone.jsa.7.partial"); // killed before it could write

        new InflightJvm.Launch(List.of("java"), recording, archive).ended(143);

        assertThat(archive).doesNotExist();
        try (var left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }
}
