package io.inflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.cli.config.ConfigReference;
import io.inflight.cli.config.OptionCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;

/** README.md and .ci/run say what the code does: the exit code table and the one test command. */
class ReadmeTest {

    private static final Path ROOT = Paths.get("").toAbsolutePath().getParent();

    private static String read(String file) throws IOException {
        return Files.readString(ROOT.resolve(file));
    }

    @Test
    void startsWithTheTwoCommandsForAFreshMachine() throws IOException {
        List<String> lines = read("README.md").lines().limit(4).toList();
        assertThat(lines.get(1)).startsWith("./inflight demo ");
        assertThat(lines.get(2)).startsWith("mvn -B verify ");
    }

    @Test
    void exitCodeTableMatchesErrorCode() throws IOException {
        assertThat(read("README.md")).contains(ExitCodes.markdownTable());
    }

    /** Regenerate with {@code ./inflight config} when an option is added or its description changes. */
    @Test
    void configurationReferenceMatchesTheOptions() throws IOException {
        CommandLine cl = Main.commandLine(Environment.of(Map.of()));
        assertThat(read("README.md")).contains(ConfigReference.markdownTable(OptionCatalog.of(cl.getCommandSpec())));
    }

    @Test
    void ciRunsTheReadmesTestCommand() throws IOException {
        String readmeCommand = read("README.md").lines().skip(2).findFirst().orElseThrow().split("#")[0].strip();
        assertThat(read(".ci/run").lines().map(String::strip)).contains(readmeCommand + " || status=$?");
    }
}
