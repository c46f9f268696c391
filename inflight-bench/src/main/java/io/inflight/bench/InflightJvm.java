package io.inflight.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM command line Inflight runs with, as the {@code ./inflight} launcher builds it: the options in
 * {@code inflight-cli/jvm.options}, then {@code INFLIGHT_JAVA_OPTS} from the environment, then the benchmark's
 * own (a heap cap, a GC log), then the jar. The benchmarks measure Inflight as a user runs it.
 */
final class InflightJvm {

    /** How the reports name the command, with {@code <the rest>} after it. */
    static final String SHOWN = "java @inflight-cli/jvm.options -Xmx" + InflightClone.MAX_HEAP
            + " -jar inflight-cli/target/inflight.jar";

    private InflightJvm() {
    }

    /** {@code java @jvm.options $INFLIGHT_JAVA_OPTS -Xmx256m <extra> -jar <jar>}: append the command and its arguments. */
    static List<String> command(Path jar, List<String> extra) {
        // inflight-cli/target/inflight.jar -> inflight-cli/jvm.options
        Path options = jar.toAbsolutePath().getParent().resolveSibling("jvm.options");
        if (!Files.isRegularFile(options)) {
            throw new IllegalStateException(options + " does not exist: the launcher's JVM options sit beside the"
                    + " CLI module's target directory");
        }
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + options));
        String env = System.getenv("INFLIGHT_JAVA_OPTS");
        if (env != null && !env.isBlank()) {
            cmd.addAll(List.of(env.trim().split("\\s+")));
        }
        cmd.add("-Xmx" + InflightClone.MAX_HEAP);
        cmd.addAll(extra);
        cmd.addAll(List.of("-jar", jar.toString()));
        return cmd;
    }
}
