package io.inflight.cli;

import static io.inflight.testkit.TableContents.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.testkit.LauncherOptions;
import io.inflight.testkit.PostgresServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * No password shows anywhere a person or a collector can see it while a real {@code inflight run} goes on: its
 * command line in {@code ps}, its log (at --verbose), {@code inflight status} (text and JSON), the metrics
 * endpoint, and what the databases record about its sessions. The source password comes from the environment,
 * the target's from a password file ({@code INFLIGHT_TARGET_PASSWORD_FILE}), the two ways users give them.
 */
@Timeout(300)
class SecretsIT {

    @TempDir
    Path temp;

    @Test
    void noPasswordInPsLogsStatusMetricsOrSessions() throws Exception {
        try (PostgresServer source = PostgresServer.start(13); PostgresServer target = PostgresServer.start(17)) {
            source.createDatabase("app");
            target.createDatabase("app");
            source.execute("app", "CREATE TABLE items (id int PRIMARY KEY, v text)",
                    "INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 5000) g");
            Path targetPasswordFile = temp.resolve("target.pw");
            Files.writeString(targetPasswordFile, target.password() + "\n");
            int metricsPort = freePort();
            Path log = temp.resolve("run.log");

            List<String> cmd = LauncherOptions.javaCommand(jar(), List.of("-Xmx256m"));
            cmd.addAll(List.of("run", "--source", InflightProcess.uri(source, "app"),
                    "--target", InflightProcess.uri(target, "app"),
                    "--metrics-port", Integer.toString(metricsPort), "--verbose"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("INFLIGHT_SOURCE_PASSWORD", source.password());
            pb.environment().remove("INFLIGHT_TARGET_PASSWORD");
            pb.environment().put("INFLIGHT_TARGET_PASSWORD_FILE", targetPasswordFile.toString());
            Process run = pb.start();
            try {
                awaitStreaming(target, run, log);
                source.execute("app", "UPDATE items SET v = 'changed' WHERE id <= 100");

                String ps = exec("ps", "-ww", "-eo", "pid,args");
                String cmdline = Files.readString(Path.of("/proc", Long.toString(run.pid()), "cmdline"))
                        .replace('\0', ' ');
                assertThat(cmdline).contains("run", "--metrics-port");
                String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).contains("inflight_copy_rows_total");
                Map<String, String> env = Map.of(Passwords.variableFor("source"), source.password(),
                        Passwords.variableFor("target"), target.password());
                String statusArgsSource = "--source=" + InflightProcess.uri(source, "app");
                String statusArgsTarget = "--target=" + InflightProcess.uri(target, "app");
                MainTest.Run status = MainTest.run(env, "status", statusArgsSource, statusArgsTarget);
                MainTest.Run statusJson = MainTest.run(env, "status", statusArgsSource, statusArgsTarget, "--json");
                assertThat(status.code()).as(status.err()).isZero();
                assertThat(status.out()).contains("phase streaming");
                String sessions = sessions(source, "app") + sessions(target, "app");
                assertThat(sessions).as("the tool's sessions are visible in pg_stat_activity").isNotBlank();

                for (String password : List.of(source.password(), target.password())) {
                    assertThat(ps).as("ps -eo args").doesNotContain(password);
                    assertThat(cmdline).as("/proc/PID/cmdline").doesNotContain(password);
                    assertThat(metrics).as("/metrics").doesNotContain(password);
                    assertThat(status.out() + status.err()).as("status").doesNotContain(password);
                    assertThat(statusJson.out() + statusJson.err()).as("status --json").doesNotContain(password);
                    assertThat(sessions).as("pg_stat_activity").doesNotContain(password);
                }
            } finally {
                run.destroy();
                assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
            String output = Files.readString(log);
            assertThat(output).as("the --verbose log").contains("streaming").doesNotContain(source.password())
                    .doesNotContain(target.password());
        }
    }

    private static void awaitStreaming(PostgresServer target, Process run, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            assertThat(run.isAlive()).as("inflight run ended early:\n%s", Files.readString(log)).isTrue();
            try (Connection t = target.connect("app")) {
                if ("t".equals(scalar(t, "SELECT phase = 'streaming' FROM inflight.migration"))) {
                    return;
                }
            } catch (SQLException notYet) {
                // the state schema is made by the run
            }
            Thread.sleep(100);
        }
        throw new AssertionError("inflight run never reached the streaming phase:\n" + Files.readString(log));
    }

    private static String sessions(PostgresServer pg, String db) throws SQLException {
        try (Connection c = pg.connect(db)) {
            return scalar(c, "SELECT string_agg(coalesce(application_name, '') || ' ' || coalesce(query, ''), E'\\n')"
                    + " FROM pg_stat_activity WHERE application_name LIKE 'inflight%'");
        }
    }

    private static String exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Path jar() {
        Path jar = Path.of("target", "inflight.jar").toAbsolutePath();
        assertThat(jar).exists();
        return jar;
    }
}
