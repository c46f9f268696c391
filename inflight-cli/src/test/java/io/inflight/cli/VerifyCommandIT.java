package io.inflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.ErrorCode;
import io.inflight.testkit.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code inflight verify} in-process, 13 → 17: exit codes, --json and --diff-file. */
@Timeout(180)
class VerifyCommandIT {

    static PostgresServer source;
    static PostgresServer target;

    static final String[] DATA = {
        "CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, balance numeric(12,2), opened timestamptz)",
        "INSERT INTO accounts SELECT g, 'owner ' || g, g * 10.5, timestamptz '2020-01-01 00:00+00' + g * interval '1 hour'"
                + " FROM generate_series(1, 5000) g",
        "CREATE TABLE notes (body text, n int)",
        "INSERT INTO notes SELECT 'note ' || (g % 50), g % 2 FROM generate_series(1, 400) g",
        "ANALYZE"
    };

    @TempDir
    Path temp;

    @BeforeAll
    static void servers() {
        source = PostgresServer.start(13);
        target = PostgresServer.start(17);
        source.createDatabase("app");
        source.execute("app", DATA);
        for (String db : new String[] {"same", "changed", "partial"}) {
            target.createDatabase(db);
            target.execute(db, DATA);
        }
        target.execute("changed", "UPDATE accounts SET balance = 0 WHERE id = 4321", "DELETE FROM accounts WHERE id = 7",
                "INSERT INTO notes VALUES ('intruder', 1)");
        target.execute("partial", "DROP TABLE notes");
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

    private static MainTest.Run verify(String targetDb, String... more) {
        String[] args = new String[6 + more.length];
        String[] base = {"verify", "--source", uri(source, "app"), "--target", uri(target, targetDb)};
        System.arraycopy(base, 0, args, 0, base.length);
        args[5] = "--restart";
        System.arraycopy(more, 0, args, 6, more.length);
        return MainTest.run(Map.of(Passwords.variableFor("source"), source.password(),
                Passwords.variableFor("target"), target.password()), args);
    }

    private static String uri(PostgresServer pg, String db) {
        return "postgresql://" + PostgresServer.SUPERUSER + "@" + pg.host() + ":" + pg.port() + "/" + db;
    }

    @Test
    void equalTablesExitZero() {
        MainTest.Run r = verify("same", "--json", "--jobs", "2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("verify: EQUAL - 2 tables, 5,400 rows compared")
                .contains("public.notes").contains("(no key: compared as a multiset, slower)");
        assertThat(r.out().strip()).startsWith("{\"outcome\":\"equal\",\"equal\":true,").contains("\"rowsCompared\":5400");
    }

    @Test
    void differencesExitWithTheirOwnCodeAndGoToTheDiffFile() throws Exception {
        Path diff = temp.resolve("diff.jsonl");
        MainTest.Run r = verify("changed", "--json", "--diff-file", diff.toString(), "--live", "off");
        assertThat(r.code()).as(r.err()).isEqualTo(ErrorCode.DATA_DIFFERS.exitCode()).isEqualTo(22);
        assertThat(r.err()).contains("verify: NOT EQUAL")
                .contains("1 missing on the target, 1 differing (balance: 1)")
                .contains("public.accounts differs id=4321 (columns: balance)")
                .contains("every difference: " + diff);
        String json = r.out().strip();
        assertThat(json).startsWith("{\"outcome\":\"differs\",\"equal\":false,")
                .contains("{\"table\":\"public.accounts\",\"method\":\"key\",\"status\":\"differs\",\"keyColumns\":[\"id\"],"
                        + "\"sourceRows\":5000,\"targetRows\":4999,\"missing\":1,\"extra\":0,\"differing\":1,"
                        + "\"differingColumns\":{\"balance\":1},")
                .contains("{\"table\":\"public.notes\",\"method\":\"multiset\",\"status\":\"differs\",\"keyColumns\":[],"
                        + "\"sourceRows\":400,\"targetRows\":401,\"missing\":0,\"extra\":1,\"differing\":0,");
        assertThat(Files.readAllLines(diff, StandardCharsets.UTF_8)).containsExactlyInAnyOrder(
                "{\"table\":\"public.accounts\",\"kind\":\"missing\",\"key\":{\"id\":\"7\"}}",
                "{\"table\":\"public.accounts\",\"kind\":\"differs\",\"key\":{\"id\":\"4321\"},\"columns\":[\"balance\"]}",
                "{\"table\":\"public.notes\",\"kind\":\"extra\",\"row\":\"(intruder,1)\",\"rows\":1}");
    }

    @Test
    void aTableMissingOnTheTargetCannotBeCompared() {
        MainTest.Run r = verify("partial");
        assertThat(r.code()).as(r.err()).isEqualTo(ErrorCode.SCHEMA_MISMATCH.exitCode());
        assertThat(r.err()).contains("COULD NOT COMPARE").contains("public.notes")
                .contains("NOT COMPARED: the table is missing on the target");
    }

    @Test
    void badLiveModeIsAConfigurationError() {
        MainTest.Run r = verify("same", "--live", "sometimes");
        assertThat(r.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION.exitCode());
        assertThat(r.err()).contains("--live 'sometimes' is not one of auto, off, stream, subscription:NAME");
    }
}
