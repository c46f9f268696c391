package io.inflight.postgres.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Secret;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.Side;
import io.inflight.postgres.schema.SchemaFilter;
import io.inflight.postgres.schema.TableCatalog;
import io.inflight.postgres.schema.TableInfo;
import io.inflight.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Publication and slot set-up on a PostgreSQL 13 source, and how each refusal reads. */
@Timeout(120)
class SlotAndPublicationIT {

    private static PostgresServer pg;

    @BeforeAll
    static void start() {
        pg = PostgresServer.start(13);
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    private static PgConnector source(String db) {
        return new PgConnector(Side.SOURCE, pg.endpoint(db));
    }

    private static List<TableInfo> tables(String db) throws Exception {
        try (Connection c = pg.connect(db)) {
            return TableCatalog.read(c, SchemaFilter.all());
        }
    }

    private static List<String> published(String db, String pub) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = pg.connect(db); ResultSet rs = c.createStatement().executeQuery(
                "SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = '" + pub
                        + "' ORDER BY 1")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void createsAPublicationOverRootsThatPublishesEveryLeafAndAcceptsItOnRerun() throws Exception {
        pg.createDatabase("pubok");
        pg.execute("pubok", "CREATE TABLE a (id int PRIMARY KEY)",
                "CREATE TABLE m (id int, k int, PRIMARY KEY (id, k)) PARTITION BY RANGE (k)",
                "CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (0) TO (10)",
                "CREATE TABLE m2 PARTITION OF m FOR VALUES FROM (10) TO (20)",
                "CREATE TABLE f (x text)", "ALTER TABLE f REPLICA IDENTITY FULL");
        Publications pubs = new Publications(source("pubok"));
        pubs.ensure("inflight", tables("pubok"));
        assertThat(published("pubok", "inflight")).containsExactly("public.a", "public.f", "public.m1", "public.m2");
        pubs.ensure("inflight", tables("pubok")); // exists and covers everything: accepted
        try (Connection c = pg.connect("pubok"); ResultSet rs = c.createStatement().executeQuery(
                "SELECT pubviaroot FROM pg_publication WHERE pubname = 'inflight'")) {
            rs.next();
            assertThat(rs.getBoolean(1)).isFalse();
        }
    }

    @Test
    void aDbaMadePublicationMissingTablesIsRefusedWithTheAlterStatement() throws Exception {
        pg.createDatabase("pubmissing");
        pg.execute("pubmissing", "CREATE TABLE a (id int PRIMARY KEY)", "CREATE TABLE \"B b\" (id int PRIMARY KEY)",
                "CREATE TABLE m (id int, k int, PRIMARY KEY (id, k)) PARTITION BY RANGE (k)",
                "CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (0) TO (10)",
                "CREATE PUBLICATION dba FOR TABLE a");
        assertThatThrownBy(() -> new Publications(source("pubmissing")).ensure("dba", tables("pubmissing")))
                .isInstanceOfSatisfying(InflightException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.SCHEMA_MISMATCH))
                .hasMessageContaining("\"B b\"").hasMessageContaining("m1")
                .hasMessageContaining("ALTER PUBLICATION \"dba\" ADD TABLE \"public\".\"B b\", \"public\".\"m\"");
    }

