package io.inflight.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.testkit.PgBouncer;
import java.nio.file.Files;
import java.nio.file.Paths;

import io.inflight.cli.Environment;
import io.inflight.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code inflight demo} end to end at a small scale: both servers, the writer, the clone, the report. */
class DemoCommandIT {

    @Test
    @Timeout(300)
    void demoClonesStreamsAndCutsOverWhileTheApplicationWritesAndEndsEqual() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(Environment.of(Map.of()), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "demo", "--scale", "0.05", "--jobs", "2", "--stream-seconds", "5");
        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(err.toString(StandardCharsets.UTF_8) + report).isZero();
        assertThat(report).contains("clone finished").contains("Rows per table")
                .contains("shop.orders").contains("shop.ledger_entries_2024_06").contains("shop.categories");

        Matcher writes = Pattern.compile("the source took ([\\d,]+) transactions").matcher(report);
        assertThat(writes.find()).as(report).isTrue();
        assertThat(Long.parseLong(writes.group(1).replace(",", ""))).isPositive();

        Matcher applied = Pattern.compile("The stream applied ([\\d,]+) source transactions").matcher(report);
        assertThat(applied.find()).as(report).isTrue();
        assertThat(Long.parseLong(applied.group(1).replace(",", ""))).isPositive();

        // After the drain the target holds what the source holds, table by table (the demo compares contents
        // with the test kit's own fingerprints, not with Inflight's code).
        Matcher total = Pattern.compile("total\\s+([\\d,]+)\\s+([\\d,]+)").matcher(report);
        assertThat(total.find()).as(report).isTrue();
        assertThat(total.group(2)).isEqualTo(total.group(1));
        assertThat(report).doesNotContain("DIFFERENT").contains("The target holds exactly what the source holds")
                .containsPattern("shop\\.categories\\s+200\\s+200\\s+identical\\s*\n");

        if (!Files.isExecutable(Paths.get(PgBouncer.BINARY))) {
            assertThat(report).contains("PgBouncer is not installed");
            return;
        }
        // The demo ends with a cutover through PgBouncer while its writer writes, prints the pause the writer
        // saw, and the writes made on the new primary afterwards reach the old source through the stream back.
        Matcher pause = Pattern.compile("cutover done: writes paused for (\\d+) ms .* longest wait between two commits"
                + " was (\\d+) ms").matcher(report);
        assertThat(pause.find()).as(report).isTrue();
        assertThat(Long.parseLong(pause.group(2))).isPositive().isLessThan(10_000);
        Matcher after = Pattern.compile("Orders placed on the new primary \\(17\\) after the cutover: ([\\d,]+); of"
                + " them on the old source \\(13\\), through the stream back: ([\\d,]+)").matcher(report);
        assertThat(after.find()).as(report).isTrue();
        assertThat(Long.parseLong(after.group(1).replace(",", ""))).isPositive();
        assertThat(after.group(2)).isEqualTo(after.group(1));
    }
}
