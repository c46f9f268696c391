package io.inflight.postgres.cutover;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * PgBouncer's admin console (virtual database {@code pgbouncer}), spoken to through one {@code psql} session kept
 * open from {@link #connect} to {@link #close}: the console takes only the simple query protocol and, in PgBouncer
 * 1.18, refuses the {@code extra_float_digits} startup parameter that the JDBC driver always sends. One session for
 * the whole switch keeps process start-up and log-in out of the write pause. {@code psql} is found on the PATH or in
 * {@code /usr/lib/postgresql/<n>/bin}; the password goes to it through {@code PGPASSWORD}, never on its command
 * line. {@link #pause} blocks until the database's running transactions end. Not thread-safe.
 */
final class PgBouncerAdmin implements AutoCloseable {

    /** What {@code SHOW DATABASES} says about one entry. */
    record Entry(String name, String host, int port, String database, boolean paused) {
    }

    private static final long TIMEOUT_SECONDS = 300;
    private static final String END = "__inflight_console_done__";
    private static final List<String> EOF = List.of();

    private final PgBouncerSettings settings;
    private final Process process;
    private final Writer in;
    private final BlockingQueue<List<String>> lines = new LinkedBlockingQueue<>();
    /** What psql said after its last complete answer, once it has ended (why it failed to connect, say). */
    private volatile String lastWords = "";

    private PgBouncerAdmin(PgBouncerSettings settings, Process process) {
        this.settings = settings;
        this.process = process;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread pump = new Thread(this::pump, "inflight-pgbouncer-console");
        pump.setDaemon(true);
        pump.start();
    }

    /** Opens the console session; fails (naming what to do) when PgBouncer cannot be reached or refuses the user. */
    static PgBouncerAdmin connect(PgBouncerSettings s) {
        String psql = findPsql();
        List<String> cmd = List.of(psql, "-X", "-q", "-A", "-F", "|", "-P", "footer=off", "-v", "VERBOSITY=terse",
                "-h", s.host(), "-p", Integer.toString(s.port()), "-U", s.adminUser(), "-d", "pgbouncer");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PGCONNECT_TIMEOUT", "10");
        pb.environment().remove("PGPASSWORD");
        if (s.adminPassword().isPresent()) {
            pb.environment().put("PGPASSWORD", s.adminPassword().reveal());
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw failure(s, "connecting", "cannot run " + psql + ": " + e.getMessage());
        }
        PgBouncerAdmin admin = new PgBouncerAdmin(s, p);
        try {
            admin.run("SHOW VERSION", "connecting");
            return admin;
        } catch (RuntimeException e) {
            admin.close();
            throw e;
        }
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

    /** Reloads the configuration file and returns the entry as PgBouncer now has it. */
    Optional<Entry> reload(String db) {
        return parse(run("RELOAD;\nSHOW DATABASES", "reloading the configuration"), db);
    }

    /** PAUSE and RESUME fail when already so; a rerun after a crash must be able to repeat them. */
    private void tolerating(String already, String command, String doing) {
        try {
            run(command, doing);
        } catch (InflightException e) {
            if (!e.getMessage().contains(already)) {
                throw e;
            }
        }
    }

    /** Sends one console command and returns its output lines; an {@code ERROR} line fails it. */
    private List<String> run(String command, String doing) {
        try {
            in.write(command + ";\n\\echo " + END + "\n");
            in.flush();
        } catch (IOException e) {
            throw failure(settings, doing, "the console session ended: " + drain());
        }
        List<String> out;
        try {
            out = lines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InflightException(ErrorCode.INTERRUPTED, settings + ": interrupted while " + doing);
        }
        if (out == null) {
            throw failure(settings, doing, "no answer within " + TIMEOUT_SECONDS + " s");
        }
        if (out == EOF) {
            lines.offer(EOF);
            throw failure(settings, doing, "the console session ended: " + drain());
        }
        for (String l : out) {
            if (l.startsWith("ERROR:") || l.startsWith("psql:")) {
                throw failure(settings, doing, l.strip());
            }
        }
        return out;
    }

    /** Reads psql's output into one list per command (up to its end marker); {@link #EOF} once psql is gone. */
    private void pump() {
        List<String> current = new ArrayList<>();
        StringBuilder rest = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String l;
            while ((l = r.readLine()) != null) {
                if (l.equals(END)) {
                    lines.add(current);
                    current = new ArrayList<>();
                } else if (!l.isBlank()) {
                    current.add(l);
                }
            }
        } catch (IOException ignored) {
            // the process ended; what it said is in current
        }
        current.forEach(l -> rest.append(l).append(' '));
        lastWords = rest.toString().strip();
        lines.add(EOF);
    }

    private String drain() {
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (int i = 0; i < 50 && lines.peek() != EOF && lastWords.isEmpty(); i++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return lastWords.isEmpty() ? "psql exited" : lastWords;
    }

    private static InflightException failure(PgBouncerSettings settings, String doing, String why) {
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
        try {
            in.write("\\q\n");
            in.close();
        } catch (IOException ignored) {
            // psql is gone already
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
