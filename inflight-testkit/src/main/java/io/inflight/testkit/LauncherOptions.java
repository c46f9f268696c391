package io.inflight.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options the {@code ./inflight} launcher starts Inflight with ({@code inflight-cli/jvm.options}), for
 * the tests, the fault suite and the benchmarks, which run the jar as a user does.
 */
public final class LauncherOptions {

    private LauncherOptions() {
    }

    /**
     * {@code java @jvm.options <jvmOptions> -jar <jar>}, with this JVM's java, ready for the command and its
     * arguments to be appended: the launcher's options first, so that the caller's (a heap size) win.
     */
    public static List<String> javaCommand(Path jar, List<String> jvmOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add(argumentFor(jar));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar.toString()));
        return cmd;
    }

    /**
     * {@code @<path of jvm.options>}, the java argument that reads them, for the jar at
     * {@code inflight-cli/target/inflight.jar}; the file sits beside the CLI module's target directory.
     */
    private static String argumentFor(Path jar) {
        Path options = jar.toAbsolutePath().getParent().resolveSibling("jvm.options");
        if (!Files.isRegularFile(options)) {
            throw new IllegalStateException(options + " does not exist: the launcher's JVM options sit beside the"
                    + " CLI module's target directory");
        }
        return "@" + options;
    }
}
