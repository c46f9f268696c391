package io.inflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.ErrorCode;
import io.inflight.testkit.PostgresServer;
import io.inflight.testkit.TableContents;
import io.inflight.testkit.TlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to the databases: a PG13 source that accepts only TLS connections (hostssl), with a certificate
 * from a CA the test generates, and a PG17 target without TLS.
 */
@Timeout(180)
class TlsIT {

    @TempDir
    static Path certs;

    static TlsFiles tls;
    static TlsFiles stranger;
    static PostgresServer source;
    static PostgresServer target;

    @BeforeAll
    static void servers() throws Exception {
        tls = TlsFiles.generate(certs.resolve("good"), "inflight");
        stranger = TlsFiles.generate(certs.resolve("other"), "stranger");
        source = PostgresServer.builder(13).tls(tls).start();
        // Only TLS connections are let in from now on: a clone that works proves every connection used TLS.
        Path hba = source.dataDir().resolve("pg_hba.conf");
        Files.writeString(hba, Files.readString(hba).replaceAll("(?m)^host(\\s)", "hostssl$1"));
        source.execute("postgres", "SELECT pg_reload_conf()");
        source.createDatabase("app");
        source.execute("app", "CREATE TABLE public.items (id int PRIMARY KEY, name text NOT NULL)",
                "INSERT INTO public.items SELECT g, 'item ' || g FROM generate_series(1, 500) g");
        target = PostgresServer.start(17);
        target.createDatabase("app");
    }

    @AfterAll
    static void stop() {
        if (source != null) {
            source.close();
        }
        if (target != null) {
            target.close();
        }
    }

    private static String uri(PostgresServer pg, String db) {
        return "postgresql://" + PostgresServer.SUPERUSER + "@" + pg.host() + ":" + pg.port() + "/" + db;
    }

    @Test
    void cloneOverVerifyFullConfiguredInTheYamlFile() throws Exception {
        Path sourcePw = certs.resolve("source.pw");
        Files.writeString(sourcePw, source.password() + "\n");
        Path targetPw = certs.resolve("target.pw");
        Files.writeString(targetPw, target.password());
        Path config = certs.resolve("inflight.yaml");
        Files.writeString(config, """
                source:
                  uri: %s
                  sslmode: verify-full
                  sslrootcert: %s
                  password_file: %s
                target: %s
                target_password_file: %s
                jobs: 2
                clone:
                  slot: tls_it
                  publication: tls_it
                """.formatted(uri(source, "app"), tls.caCert(), sourcePw, uri(target, "app"), targetPw));

        MainTest.Run r = MainTest.run(Map.of(), "--config", config.toString(), "clone", "--json", "--quiet");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"slot\":\"tls_it\"").contains("\"rowsCopied\":500");
        try (Connection c = target.connect("app"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM public.items")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(500);
        }
        Properties plain = new Properties();
        plain.setProperty("user", PostgresServer.SUPERUSER);
        plain.setProperty("password", source.password());
        plain.setProperty("sslmode", "disable");
        try (Connection c = DriverManager.getConnection(source.jdbcUrl("app"), plain)) {
            throw new AssertionError("a connection without TLS was let in: " + c);
        } catch (SQLException expected) {
            assertThat(expected.getMessage()).contains("SSL off");
        }
    }

    @Test
    void aWrongCaAndRequireWithoutTlsAreEachNamedWithWhatToDo() {
        Map<String, String> env = Map.of(Passwords.variableFor("source"), source.password(),
                Passwords.variableFor("target"), target.password());
        MainTest.Run r = MainTest.run(env, "check", "--json",
                "--source", uri(source, "app") + "?sslmode=verify-full&sslrootcert=" + stranger.caCert(),
                "--target", uri(target, "app") + "?sslmode=require");

        assertThat(r.code()).isEqualTo(ErrorCode.CONNECTION_FAILED.exitCode());
        assertThat(r.out())
                .contains("TLS to the source 127.0.0.1:" + source.port() + " failed with sslmode=verify-full: the server's"
                        + " certificate was not accepted. Check that sslrootcert (" + stranger.caCert() + ")")
                .contains("TLS to the target 127.0.0.1:" + target.port() + " failed with sslmode=require: the server"
                        + " does not offer TLS");
    }

    /**
     * A source that takes no password at all, only a client certificate whose name is the role's: the clone
     * must present {@code sslcert}/{@code sslkey} on every connection, replication included.
     */
    @Test
    void cloneAuthenticatedByAClientCertificate() throws Exception {
        TlsFiles.ClientCertificate client = tls.clientCertificate("certified");
        try (PostgresServer certOnly = PostgresServer.builder(13).tls(tls).start()) {
            certOnly.createDatabase("app");
            certOnly.execute("app", "CREATE TABLE public.items (id int PRIMARY KEY, name text NOT NULL)",
                    "INSERT INTO public.items SELECT g, 'item ' || g FROM generate_series(1, 300) g");
            // A role with no password: only its certificate lets it in.
            certOnly.execute("app", "CREATE ROLE certified LOGIN SUPERUSER");
            Path hba = certOnly.dataDir().resolve("pg_hba.conf");
            Files.writeString(hba, "hostssl all certified 127.0.0.1/32 cert\n"
                    + "hostssl replication certified 127.0.0.1/32 cert\n" + Files.readString(hba));
            certOnly.execute("postgres", "SELECT pg_reload_conf()");
            String certUri = "postgresql://certified@" + certOnly.host() + ":" + certOnly.port() + "/app";
            target.createDatabase("bycert");
            String tlsQuery = "?sslmode=verify-full&sslrootcert=" + tls.caCert() + "&sslcert=" + client.cert()
                    + "&sslkey=" + client.key();

            MainTest.Run withoutCert = MainTest.run(Map.of(Passwords.variableFor("target"), target.password()),
                    "clone", "--source", certUri + "?sslmode=verify-full&sslrootcert=" + tls.caCert(),
                    "--target", uri(target, "bycert"), "--quiet");
            assertThat(withoutCert.code()).as(withoutCert.err()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED.exitCode());
            assertThat(withoutCert.err()).contains("certified@127.0.0.1:" + certOnly.port());

            MainTest.Run clone = MainTest.run(Map.of(Passwords.variableFor("target"), target.password()), "clone",
                    "--source", certUri + tlsQuery, "--target", uri(target, "bycert"), "--quiet");
            assertThat(clone.code()).as(clone.err()).isZero();
            try (Connection s = certOnly.connect("app"); Connection t = target.connect("bycert")) {
                assertThat(TableContents.fingerprint(t, "public.items"))
                        .isEqualTo(TableContents.fingerprint(s, "public.items"));
            }
        }
    }

    @Test
    void checkSucceedsOverVerifyFull() {
        Map<String, String> env = Map.of(Passwords.variableFor("source"), source.password(),
                Passwords.variableFor("target"), target.password());
        MainTest.Run r = MainTest.run(env, "check", "--sample-seconds", "0.2",
                "--source", uri(source, "app") + "?sslmode=verify-full&sslrootcert=" + tls.caCert(),
                "--target", uri(target, "app"));
        assertThat(r.out()).contains("INFO     connection").contains("connected to source postgres@127.0.0.1:"
                + source.port());
        assertThat(r.out()).doesNotContain("BLOCKER  connection");
    }
}
