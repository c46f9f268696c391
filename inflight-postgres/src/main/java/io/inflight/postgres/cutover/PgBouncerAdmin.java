package io.inflight.postgres.cutover;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * PgBouncer's admin console (virtual database {@code pgbouncer}), spoken to through {@code psql}: the console takes
 * only the simple query protocol and, in PgBouncer 1.18, refuses the {@code extra_float_digits} startup parameter
 * that the JDBC driver always sends. {@code psql} is found on the PATH or in {@code /usr/lib/postgresql/<n>/bin}.
 * {@link #pause} blocks until the database's running transactions end. Each call is one short psql session; the
 * password goes to it through {@code PGPASSWORD}, never on its command line.
 */
final class PgBouncerAdmin implements AutoCloseable {

    /** What {@code SHOW DATABASES} says about one entry. */
    record Entry(String name, String host, int port, String database, boolean paused) {
    }

    private static final long TIMEOUT_SECONDS = 300;

    private final PgBouncerSettings settings;
    private final String psql;

    private PgBouncerAdmin(PgBouncerSettings settings, String psql) {
        this.settings = settings;
        this.psql = psql;
    }

    static PgBouncerAdmin connect(PgBouncerSettings s) {
        return new PgBouncerAdmin(s, findPsql());
    }

    Optional<Entry> entry(String name) {
        return parse(run("SHOW DATABASES", "reading SHOW DATABASES"), name);
    }

    private static Optional<Entry> parse(List<String> lines, String name) {
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        List<String> header = Arrays.asList(lines.get(0).split("\\|", -1));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\\|", -1);
            if (f.length == header.size() && f[header.indexOf("name")].equals(name)) {
                String port = f[header.indexOf("port")];
                return Optional.of(new Entry(name, f[header.indexOf("host")], port.isEmpty() ? 0
                        : Integer.parseInt(port), f[header.indexOf("database")],
                        "1".equals(f[header.indexOf("paused")])));
            }
        }
        return Optional.empty();
    }

    Entry requireEntry(String name) {
        return entry(name).orElseThrow(() -> new InflightException(ErrorCode.INVALID_CONFIGURATION, settings
                + " has no database entry '" + name + "' (SHOW DATABASES); give the entry the application connects"
                + " through with --pgbouncer-database"));
    }

    /** Clients' next queries wait; returns once running transactions ended and server connections closed. */
    void pause(String db) {
        tolerating("is already paused", "PAUSE " + db, "pausing database '" + db + "'");
    }

    void resume(String db) {
        tolerating("is not paused", "RESUME " + db, "resuming database '" + db + "'");
    }

    /** Reloads the configuration file and returns the entry as PgBouncer now has it (one console session). */
    Optional<Entry> reload(String db) {
        return parse(run(List.of("RELOAD", "SHOW DATABASES"), "reloading the configuration"), db);
    }

    /** PAUSE and RESUME fail when already so; a rerun after a crash must be able to repeat them. */
    private void tolerating(String already, String command, String doing) {
        try {
            run(List.of(command), doing);
        } catch (InflightException e) {
            if (!e.getMessage().contains(already)) {
                throw e;
            }
        }
    }

    private List<String> run(String command, String doing) {
        return run(List.of(command), doing);
    }

    private List<String> run(List<String> commands, String doing) {
        List<String> cmd = new ArrayList<>(List.of(psql, "-X", "-q", "-A", "-F", "|", "-P", "footer=off", "-v",
                "ON_ERROR_STOP=1", "-h", settings.host(), "-p", Integer.toString(settings.port()), "-U",
                settings.adminUser(), "-d", "pgbouncer"));
        commands.forEach(c -> {
            cmd.add("-c");
            cmd.add(c);
        });
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PGCONNECT_TIMEOUT", "10");
        pb.environment().remove("PGPASSWORD");
        if (settings.adminPassword().isPresent()) {
            pb.environment().put("PGPASSWORD", settings.adminPassword().reveal());
        }
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw failure(doing, "no answer within " + TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw failure(doing, out.strip());
            }
            List<String> lines = new ArrayList<>();
            for (String l : out.split("\n")) {
                if (!l.isBlank()) {
                    lines.add(l);
                }
            }
            return lines;
        } catch (IOException e) {
            throw failure(doing, "cannot run " + psql + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InflightException(ErrorCode.INTERRUPTED, settings + ": interrupted while " + doing);
        }
    }

    private InflightException failure(String doing, String why) {
        ErrorCode code = why.contains("password authentication failed") ? ErrorCode.AUTHENTICATION_FAILED
                : why.contains("could not connect") || why.contains("Connection refused") || why.contains("timeout")
                ? ErrorCode.CONNECTION_FAILED : ErrorCode.INVALID_CONFIGURATION;
        return new InflightException(code, settings + ": " + doing + " on the admin console as '"
                + settings.adminUser() + "' failed: " + why + " (the user must be in PgBouncer's admin_users; its"
                + " password comes from INFLIGHT_PGBOUNCER_PASSWORD)");
    }

    private static String findPsql() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, "psql"))) {
                return Paths.get(dir, "psql").toString();
            }
        }
        Path lib = Paths.get("/usr/lib/postgresql");
        try (var versions = Files.list(lib)) {
            Optional<Path> found = versions.map(v -> v.resolve("bin/psql")).filter(Files::isExecutable)
                    .max(Path::compareTo);
            if (found.isPresent()) {
                return found.get().toString();
            }
        } catch (IOException ignored) {
            // no Debian PostgreSQL client there; fall through
        }
        throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "psql is needed to speak to PgBouncer's admin"
                + " console but is neither on the PATH nor in /usr/lib/postgresql/*/bin; install the PostgreSQL"
                + " client (e.g. apt-get install postgresql-client)");
    }

    @Override
    public void close() {
        // each command was its own psql session
    }
}
