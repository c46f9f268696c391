package io.inflight.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.inflight.core.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./inflight} launcher's class-data archives: a command's archive is recorded only by a run that did
 * its work. A help run or a failed one loads a sliver of the command's classes, and its archive would serve every
 * later run. The launcher runs from a copy of the checkout's layout (script, options, the built jar), so that it
 * neither rebuilds nor touches the build's own archives.
 */
class LauncherIT {

    @TempDir
    Path home;

    @Test
    void onlyARunThatDidItsWorkRecordsTheCommandsArchive() throws IOException, InterruptedException {
        Path javaHome = Paths.get(System.getProperty("java.home"));
        assumeThat(javaHome.resolve("lib/server/classes.jsa")).as("the JDK ships its base archive").exists();
        Path root = Paths.get("").toAbsolutePath().getParent();
        Files.copy(root.resolve("inflight"), home.resolve("inflight"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.createDirectories(home.resolve("inflight-cli/target"));
        Files.copy(root.resolve("inflight-cli/jvm.options"), home.resolve("inflight-cli/jvm.options"));
        Files.copy(root.resolve("inflight-cli/target/inflight.jar"), home.resolve("inflight-cli/target/inflight.jar"));
        Path archives = home.resolve("inflight-cli/target/cds");

        assertThat(launch("config", "--help").code()).isZero();
        assertThat(launch("status", "--source", "postgresql://app@127.0.0.1:1/db", "--target",
                "postgresql://app@127.0.0.1:1/db").code()).isEqualTo(ErrorCode.CONNECTION_FAILED.exitCode());
        assertThat(archives).satisfiesAnyOf(
                dir -> assertThat(dir).doesNotExist(),
                dir -> assertThat(dir).isEmptyDirectory());

        MainTest.Run recorded = launch("config");
        assertThat(recorded.code()).isZero();
        assertThat(archives.resolve("config.jsa")).isNotEmptyFile();
        assertThat(archives).isDirectoryNotContaining("glob:**.partial");
        MainTest.Run mapped = launch("config");
        assertThat(mapped.code()).isZero();
        assertThat(mapped.out()).isEqualTo(recorded.out());
        assertThat(mapped.err()).isEmpty();
    }

    private MainTest.Run launch(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("inflight").toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(home, "out", ".log");
        Path err = Files.createTempFile(home, "err", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("INFLIGHT_"));
        // the launcher starts the java on the PATH: this JDK's, whose base archive was checked above
        pb.environment().put("PATH", Paths.get(System.getProperty("java.home"), "bin") + ":"
                + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("./inflight " + String.join(" ", args) + " did not end within 120 s");
        }
        return new MainTest.Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
