package io.inflight.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;

/** Where the suite ran, one line for the report. */
record Machine(String summary) {

    static Machine describe(Rig rig) {
        return new Machine(String.format(Locale.ROOT, "%d cores (%s), %.1f GiB RAM, %s %s, Java %s; source PostgreSQL %s,"
                        + " target PostgreSQL %s", Runtime.getRuntime().availableProcessors(),
                procLine("/proc/cpuinfo", "model name").map(l -> l.substring(l.indexOf(':') + 1).strip())
                        .orElse("unknown CPU"),
                procLine("/proc/meminfo", "MemTotal:").map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1048576.0)
                        .orElse(-1.0),
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("java.version"),
                version(rig, true), version(rig, false)));
    }

    private static String version(Rig rig, boolean source) {
        try (Connection c = (source ? rig.source : rig.target).connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            return "?";
        }
    }

    private static Optional<String> procLine(String file, String prefix) {
        try (var lines = Files.lines(Path.of(file))) {
            return lines.filter(l -> l.startsWith(prefix)).findFirst();
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }
}
