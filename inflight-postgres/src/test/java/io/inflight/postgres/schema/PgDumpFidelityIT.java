package io.inflight.postgres.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.testkit.PostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An independent witness: PostgreSQL's own pg_dump (15) must print the same schema for a PostgreSQL 13
 * source and its clone on PostgreSQL 15.
 */
@Timeout(180)
class PgDumpFidelityIT {

    static final Path PG_DUMP = Path.of("/usr/lib/postgresql/15/bin/pg_dump");

    @Test
    void pgDumpSeesTheSameSchemaOnSourceAndClone() throws Exception {
        try (PostgresServer source = PostgresServer.start(13); PostgresServer target = PostgresServer.builder(15).start()) {
            CloneFixture.load(source, "app");
            CloneFixture.createRoles(target, true);
            target.createDatabase("app");
            SchemaPlan plan = CloneFixture.plan(source, "app");
            CloneFixture.preData(target, "app", plan);
            CloneFixture.insertRows(target, "app");
            assertThat(CloneFixture.postData(target, "app", plan, 2)).isEmpty();

            String sourceDump = normalize(dump(source));
            String targetDump = normalize(dump(target));

            assertThat(sourceDump).contains("CREATE TABLE sales.customer", "CREATE MATERIALIZED VIEW sales.mood_counts",
                    "ALTER TABLE ONLY sales.events", "CREATE TRIGGER customer_touch");
            java.nio.file.Files.writeString(Path.of("target/pgdump-source.sql"), sourceDump);
            java.nio.file.Files.writeString(Path.of("target/pgdump-target.sql"), targetDump);
            assertThat(lineDiff(sourceDump, targetDump)).as("pg_dump of source (-) vs target (+)").isEmpty();
            assertThat(targetDump).isEqualTo(sourceDump);
        }
    }

    /** Lines only in {@code a} ("- ") or only in {@code b} ("+ "), in their order. */
    static String lineDiff(String a, String b) {
        List<String> left = a.lines().toList();
        List<String> right = b.lines().toList();
        java.util.Map<String, Long> counts = new java.util.HashMap<>();
        right.forEach(l -> counts.merge(l, 1L, Long::sum));
        StringBuilder sb = new StringBuilder();
        for (String l : left) {
            if (counts.getOrDefault(l, 0L) > 0) {
                counts.merge(l, -1L, Long::sum);
            } else {
                sb.append("- ").append(l).append('\n');
            }
        }
        java.util.Map<String, Long> leftCounts = new java.util.HashMap<>();
        left.forEach(l -> leftCounts.merge(l, 1L, Long::sum));
        for (String l : right) {
            if (leftCounts.getOrDefault(l, 0L) > 0) {
                leftCounts.merge(l, -1L, Long::sum);
            } else {
                sb.append("+ ").append(l).append('\n');
            }
        }
        return sb.toString();
    }

    private static String dump(PostgresServer pg) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(PG_DUMP.toString(), "--schema-only", "--exclude-schema=inflight",
                "-h", pg.host(), "-p", String.valueOf(pg.port()), "-U", PostgresServer.SUPERUSER, "-d", "app");
        pb.environment().put("PGPASSWORD", pg.password());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /**
     * Drops what differs by construction: comment lines (they carry the server version and the dump
     * header), SET and set_config lines (session settings of the restore), blank lines. Two things newer
     * servers print for the same object are removed on both sides: the argument mode of procedures
     * ({@code IN p integer}, 14 and newer) and the name of the multirange type that 14 and newer make for
     * every range type.
     */
    static String normalize(String dump) {
        List<String> lines = dump.lines()
                .filter(l -> !l.startsWith("--") && !l.startsWith("SET ") && !l.isBlank() && !l.startsWith("\\restrict")
                        && !l.startsWith("\\unrestrict")
                        && !l.startsWith("SELECT pg_catalog.set_config") && !l.startsWith("    multirange_type_name = "))
                .map(l -> l.contains("PROCEDURE ") ? l.replaceAll("([(,] ?)IN ", "$1") : l)
                .collect(Collectors.toList());
        return String.join("\n", lines) + "\n";
    }
}
