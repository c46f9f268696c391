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
        return command(jar, extra, null);
    }

    /**
     * The same, with the launcher's class-data archive for {@code subcommand}: mapped when it is there and newer
     * than the jar, else recorded by this run as it exits (the launcher records into a temporary file and renames
     * it; the benchmarks start one run at a time, so they write it in place).
     */
    static List<String> command(Path jar, List<String> extra, String subcommand) {
        List<String> withArchive = new ArrayList<>(extra);
        String env = System.getenv("INFLIGHT_JAVA_OPTS");
        boolean ownSharing = env != null && env.matches(".*(-Xshare|SharedArchiveFile|ArchiveClassesAtExit).*");
        boolean baseArchive = Files.isRegularFile(Paths.get(System.getProperty("java.home"), "lib", "server",
                "classes.jsa"));
        if (subcommand != null && baseArchive && !ownSharing) { // as the launcher decides
            Path archive = jar.toAbsolutePath().getParent().resolve("cds").resolve(subcommand + ".jsa");
            try {
                boolean fresh = Files.isRegularFile(archive)
                        && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0;
                if (!fresh) {
                    Files.createDirectories(archive.getParent());
                    Files.deleteIfExists(archive);
                }
                withArchive.add((fresh ? "-XX:SharedArchiveFile=" : "-XX:ArchiveClassesAtExit=") + archive);
                withArchive.add("-Xlog:cds*=off");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("preparing the class-data archive " + archive, e);
            }
        }
        return baseCommand(jar, withArchive);
    }

    private static List<String> baseCommand(Path jar, List<String> extra) {
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
