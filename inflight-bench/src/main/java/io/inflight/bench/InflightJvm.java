package io.inflight.bench;

import io.inflight.testkit.LauncherOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
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
        List<String> jvm = new ArrayList<>();
        String env = System.getenv("INFLIGHT_JAVA_OPTS");
        if (env != null && !env.isBlank()) {
            jvm.addAll(List.of(env.trim().split("\\s+")));
        }
        jvm.add("-Xmx" + InflightClone.MAX_HEAP);
        jvm.addAll(extra);
        return LauncherOptions.javaCommand(jar, jvm);
    }

    /**
     * The same, with the launcher's class-data archive for {@code subcommand}: mapped when it is there and newer
     * than the jar, else recorded by this run into a file of its own, which {@link Launch#ended} keeps as the
     * archive only when the run did its work (the launcher's rule: a failed run loads a sliver of the classes).
     */
    static Launch launch(Path jar, List<String> extra, String subcommand) {
        List<String> withArchive = new ArrayList<>(extra);
        String env = System.getenv("INFLIGHT_JAVA_OPTS");
        boolean ownSharing = env != null && env.matches(".*(-Xshare|SharedArchiveFile|ArchiveClassesAtExit).*");
        boolean baseArchive = Files.isRegularFile(Paths.get(System.getProperty("java.home"), "lib", "server",
                "classes.jsa"));
        if (!baseArchive || ownSharing) { // as the launcher decides
            return new Launch(command(jar, withArchive), null, null);
        }
        Path archive = jar.toAbsolutePath().getParent().resolve("cds").resolve(subcommand + ".jsa");
        try {
            if (Files.isRegularFile(archive)
                    && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0) {
                withArchive.addAll(List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds*=off"));
                return new Launch(command(jar, withArchive), null, null);
            }
            Files.createDirectories(archive.getParent());
            Path recording = Files.createTempFile(archive.getParent(), subcommand + ".jsa.", ".partial");
            Files.delete(recording); // the JVM writes it as it exits
            withArchive.addAll(List.of("-XX:ArchiveClassesAtExit=" + recording, "-Xlog:cds*=off"));
            return new Launch(command(jar, withArchive), recording, archive);
        } catch (IOException e) {
            throw new UncheckedIOException("preparing the class-data archive " + archive, e);
        }
    }

    /**
     * A JVM's command line, and the class-data archive it records, if any.
     *
     * @param recording where the JVM writes the archive as it exits; null when it records none
     * @param archive where the launcher maps it from
     */
    record Launch(List<String> command, Path recording, Path archive) {

        /**
         * The JVM exited with {@code exitCode}: its recording becomes the command's archive when the run did its
         * work (finished, or stopped by SIGINT/SIGTERM as a stream is), and is dropped otherwise.
         */
        void ended(int exitCode) {
            if (recording == null) {
                return;
            }
            try {
                boolean didItsWork = exitCode == 0 || exitCode == 130 || exitCode == 143;
                if (didItsWork && Files.isRegularFile(recording) && Files.size(recording) > 0) {
                    Files.move(recording, archive, StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                } else {
                    Files.deleteIfExists(recording);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("keeping the class-data archive " + archive, e);
            }
        }
    }

}
