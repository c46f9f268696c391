package io.inflight.testkit;

import io.inflight.core.Endpoint;
import io.inflight.core.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server of a chosen major version on a free loopback port, with
 * {@code wal_level=logical}, password authentication over TCP, and its data removed on {@link #close()}.
 *
 * <p>PostgreSQL refuses to run as root. When the JVM is root, every server command runs as the
 * unprivileged user {@code postgres} (override with {@code -Dinflight.pg.user}), and the server's
 * directories are made over to that user. Servers left behind by a JVM that died are stopped and
 * removed by the next fixture that starts.
 */
public final class PostgresServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);
    private static final Path ROOT = Paths.get(System.getProperty("java.io.tmpdir"), "inflight-pg");
    public static final String SUPERUSER = "postgres";

    private final PostgresBinaries binaries;
    private final Path baseDir;
    private final Path dataDir;
    private final Path socketDir;
    private final Path logFile;
    private final int port;
    private final String password;
    private volatile boolean running;
    private final Thread shutdownHook;

    private PostgresServer(Builder b) throws IOException {
        this.binaries = b.binaries != null ? b.binaries : PostgresBinaries.forMajor(b.major);
        reapOrphans();
        Files.createDirectories(ROOT);
        openUp(ROOT);
        this.baseDir = Files.createDirectory(ROOT.resolve("pg" + binaries.major() + "-" + ProcessHandle.current().pid()
                + "-" + UUID.randomUUID().toString().substring(0, 8)));
        this.dataDir = baseDir.resolve("data");
        this.socketDir = baseDir.resolve("sock");
        this.logFile = baseDir.resolve("server.log");
        this.password = b.password;
        Files.createDirectories(socketDir);
        Files.createFile(logFile);
        if (b.tls != null) {
            // The server's own copies: its OS user must own the key and nobody else may read it.
            Path cert = baseDir.resolve("server.crt");
            Path key = baseDir.resolve("server.key");
            Files.copy(b.tls.serverCert(), cert);
            Files.copy(b.tls.serverKey(), key);
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            b.settings.put("ssl", "on");
            b.settings.put("ssl_cert_file", "'" + cert + "'");
            b.settings.put("ssl_key_file", "'" + key + "'");
            // Lets pg_hba.conf ask for client certificates signed by the same authority.
            Path ca = baseDir.resolve("ca.crt");
            Files.copy(b.tls.caCert(), ca);
            b.settings.put("ssl_ca_file", "'" + ca + "'");
        }
        Path pwFile = baseDir.resolve("pw");
        Files.writeString(pwFile, password + "\n");
        handOver(baseDir);

        exec(List.of(binaries.tool("initdb").toString(), "-D", dataDir.toString(), "-U", SUPERUSER,
                "-E", "UTF8", "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256",
                "--pwfile=" + pwFile, "-N"), 120);
        Files.delete(pwFile);

        this.port = b.port > 0 ? b.port : freePort();
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("listen_addresses", "'127.0.0.1'");
        conf.put("port", Integer.toString(port));
        conf.put("unix_socket_directories", "'" + socketDir + "'");
        conf.put("wal_level", "logical");
        conf.put("max_replication_slots", "20");
        conf.put("max_wal_senders", "20");
        conf.put("max_connections", "100");
        conf.put("shared_buffers", "128MB");
        conf.put("max_wal_size", "2GB");
        conf.put("fsync", b.durable ? "on" : "off");
        conf.put("synchronous_commit", b.durable ? "on" : "off");
        conf.put("full_page_writes", b.durable ? "on" : "off");
        conf.put("log_min_messages", "warning");
        conf.put("log_line_prefix", "'%m [%p] %u@%d '");
        conf.putAll(b.settings);
        StringBuilder text = new StringBuilder("\n# inflight test kit\n");
        conf.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
        Path confFile = dataDir.resolve("postgresql.conf");
        asRoot(() -> Files.writeString(confFile, text.toString(), StandardOpenOption.APPEND));
        this.shutdownHook = new Thread(this::stopQuietly, "stop-" + baseDir.getFileName());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        start();
    }

    public static Builder builder(int major) {
        return new Builder(major);
    }

    /** Starts a server of that major version with the default settings. */
    public static PostgresServer start(int major) {
        return builder(major).start();
    }

    public int major() {
        return binaries.major();
    }

    public PostgresBinaries binaries() {
        return binaries;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public String password() {
        return password;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return logFile;
    }

    public Path socketDir() {
        return socketDir;
    }

    public Endpoint endpoint(String database) {
        return Endpoint.of(host(), port, database, SUPERUSER, Secret.of(password));
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
    }

    /** A superuser connection to a database, autocommit on. */
    public Connection connect(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", SUPERUSER);
        p.setProperty("password", password);
        return DriverManager.getConnection(jdbcUrl(database), p);
    }

    /** Runs statements one by one as the superuser. */
    public void execute(String database, String... statements) {
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("on " + database + ": " + e.getMessage(), e);
        }
    }

    public void createDatabase(String name) {
        execute("postgres", "CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\"");
    }

    /** Starts (or restarts after {@link #stop}) the server and waits until it accepts connections. */
    public synchronized void start() {
        exec(List.of(binaries.tool("pg_ctl").toString(), "-D", dataDir.toString(), "-l", logFile.toString(),
                "-w", "-t", "120", "start"), 150);
        running = true;
        log.debug("PostgreSQL {} up on port {} ({})", major(), port, dataDir);
    }

    /** Stops the server: {@code fast} disconnects clients cleanly, {@code immediate} is a crash. */
    public synchronized void stop(String mode) {
        if (!running) {
            return;
        }
        exec(List.of(binaries.tool("pg_ctl").toString(), "-D", dataDir.toString(), "-m", mode, "-w", "-t", "120",
                "stop"), 150);
        running = false;
    }

    public void restart() {
        stop("fast");
        start();
    }

    public boolean isRunning() {
        return running;
    }

    /** The server log's text, for tests that assert on what the server said. */
    public String serverLog() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run; nothing to remove
        }
        deleteTree(baseDir);
    }

    private void stopQuietly() {
        try {
            stop("fast");
        } catch (RuntimeException e) {
            try {
                stop("immediate");
            } catch (RuntimeException again) {
                log.warn("could not stop PostgreSQL in {}: {}", dataDir, again.getMessage());
            }
        }
    }

    // ---- running as another user -------------------------------------------------------------

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static String serverUser() {
        return System.getProperty("inflight.pg.user", "postgres");
    }

    /** Prefixes a command so it runs as the unprivileged server user when the JVM is root. */
    static List<String> asServerUser(List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> full = new ArrayList<>(List.of("setpriv", "--reuid=" + serverUser(), "--regid=" + serverUser(),
                "--init-groups", "--reset-env", "--"));
        full.addAll(command);
        return full;
    }

    private void exec(List<String> command, int timeoutSeconds) {
        List<String> full = asServerUser(command);
        try {
            Process p = new ProcessBuilder(full).directory(baseDir.toFile()).redirectErrorStream(true).start();
            // Read output on this thread: pg_ctl start leaves the server holding no pipe of ours (-l).
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " timed out after " + timeoutSeconds + "s");
            }
            if (p.exitValue() != 0) {
                String tail = Files.exists(logFile) ? tail(logFile) : "";
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
                        + out.strip() + (tail.isEmpty() ? "" : "\nserver log:\n" + tail));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + full, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private static void handOver(Path dir) throws IOException {
        if (isRoot()) {
            PostgresBinaries.run(List.of("chown", "-R", serverUser(), dir.toString()));
        }
    }

    private static void openUp(Path dir) {
        dir.toFile().setReadable(true, false);
        dir.toFile().setWritable(true, false);
        dir.toFile().setExecutable(true, false);
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void asRoot(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) {
        try {
            PostgresBinaries.run(List.of("rm", "-rf", dir.toString()));
        } catch (IOException e) {
            log.warn("could not remove {}: {}", dir, e.getMessage());
        }
    }

    /** Stops and removes servers whose owning JVM is gone (a test run that was killed). */
    private static void reapOrphans() {
        if (!Files.isDirectory(ROOT)) {
            return;
        }
        try (var dirs = Files.list(ROOT)) {
            for (Path dir : dirs.toList()) {
                String[] parts = dir.getFileName().toString().split("-");
                if (parts.length < 3) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(parts[1]);
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                Path pidFile = dir.resolve("data/postmaster.pid");
                if (Files.exists(pidFile)) {
                    try {
                        long serverPid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
                        ProcessHandle.of(serverPid).ifPresent(ProcessHandle::destroyForcibly);
                    } catch (IOException | RuntimeException e) {
                        log.debug("orphan {}: {}", dir, e.getMessage());
                    }
                }
                deleteTree(dir);
            }
        } catch (IOException e) {
            log.debug("cannot scan {}: {}", ROOT, e.getMessage());
        }
    }

    /** Settings for a server before it starts. */
    public static final class Builder {
        private final int major;
        private PostgresBinaries binaries;
        private int port;
        private boolean durable;
        private String password = "pw-" + UUID.randomUUID().toString().substring(0, 12);
        private final Map<String, String> settings = new LinkedHashMap<>();
        private TlsFiles tls;

        private Builder(int major) {
            this.major = major;
        }

        /** Use these binaries (e.g. {@link PostgresBinaries#system(int)}) rather than the bundle. */
        public Builder binaries(PostgresBinaries b) {
            this.binaries = b;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** fsync and synchronous commit on, as in production; off by default to keep tests fast. */
        public Builder durable(boolean durable) {
            this.durable = durable;
            return this;
        }

        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** A {@code postgresql.conf} setting, value as it would be written there (quote strings). */
        public Builder setting(String name, String value) {
            settings.put(name, value);
            return this;
        }

        /** Serve TLS ({@code ssl = on}) with this certificate and key; clients may still connect without. */
        public Builder tls(TlsFiles files) {
            this.tls = files;
            return this;
        }

        public PostgresServer start() {
            try {
                return new PostgresServer(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start PostgreSQL " + major, e);
            }
        }
    }
}
