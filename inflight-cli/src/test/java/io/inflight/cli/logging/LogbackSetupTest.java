package io.inflight.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.cli.logging.Logging.Verbosity;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The command line's logging as {@link LogbackSetup} configures it (no logback file is on this class path). */
class LogbackSetupTest {

    @Test
    void linesGoToStandardErrorWithTimeAndLevelAndLibrariesOnlyWarn() {
        Logging.configure(Verbosity.NORMAL);
        PrintStream savedErr = System.err;
        PrintStream savedOut = System.out;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            LoggerFactory.getLogger("io.inflight.test").info("applied {}", 42);
            LoggerFactory.getLogger("io.inflight.test").debug("hidden detail");
            LoggerFactory.getLogger("org.postgresql.test").info("library chatter");
            LoggerFactory.getLogger("org.postgresql.test").warn("library warning");
        } finally {
            System.setErr(savedErr);
            System.setOut(savedOut);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).as("standard output carries results only").isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8).lines().toList())
                .satisfiesExactly(
                        line -> assertThat(line).matches("\\d\\d:\\d\\d:\\d\\d INFO  applied 42"),
                        line -> assertThat(line).matches("\\d\\d:\\d\\d:\\d\\d WARN  library warning"));
    }

    @Test
    void theVerbosityOptionsMoveInflightsLevel() {
        ch.qos.logback.classic.Logger inflight =
                (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.inflight");
        try {
            Logging.configure(Verbosity.VERBOSE);
            assertThat(inflight.isDebugEnabled()).isTrue();
            Logging.configure(Verbosity.QUIET);
            assertThat(inflight.isInfoEnabled()).isFalse();
            assertThat(inflight.isWarnEnabled()).isTrue();
        } finally {
            Logging.configure(Verbosity.NORMAL);
        }
    }
}
