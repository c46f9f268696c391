package io.inflight.bench;

import io.inflight.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's PostgreSQL 15 client programs (psql, pg_dump, pg_restore), pointed at a test-kit server.
 * Version 15 both dumps a 13 server and restores into 17, so one set serves every reference tool.
 * The password travels in {@code PGPASSWORD}, never on a command line.
 */
record ClientTools(Path binDir) {

    static ClientTools debian15() {
        Path dir = Paths.get("/usr/lib/postgresql/15/bin");
        for (String tool : List.of("psql", "pg_dump", "pg_restore")) {
            if (!Files.isExecutable(dir.resolve(tool))) {
                throw new IllegalStateException(dir.resolve(tool) + " is missing: install PostgreSQL 15's client "
                        + "tools (apt-get install postgresql-client-15)");
            }
        }
        return new ClientTools(dir);
    }

    /**
     * A command for {@code tool} connected to {@code database} on {@code server} as its superuser,
     * followed by {@code args}; {@code -d} is the database to read for pg_dump and psql and the one to
     * restore into for pg_restore.
     */
    ProcessBuilder command(String tool, PostgresServer server, String database, String... args) {
        List<String> cmd = new ArrayList<>(List.of(binDir.resolve(tool).toString(), "-h", server.host(),
                "-p", Integer.toString(server.port()), "-U", PostgresServer.SUPERUSER, "-d", database));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PGPASSWORD", server.password());
        return pb;
    }

    /** psql without the user's .psqlrc, quiet, stopping at the first error. */
    ProcessBuilder psql(PostgresServer server, String database, String... args) {
        List<String> all = new ArrayList<>(List.of("-X", "-q", "-v", "ON_ERROR_STOP=1"));
        all.addAll(List.of(args));
        return command("psql", server, database, all.toArray(String[]::new));
    }

    /** "pg_dump (PostgreSQL) 15.13 (Debian 15.13-0+deb12u1)" or alike. */
    String version() {
        try {
            Process p = new ProcessBuilder(binDir.resolve("pg_dump").toString(), "--version")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            return out;
        } catch (java.io.IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
