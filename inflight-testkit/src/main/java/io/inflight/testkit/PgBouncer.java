package io.inflight.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real PgBouncer (Debian's package {@code pgbouncer}) on a free loopback port, in front of test servers, with
 * its admin console. Runs in the foreground as a child process, as the unprivileged server user when the JVM is
 * root (PgBouncer refuses to run as root); stopped and its directory removed on {@link #close()}.
 *
 * <p>Pooling is {@code transaction}: PgBouncer's {@code PAUSE} waits until every server connection is released,
 * which in session pooling means until every client disconnects; with transaction pooling it returns once the
 * running transactions end, and clients' next transactions queue until {@code RESUME} — what a cutover needs.
 * Client authentication is {@code md5} against an auth file holding plain passwords, which PgBouncer also uses
 * to log in to the servers (SCRAM or md5).
 */
public final class PgBouncer implements AutoCloseable {

    public static final String BINARY = "/usr/sbin/pgbouncer";

    private final Path dir;
    private final Path ini;
    private final int port;
    private final String adminUser;
    private final String adminPassword;
    private final Process process;

    private PgBouncer(Builder b) throws IOException {
        if (!Files.isExecutable(Paths.get(BINARY))) {
            throw new IllegalStateException(BINARY + " is missing: install Debian's package pgbouncer"
                    + " (apt-get install -y pgbouncer)");
        }
        this.dir = Files.createTempDirectory("inflight-pgbouncer-");
        this.ini = dir.resolve("pgbouncer.ini");
        this.port = freePort();
        this.adminUser = b.adminUser;
        this.adminPassword = b.adminPassword;
        StringBuilder users = new StringBuilder();
        Map<String, String> all = new LinkedHashMap<>(b.users);
        all.put(adminUser, adminPassword);
        all.forEach((u, p) -> users.append('"').append(u).append("\" \"").append(p.replace("\"", "\"\""))
                .append("\"\n"));
        Files.writeString(dir.resolve("users.txt"), users.toString());
        StringBuilder text = new StringBuilder("[databases]\n");
        b.databases.forEach((name, conn) -> text.append(name).append(" = ").append(conn).append('\n'));
        text.append("\n[pgbouncer]\n")
                .append("listen_addr = 127.0.0.1\n")
                .append("listen_port = ").append(port).append('\n')
                .append("unix_socket_dir =\n")
                .append("auth_type = md5\n")
                .append("auth_file = ").append(dir.resolve("users.txt")).append('\n')
                .append("admin_users = ").append(adminUser).append('\n')
                .append("pool_mode = ").append(b.poolMode).append('\n')
                .append("default_pool_size = 20\n")
                .append("max_client_conn = 200\n")
                .append("ignore_startup_parameters = extra_float_digits\n")
                .append("logfile = ").append(dir.resolve("pgbouncer.log")).append('\n')
                .append("pidfile = ").append(dir.resolve("pgbouncer.pid")).append('\n');
        Files.writeString(ini, text.toString());
        if (isRoot()) {
            run(List.of("chown", "-R", serverUser(), dir.toString()));
        }
        List<String> cmd = PostgresServer.asServerUser(List.of(BINARY, ini.toString()));
        this.process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        waitForPort();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** The configuration file; a cutover rewrites its {@code [databases]} entry and reloads. */
    public Path configFile() {
        return ini;
    }

    public String adminUser() {
        return adminUser;
    }

    public String adminPassword() {
        return adminPassword;
    }

    /**
     * A client connection through PgBouncer. Server-side prepared statements are off: with transaction pooling a
     * statement prepared on one server connection does not exist on the next.
     */
    public Connection connect(String database, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("prepareThreshold", "0");
        p.setProperty("connectTimeout", "10");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, p);
    }

    /** What PgBouncer logged so far (for test failure messages). */
    public String log() {
        try {
            return Files.readString(dir.resolve("pgbouncer.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            run(List.of("rm", "-rf", dir.toString()));
        } catch (RuntimeException ignored) {
            // a leftover temp directory harms nobody
        }
    }

    private void waitForPort() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("pgbouncer exited with " + process.exitValue() + ": "
                        + Files.readString(dir.resolve("stdout.log")) + "\n" + log());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("pgbouncer did not listen on port " + port + " within 15 s: " + log());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static String serverUser() {
        return System.getProperty("inflight.pg.user", "postgres");
    }

    private static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** What to put in front of which server. */
    public static final class Builder {
        private final Map<String, String> databases = new LinkedHashMap<>();
        private final Map<String, String> users = new LinkedHashMap<>();
        private String adminUser = "pgbouncer_admin";
        private String adminPassword = "admin-" + UUID.randomUUID().toString().substring(0, 8);
        private String poolMode = "transaction";

        /** A {@code [databases]} entry: clients connecting to {@code name} reach that server's database. */
        public Builder database(String name, PostgresServer server, String dbname) {
            databases.put(name, "host=" + server.host() + " port=" + server.port() + " dbname=" + dbname);
            return this;
        }

        /** A user clients (and PgBouncer, towards the server) log in as. */
        public Builder user(String name, String password) {
            users.put(name, password);
            return this;
        }

        public Builder admin(String name, String password) {
            this.adminUser = name;
            this.adminPassword = password;
            return this;
        }

        public Builder poolMode(String mode) {
            this.poolMode = mode;
            return this;
        }

        public PgBouncer start() {
            try {
                return new PgBouncer(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start pgbouncer", e);
            }
        }
    }
}
