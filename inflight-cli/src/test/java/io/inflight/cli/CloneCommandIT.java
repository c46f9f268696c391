package io.inflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.ErrorCode;
import io.inflight.testkit.PostgresServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code inflight clone} run in-process against a real PostgreSQL 13 source and 17 target. */
@Timeout(180)
class CloneCommandIT {

    private static final String PGPASSFILE_PROPERTY = "org.postgresql.pgpassfile";

    static PostgresServer source;
    static PostgresServer target;

    @TempDir
    Path temp;

    @BeforeAll
    static void servers() {
        source = PostgresServer.start(13);
        target = PostgresServer.start(17);
        source.createDatabase("app");
        source.execute("app",
                "CREATE TABLE public.customers (id bigint PRIMARY KEY, email text NOT NULL UNIQUE)",
                "CREATE TABLE public.orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES public.customers,"
                        + " amount numeric(12,2) NOT NULL CHECK (amount > 0))",
                "INSERT INTO public.customers SELECT g, 'c' || g || '@example.com' FROM generate_series(1, 2000) g",
                "INSERT INTO public.orders SELECT g, 1 + g % 2000, (g % 500) + 0.5 FROM generate_series(1, 7000) g",
                "ANALYZE");
        target.createDatabase("app");
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

    private static String uri(PostgresServer pg, String db) {
        return "postgresql://" + PostgresServer.SUPERUSER + "@" + pg.host() + ":" + pg.port() + "/" + db;
    }

    /** The source's password from the environment, the target's from a pgpass file: both ways users give them. */
    @Test
    void clonePrintsTheResultAsJson() throws Exception {
        Path pgpass = temp.resolve("pgpass");
        Files.writeString(pgpass, target.host() + ":" + target.port() + ":app:" + PostgresServer.SUPERUSER + ":"
                + target.password() + "\n");
        String previous = System.setProperty(PGPASSFILE_PROPERTY, pgpass.toString());
        MainTest.Run r;
        try {
            r = MainTest.run(Map.of(Passwords.variableFor("source"), source.password()),
                    "clone", "--source", uri(source, "app"), "--target", uri(target, "app"),
                    "--jobs", "2", "--slot", "cli_it", "--publication", "cli_it", "--json");
        } finally {
            restore(previous);
        }
        assertThat(r.code()).as(r.err()).isZero();
        String json = r.out().strip();
        assertThat(json).startsWith("{").endsWith("}").doesNotContain("\n");
        assertThat(text(json, "slot")).isEqualTo("cli_it");
        assertThat(text(json, "publication")).isEqualTo("cli_it");
        assertThat(text(json, "consistentPoint")).matches("[0-9A-F]+/[0-9A-F]+");
        assertThat(number(json, "tablesCopied")).isEqualTo(2);
        assertThat(number(json, "tablesSkipped")).isZero();
        assertThat(number(json, "rowsCopied")).isEqualTo(9000);
        assertThat(number(json, "bytesCopied")).isPositive();
        assertThat(number(json, "elapsedMs")).isPositive();
        assertThat(json).containsPattern("\"phasesMs\":\\{(\"[a-z-]+\":\\d+,?)+\\}").contains("\"copy\":");
        assertThat(count(target, "public.orders")).isEqualTo(7000);
        assertThat(count(target, "public.customers")).isEqualTo(2000);
        assertThat(r.err()).doesNotContain(source.password()).doesNotContain(target.password());
    }

    @Test
    void unreachableSourceIsAConnectionFailureNamingIt() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        MainTest.Run r = MainTest.run(Map.of(), "clone", "--source", "postgresql://app@127.0.0.1:" + closed + "/app",
                "--target", uri(target, "app"));
        assertThat(r.code()).as(r.err()).isEqualTo(ErrorCode.CONNECTION_FAILED.exitCode());
        assertThat(r.err()).startsWith("inflight: source").contains("127.0.0.1:" + closed)
                .doesNotContain("\tat ");
    }

    @Test
    void wrongPasswordIsAnAuthenticationFailureThatNamesTheUserButNotThePassword() {
        String wrong = "not-the-password-" + System.nanoTime();
        MainTest.Run r = MainTest.run(Map.of(Passwords.variableFor("source"), wrong), "clone",
                "--source", uri(source, "app"), "--target", uri(target, "app"));
        assertThat(r.code()).as(r.err()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED.exitCode());
        assertThat(r.err()).contains("source").contains("'" + PostgresServer.SUPERUSER + "'")
                .contains("INFLIGHT_SOURCE_PASSWORD").doesNotContain(wrong);
        assertThat(r.out()).doesNotContain(wrong);
    }

    /** A wrong password that only a pgpass file could have supplied proves the driver reads the file. */
    @Test
    void pgpassFileIsReadWhenNoVariableIsSet() throws IOException {
        String wrong = "pgpass-wrong-" + System.nanoTime();
        Path pgpass = temp.resolve("pgpass");
        Files.writeString(pgpass, "*:*:*:" + PostgresServer.SUPERUSER + ":" + wrong + "\n");
        String previous = System.setProperty(PGPASSFILE_PROPERTY, pgpass.toString());
        MainTest.Run r;
        try {
            r = MainTest.run(Map.of(), "clone", "--source", uri(source, "app"), "--target", uri(target, "app"));
        } finally {
            restore(previous);
        }
        assertThat(r.code()).as(r.err()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED.exitCode());
        assertThat(r.err()).contains("password authentication failed").doesNotContain(wrong);
    }

    private static void restore(String previous) {
        if (previous == null) {
            System.clearProperty(PGPASSFILE_PROPERTY);
        } else {
            System.setProperty(PGPASSFILE_PROPERTY, previous);
        }
    }

    private static String text(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":\"([^\"]*)\"").matcher(json);
        assertThat(m.find()).as(field + " in " + json).isTrue();
        return m.group(1);
    }

    private static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
        assertThat(m.find()).as(field + " in " + json).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static long count(PostgresServer pg, String table) throws SQLException {
        try (Connection c = pg.connect("app"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
