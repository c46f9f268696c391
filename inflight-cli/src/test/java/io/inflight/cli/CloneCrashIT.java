package io.inflight.cli;

import static io.inflight.testkit.TableContents.fingerprint;
import static io.inflight.testkit.TableContents.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.postgres.schema.SchemaDescriber;
import io.inflight.postgres.schema.SchemaFilter;
import io.inflight.testkit.LauncherOptions;
import io.inflight.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the real {@code inflight} process while it copies and while it builds indexes; the
 * same command run again finishes, and the target then equals the source: every row once, the same schema.
 */
@Timeout(600)
class CloneCrashIT {

    static PostgresServer source;
    static PostgresServer target;
    static final List<String> TABLES = List.of("accounts", "entries", "notes");

    @TempDir
    Path temp;

    @BeforeAll
    static void servers() {
        source = PostgresServer.start(13);
        target = PostgresServer.start(17);
        source.createDatabase("ledger");
        source.execute("ledger",
                "CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL UNIQUE)",
                "CREATE TABLE entries (id bigserial PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts,"
                        + " amount numeric(14,2) NOT NULL, memo text, at timestamptz NOT NULL)",
                "CREATE INDEX entries_account ON entries (account_id, at)",
                "CREATE TABLE notes (account_id bigint NOT NULL REFERENCES accounts, body text)",
                "ALTER TABLE notes REPLICA IDENTITY FULL",
                "INSERT INTO accounts SELECT g, 'owner-' || g FROM generate_series(1, 50000) g",
                "INSERT INTO entries (account_id, amount, memo, at) SELECT 1 + g % 50000, (g % 100000) / 100.0,"
                        + " repeat('m', 40 + g % 60), timestamptz '2024-01-01' + g * interval '1 second'"
                        + " FROM generate_series(1, 1500000) g",
                "INSERT INTO notes SELECT 1 + g % 50000, 'note ' || g FROM generate_series(1, 200000) g",
                "ANALYZE");
    }

    @AfterAll
    static void stop() {
        if (target != null) {
            target.close();
        }
        if (source != null) {
            source.close();
        }
    }

    @Test
    void killedDuringCopyAndDuringPostDataThenRerunFinishesWithEveryRowOnce() throws Exception {
        target.createDatabase("copy_kill");
        Process first = start("copy_kill", "first.log");
        // Kill once some range is durably done but the copy is not: a real mid-copy crash.
        awaitTarget("copy_kill", "SELECT EXISTS (SELECT 1 FROM inflight.range_state WHERE done)"
                + " AND EXISTS (SELECT 1 FROM inflight.table_state WHERE status <> 'copied')", first);
        first.destroyForcibly().waitFor();

        Process second = start("copy_kill", "second.log");
        awaitTarget("copy_kill", "SELECT phase = 'post-data' FROM inflight.migration", second);
        second.destroyForcibly().waitFor();

        Process third = start("copy_kill", "third.log");
        assertThat(third.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(third.exitValue()).as(Files.readString(temp.resolve("third.log"))).isZero();

        try (Connection s = source.connect("ledger"); Connection t = target.connect("copy_kill")) {
            for (String table : TABLES) {
                assertThat(fingerprint(t, table)).as(table).isEqualTo(fingerprint(s, table));
            }
            assertThat(SchemaDescriber.describe(t, SchemaFilter.all()))
                    .isEqualTo(SchemaDescriber.describe(s, SchemaFilter.all()));
            assertThat(scalar(t, "SELECT count(*) FROM inflight.table_state WHERE status = 'copied'")).isEqualTo("3");
            // A table recopied after the crash carries its own, later snapshot LSN for the stream.
            assertThat(scalar(t, "SELECT bool_and(s.snapshot_lsn >= m.consistent_lsn)"
                    + " AND bool_or(s.snapshot_lsn > m.consistent_lsn)"
                    + " FROM inflight.table_state s, inflight.migration m")).isEqualTo("t");
        }
        try (Connection s = source.connect("ledger")) {
            assertThat(scalar(s, "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'inflight%'"))
                    .as("the migration's slot, and no temporary slot left behind").isEqualTo("1");
        }
    }

    private Process start(String targetDb, String log) throws Exception {
        Path jar = Paths.get("target", "inflight.jar").toAbsolutePath();
        assertThat(jar).exists();
        List<String> cmd = LauncherOptions.javaCommand(jar, List.of("-Xmx256m"));
        cmd.addAll(List.of("clone",
                "--source", "postgresql://postgres@127.0.0.1:" + source.port() + "/ledger",
                "--target", "postgresql://postgres@127.0.0.1:" + target.port() + "/" + targetDb,
                "--jobs", "2"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(temp.resolve(log).toFile());
        pb.environment().put("INFLIGHT_SOURCE_PASSWORD", source.password());
        pb.environment().put("INFLIGHT_TARGET_PASSWORD", target.password());
        return pb.start();
    }

    /** Polls the target until the query says true; fails if the process ends first. */
    private void awaitTarget(String db, String sql, Process running) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (System.nanoTime() < deadline) {
            if (!running.isAlive()) {
                throw new AssertionError("inflight ended (exit " + running.exitValue() + ") before: " + sql + "\n"
                        + logs());
            }
            try (Connection t = target.connect(db)) {
                if ("t".equals(scalar(t, sql))) {
                    return;
                }
            } catch (SQLException notYet) {
                // the state schema may not exist yet
            }
            Thread.sleep(20);
        }
        throw new AssertionError("timed out waiting for: " + sql);
    }

    private String logs() throws Exception {
        StringBuilder sb = new StringBuilder();
        try (var files = Files.list(temp)) {
            for (Path p : files.toList()) {
                sb.append("--- ").append(p.getFileName()).append('\n').append(Files.readString(p));
            }
        }
        return sb.toString();
    }
}
