package io.inflight.postgres.clone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inflight.core.Endpoint;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Secret;
import io.inflight.postgres.check.ServerInfo;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.Side;
import io.inflight.postgres.schema.SchemaFilter;
import io.inflight.postgres.schema.TableCatalog;
import io.inflight.postgres.schema.TableInfo;
import io.inflight.testkit.PostgresServer;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each refusal a clone makes before touching anything, provoked on a real server. */
@Timeout(180)
class PreflightIT {

    static PostgresServer pg;

    @BeforeAll
    static void start() {
        pg = PostgresServer.builder(13).setting("max_replication_slots", "1").start();
        pg.execute("postgres",
                "CREATE TABLE public.keyed (id int PRIMARY KEY)",
                "CREATE TABLE public.secret (id int PRIMARY KEY)",
                "CREATE TABLE public.loose (x int)",
                "CREATE ROLE reader LOGIN PASSWORD 'reader-pw'",
                "GRANT SELECT ON public.keyed TO reader",
                "CREATE ROLE replicator LOGIN REPLICATION PASSWORD 'repl-pw'");
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    private static PgConnector as(String user, String password) {
        return new PgConnector(Side.SOURCE, Endpoint.of(pg.host(), pg.port(), "postgres", user, Secret.of(password)));
    }

    @Test
    void roleWithoutReplicationIsToldTheAlterRole() throws Exception {
        PgConnector reader = as("reader", "reader-pw");
        try (Connection c = reader.open()) {
            assertThatThrownBy(() -> Preflight.replication(c, reader))
                    .isInstanceOfSatisfying(InflightException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_PRIVILEGE))
                    .hasMessageContaining("ALTER ROLE \"reader\" WITH REPLICATION");
        }
    }

    @Test
    void everyUnreadableTableIsListedWithItsGrant() throws Exception {
        PgConnector reader = as("reader", "reader-pw");
        try (Connection c = reader.open()) {
            List<TableInfo> tables = TableCatalog.read(c, SchemaFilter.all());
            assertThatThrownBy(() -> Preflight.selectPrivileges(c, reader, tables))
                    .isInstanceOfSatisfying(InflightException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_PRIVILEGE))
                    .hasMessageContaining("GRANT SELECT ON \"public\".\"secret\" TO \"reader\";")
                    .hasMessageContaining("GRANT SELECT ON \"public\".\"loose\" TO \"reader\";")
                    .hasMessageNotContaining("\"keyed\"");
        }
    }

    @Test
    void leastPrivilegeRoleCanReadServerFacts() throws Exception {
        PgConnector repl = as("replicator", "repl-pw");
        try (Connection c = repl.open()) {
            ServerInfo info = Preflight.server(c, repl);
            assertThat(info.major()).isEqualTo(13);
            assertThat(info.systemIdentifier()).isNotZero();
            Preflight.replication(c, repl);
        }
    }

    @Test
    void exhaustedSlotsAreNamedWithTheSetting() throws Exception {
        pg.execute("postgres", "SELECT pg_create_logical_replication_slot('squatter', 'pgoutput')");
        try (Connection c = pg.connect("postgres")) {
            PgConnector admin = new PgConnector(Side.SOURCE, pg.endpoint("postgres"));
            assertThatThrownBy(() -> Preflight.replication(c, admin))
                    .isInstanceOfSatisfying(InflightException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.REPLICATION_SLOTS_EXHAUSTED))
                    .hasMessageContaining("max_replication_slots = 1");
        } finally {
            pg.execute("postgres", "SELECT pg_drop_replication_slot('squatter')");
        }
    }

    @Test
    void sourceWithoutLogicalWalIsToldHowToEnableIt() throws Exception {
        try (PostgresServer replica = PostgresServer.builder(13).setting("wal_level", "replica").start();
             Connection c = replica.connect("postgres")) {
            PgConnector on = new PgConnector(Side.SOURCE, replica.endpoint("postgres"));
            assertThatThrownBy(() -> Preflight.replication(c, on))
                    .isInstanceOfSatisfying(InflightException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.LOGICAL_REPLICATION_DISABLED))
                    .hasMessageContaining("wal_level = replica")
                    .hasMessageContaining("ALTER SYSTEM SET wal_level = logical");
        }
    }

    @Test
    void downgradeIsRefused() {
        assertThatThrownBy(() -> Preflight.versions(new ServerInfo(17, "17.2", 1),
                new ServerInfo(13, "13.18", 2)))
                .isInstanceOfSatisfying(InflightException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED))
                .hasMessageContaining("older than the source");
    }

    @Test
    void wrongPasswordAndClosedPortAreDistinct() {
        assertThatThrownBy(() -> as("reader", "wrong").open().close())
                .isInstanceOfSatisfying(InflightException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED))
                .hasMessageContaining("source reader@127.0.0.1")
                .hasMessageNotContaining("wrong");
        PgConnector closed = new PgConnector(Side.TARGET, Endpoint.of("127.0.0.1", 1, "postgres", "x", Secret.none()));
        assertThatThrownBy(() -> closed.open().close())
                .isInstanceOfSatisfying(InflightException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED))
                .hasMessageContaining("target x@127.0.0.1:1/postgres");
    }
}
