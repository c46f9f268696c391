package io.inflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.testkit.LauncherOptions;
import io.inflight.testkit.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real shaded {@code inflight} jar as a child process to its end, as a user or a script meets it (with
 * the launcher's JVM options): exit code, stdout and stderr apart. Passwords travel in the environment only.
 */
final class InflightJar {

    private InflightJar() {
    }

    /** {@code java <jvm> -jar inflight.jar <args>} with {@code env} added to this process's environment. */
    static MainTest.Run run(Map<String, String> env, List<String> jvm, String... args)
            throws IOException, InterruptedException {
        Path jar = Paths.get("target", "inflight.jar").toAbsolutePath();
        assertThat(jar).exists();
        List<String> cmd = LauncherOptions.javaCommand(jar, jvm);
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("inflight-out", ".log");
        Path err = Files.createTempFile("inflight-err", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("INFLIGHT_"));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(240, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("inflight " + String.join(" ", args) + " did not end within 240 s:\n"
                        + Files.readString(out) + Files.readString(err));
            }
            return new MainTest.Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static MainTest.Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return run(env, List.of("-Xmx256m"), args);
    }

    /** The passwords of both servers, as {@code INFLIGHT_SOURCE_PASSWORD} / {@code INFLIGHT_TARGET_PASSWORD}. */
    static Map<String, String> passwords(PostgresServer source, PostgresServer target) {
        return Map.of(Passwords.variableFor("source"), source.password(),
                Passwords.variableFor("target"), target.password());
    }

    static String uri(PostgresServer pg, String user, String db) {
        return "postgresql://" + user + "@127.0.0.1:" + pg.port() + "/" + db;
    }
}