    @Test
    void tablesWithoutReplicaIdentityAreRefusedWithTheStatementsToFixThem() throws Exception {
        pg.createDatabase("noident");
        pg.execute("noident", "CREATE TABLE ok (id int PRIMARY KEY)", "CREATE TABLE log (line text)",
                "CREATE TABLE nothing (id int PRIMARY KEY)", "ALTER TABLE nothing REPLICA IDENTITY NOTHING");
        assertThatThrownBy(() -> new Publications(source("noident")).ensure("inflight", tables("noident")))
                .isInstanceOfSatisfying(InflightException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED))
                .hasMessageContaining("ALTER TABLE \"public\".\"log\" REPLICA IDENTITY FULL;")
                .hasMessageContaining("ALTER TABLE \"public\".\"nothing\" REPLICA IDENTITY FULL;")
                .hasMessageNotContaining("\"ok\"");
        assertThat(published("noident", "inflight")).isEmpty();
        try (Connection c = pg.connect("noident"); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM pg_publication")) {
            rs.next();
            assertThat(rs.getInt(1)).as("nothing created").isZero();
        }
    }

    @Test
    void aRoleNotOwningTheTablesGetsTheCreateStatementForADba() throws Exception {
        pg.createDatabase("notowner");
        pg.execute("notowner", "CREATE ROLE mover LOGIN REPLICATION PASSWORD 'mover-pw'",
                "GRANT CREATE ON DATABASE notowner TO mover", "CREATE TABLE a (id int PRIMARY KEY)");
        PgConnector mover = new PgConnector(Side.SOURCE,
                pg.endpoint("notowner").withUser("mover", Secret.of("mover-pw")));
        assertThatThrownBy(() -> new Publications(mover).ensure("inflight", tables("notowner")))
                .isInstanceOfSatisfying(InflightException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_PRIVILEGE))
                .hasMessageContaining("must be owner of table a")
                .hasMessageContaining("CREATE PUBLICATION \"inflight\" FOR TABLE \"public\".\"a\"");
    }

    @Test
    void aSlotNameTakenByAnotherIsAConflictWithAdvice() {
        pg.createDatabase("slottaken");
        pg.execute("slottaken", "SELECT pg_create_logical_replication_slot('taken', 'pgoutput')");
        try {
            assertThatThrownBy(() -> SnapshotSlot.create(source("slottaken"), "taken"))
                    .isInstanceOfSatisfying(InflightException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CONFLICT))
                    .hasMessageContaining("SELECT pg_drop_replication_slot('taken')")
                    .hasMessageContaining("choose another --slot");
        } finally {
            pg.execute("slottaken", "SELECT pg_drop_replication_slot('taken')");
        }
    }

    @Test
    void createsTheSlotWithASnapshotAndATemporaryOneThatVanishesOnClose() {
        pg.createDatabase("slotok");
        PgConnector src = source("slotok");
        String tmpName;
        try (SnapshotSlot main = SnapshotSlot.create(src, "main_slot");
             SnapshotSlot tmp = SnapshotSlot.createTemporary(src)) {
            assertThat(main.snapshot().name()).isNotBlank();
            assertThat(tmp.consistentPoint()).isGreaterThanOrEqualTo(main.consistentPoint());
            assertThat(main.sourceIdentity()).isEqualTo(SnapshotSlot.identify(src));
            assertThat(main.sourceIdentity().database()).isEqualTo("slotok");
            tmpName = tmp.slotName();
            assertThat(SnapshotSlot.find(src, tmpName)).hasValueSatisfying(s -> assertThat(s.temporary()).isTrue());
        }
        assertThat(SnapshotSlot.find(src, tmpName)).isEmpty();
        assertThat(SnapshotSlot.find(src, "main_slot")).hasValueSatisfying(s -> {
            assertThat(s.plugin()).isEqualTo("pgoutput");
            assertThat(s.temporary()).isFalse();
        });
        pg.execute("slotok", "SELECT pg_drop_replication_slot('main_slot')");
    }

    @Test
    void noFreeSlotIsReportedAsSlotsExhausted() {
        try (PostgresServer small = PostgresServer.builder(13).setting("max_replication_slots", "1").start()) {
            small.execute("postgres", "SELECT pg_create_logical_replication_slot('occupied', 'pgoutput')");
            assertThatThrownBy(() -> SnapshotSlot.create(new PgConnector(Side.SOURCE, small.endpoint("postgres")),
                    "inflight"))
                    .isInstanceOfSatisfying(InflightException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.REPLICATION_SLOTS_EXHAUSTED))
                    .hasMessageContaining("max_replication_slots");
        }
    }

    @Test
    void aSourceWithoutLogicalWalIsReportedAsSuch() {
        try (PostgresServer replica = PostgresServer.builder(13).setting("wal_level", "replica").start()) {
            assertThatThrownBy(() -> SnapshotSlot.create(new PgConnector(Side.SOURCE, replica.endpoint("postgres")),
                    "inflight"))
                    .isInstanceOfSatisfying(InflightException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.LOGICAL_REPLICATION_DISABLED))
                    .hasMessageContaining("wal_level");
        }
    }
}
