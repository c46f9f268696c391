package io.inflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.postgres.clone.CloneResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The command line in-process: options, exit codes and messages, without a server. */
class MainTest {

    /** What one run printed and returned. */
    record Run(int code, String out, String err) {
    }

    static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(Environment.of(env), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Run run(String... args) {
        return run(Map.of(), args);
    }

    @Test
    void unknownOptionIsAConfigurationError() {
        Run r = run("clone", "--source", "postgresql://a@h/d", "--target", "postgresql://a@h/d", "--frobnicate");
        assertThat(r.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION.exitCode());
        assertThat(r.err()).contains("inflight: Unknown option: '--frobnicate'").contains("inflight clone --help");
    }

    @Test
    void missingRequiredOptionsAndBadValuesAreConfigurationErrors() {
        assertThat(run("clone").err()).contains("--source").contains("--target");
        assertThat(run("clone").code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION.exitCode());
        Run badMode = run("clone", "--source", "postgresql://a@h/d", "--target", "postgresql://a@h/d",
                "--schema", "sometimes");
        assertThat(badMode.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION.exitCode());
        assertThat(badMode.err()).contains("--schema").contains("CREATE").contains("EXISTING");
        assertThat(run("nonsense").code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION.exitCode());
        assertThat(run().code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION.exitCode());
    }

    @Test
    void optionValuesCloneOptionsRefuseAreConfigurationErrors() {
        Run jobs = run("clone", "--source", "postgresql://a@h/d", "--target", "postgresql://a@h/d", "--jobs", "0");
        assertThat(jobs.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION.exitCode());
        assertThat(jobs.err()).startsWith("inflight: --jobs must be at least 1");
        Run slot = run("clone", "--source", "postgresql://a@h/d", "--target", "postgresql://a@h/d", "--slot", "Bad-Slot");
        assertThat(slot.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION.exitCode());
        assertThat(slot.err()).contains("Bad-Slot");
    }

    @Test
    void passwordOnTheCommandLineIsRefusedWithoutEchoingIt() {
        Run r = run("clone", "--source", "postgresql://app:hunter2@db/orders", "--target", "postgresql://a@h/d");
        assertThat(r.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION.exitCode());
        assertThat(r.err()).contains("INFLIGHT_SOURCE_PASSWORD").contains(".pgpass").doesNotContain("hunter2")
                .doesNotContain("at io.inflight");
    }

    @Test
    void verboseAddsTheStackTraceAnywhereOnTheLine() {
        Run after = run("clone", "--source", "postgresql://app:hunter2@db/orders", "--target", "postgresql://a@h/d",
                "--verbose");
        assertThat(after.err()).contains("at io.inflight.cli.EndpointUri").doesNotContain("hunter2");
        Run before = run("--verbose", "clone", "--source", "postgresql://app:hunter2@db/orders", "--target",
                "postgresql://a@h/d");
        assertThat(before.err()).contains("at io.inflight.cli.EndpointUri");
    }

    @Test
    void helpAndVersionSucceed() {
        Run help = run("clone", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--source=URI").contains("INFLIGHT_SOURCE_PASSWORD");
        assertThat(run("--version").code()).isZero();
        assertThat(run("demo", "--help").out()).contains("--keep");
    }


    /** A run builds only the command it invokes; whatever needs the others still finds them all. */
    @Test
    void commandsNotInvokedAreStillListedAndDescribed() {
        Run usage = run("--help");
        assertThat(usage.code()).isZero();
        assertThat(usage.out()).contains("check").contains("clone").contains("stream").contains("cutover")
                .contains("demo");
        assertThat(run("help", "stream").out()).contains("--source=URI").contains("Streams the source's changes");
        Run typo = run("strem");
        assertThat(typo.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION.exitCode());
        assertThat(typo.err()).contains("'strem'").contains("inflight --help");
        assertThat(run("config").out()).contains("| `jobs`").contains("| `slot`");
        assertThat(run("--quiet", "clone", "--help").out()).contains("--jobs=N");
        // a variable only another command reads is left alone; the invoked command's own are checked
        assertThat(run(Map.of("INFLIGHT_JOBS", "many"), "status", "--help").code()).isZero();
        assertThat(run(Map.of("INFLIGHT_JOBS", "many"), "clone", "--help").err())
                .contains("environment variable INFLIGHT_JOBS must be a whole number");
    }
    @Test
    void theInflightExceptionInsideAWorkerFailureIsFound() {
        InflightException inner = new InflightException(ErrorCode.CONNECTION_LOST, "lost");
        assertThat(Main.findInflight(new CompletionException(new ExecutionException(inner)))).isSameAs(inner);
        assertThat(Main.findInflight(new IllegalStateException("x"))).isNull();
    }

    @Test
    void everyErrorCodeHasItsOwnExitCode() {
        assertThat(java.util.Arrays.stream(ErrorCode.values()).map(ErrorCode::exitCode).distinct().count())
                .isEqualTo(ErrorCode.values().length);
        assertThat(java.util.Arrays.stream(ErrorCode.values()).map(ErrorCode::exitCode)).doesNotContain(0, 1);
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(ExitCodes.meaning(c)).as(c.name()).isNotBlank();
        }
    }

    @Test
    void resultJsonHasTheFieldsScriptsRead() {
        Map<String, Duration> phases = new LinkedHashMap<>();
        phases.put("schema", Duration.ofMillis(120));
        phases.put("copy", Duration.ofMillis(3400));
        CloneResult r = new CloneResult("inflight", "pub \"x\"", Lsn.parse("0/16B3748"), 7, 2, 1_000_000L,
                123_456_789L, Duration.ofMillis(4100), phases);
        assertThat(CloneResultJson.render(r)).isEqualTo("{\"slot\":\"inflight\",\"publication\":\"pub \\\"x\\\"\","
                + "\"consistentPoint\":\"0/16B3748\",\"tablesCopied\":7,\"tablesSkipped\":2,\"rowsCopied\":1000000,"
                + "\"bytesCopied\":123456789,\"elapsedMs\":4100,\"phasesMs\":{\"schema\":120,\"copy\":3400}}");
    }
}
