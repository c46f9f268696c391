package io.inflight.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JVM options the {@code ./inflight} launcher starts Inflight with ({@code inflight-cli/jvm.options}), for
 * the tests, the fault suite and the benchmarks, which run the jar as a user does.
 */
public final class LauncherOptions {

    private LauncherOptions() {
    }

    /**
     * {@code @<path of jvm.options>}, the java argument that reads them, for the jar at
     * {@code inflight-cli/target/inflight.jar}; the file sits beside the CLI module's target directory.
     */
    public static String argumentFor(Path jar) {
        Path options = jar.toAbsolutePath().getParent().resolveSibling("jvm.options");
        if (!Files.isRegularFile(options)) {
            throw new IllegalStateException(options + " does not exist: the launcher's JVM options sit beside the"
                    + " CLI module's target directory");
        }
        return "@" + options;
    }
}
