package io.inflight.bench;

import io.inflight.testkit.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;

/** Where a benchmark ran: enough to judge whether two reports can be compared. */
record Machine(int cores, long memoryBytes, String cpu, String os, String java, String sourceVersion,
        String targetVersion, String clientTools) {

    static Machine describe(PostgresServer source, PostgresServer target, ClientTools tools) {
        return new Machine(Runtime.getRuntime().availableProcessors(), readMemoryBytes(), readCpuModel(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                "Java " + System.getProperty("java.version"), serverVersion(source), serverVersion(target),
                tools.version());
    }

    /** One line for the report. */
    String summary() {
        return String.format(Locale.ROOT, "%d cores (%s), %.1f GiB RAM, %s, %s; source PostgreSQL %s, target "
                        + "PostgreSQL %s, client tools: %s", cores, cpu, memoryBytes / (double) (1L << 30), os, java,
                sourceVersion, targetVersion, clientTools);
    }

    /** The 1-, 5- and 15-minute load averages as /proc/loadavg shows them, for noting how busy the machine was. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static long readMemoryBytes() {
        return procLine("/proc/meminfo", "MemTotal:")
                .map(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024)
                .orElse(-1L);
    }

    private static String readCpuModel() {
        return procLine("/proc/cpuinfo", "model name").map(l -> l.substring(l.indexOf(':') + 1).strip())
                .orElse("unknown CPU");
    }

    private static Optional<String> procLine(String file, String prefix) {
        try (var lines = Files.lines(Path.of(file))) {
            return lines.filter(l -> l.startsWith(prefix)).findFirst();
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }

    private static String serverVersion(PostgresServer server) {
        try (Connection c = server.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            return server.major() + " (version unreadable: " + e.getMessage() + ")";
        }
    }
}
