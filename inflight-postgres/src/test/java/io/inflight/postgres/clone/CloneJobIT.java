package io.inflight.postgres.clone;

import static io.inflight.testkit.TableContents.fingerprint;
import static io.inflight.testkit.TableContents.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.schema.SchemaDescriber;
import io.inflight.postgres.schema.SchemaFilter;
import io.inflight.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The whole clone, 13 → 17, through {@link CloneJob}: what a user runs, minus the command line. */
@Timeout(300)
class CloneJobIT {

    static PostgresServer source;
    static PostgresServer target;

    static final String[] SHOP = {
        "CREATE TYPE status AS ENUM ('new', 'paid', 'shipped')",
        "CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE,"
                + " name text)",
        "CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers,"
                + " status status NOT NULL DEFAULT 'new', total numeric(12,2) CHECK (total >= 0), attrs jsonb,"
                + " tags status[])",
        "CREATE INDEX orders_by_customer ON orders (customer_id) WHERE status <> 'shipped'",
        "CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)",
        "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
        "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
        "INSERT INTO customers (email, name) SELECT 'c' || g || '@example.com', 'Customer ' || g"
                + " FROM generate_series(1, 20000) g",
        "INSERT INTO orders (customer_id, status, total, attrs, tags) SELECT 1 + g % 20000,"
                + " (ARRAY['new','paid','shipped'])[1 + g % 3]::status, g % 1000 + 0.25,"
                + " jsonb_build_object('n', g, 'gift', g % 7 = 0), ARRAY['new']::status[]"
                + " FROM generate_series(1, 60000) g",
        "INSERT INTO events SELECT g, date '2024-01-01' + (g % 700) FROM generate_series(1, 30000) g",
        "ANALYZE"
    };

    @BeforeAll
    static void start() {
        source = PostgresServer.start(13);
        target = PostgresServer.start(17);
        source.createDatabase("shop");
        source.execute("shop", SHOP);
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

    private static CloneOptions options(String targetDb, String slot) {
        return CloneOptions.defaults(source.endpoint("shop"), target.endpoint(targetDb)).withJobs(2)
                .withSlot(slot, slot);
    }

    private static void dropSlot(String slot) {
        source.execute("shop", "SELECT pg_drop_replication_slot('" + slot + "')", "DROP PUBLICATION " + slot);
    }

    @Test
    void clonesSchemaDataAndSequencesExactlyAndRerunIsIdempotent() throws Exception {
        target.createDatabase("full");
        CloneResult first = new CloneJob(options("full", "full_slot"), ProgressListener.NONE).run();
        try {
            assertThat(first.tablesCopied()).isEqualTo(4);
            assertThat(first.rowsCopied()).isEqualTo(20000 + 60000 + 30000);
            assertThat(first.consistentPoint().isValid()).isTrue();
            assertThat(first.phases()).containsKeys("schema", "copy", "post-data", "sequences");

            try (Connection s = source.connect("shop"); Connection t = target.connect("full")) {
                assertThat(SchemaDescriber.describe(t, SchemaFilter.all()))
                        .isEqualTo(SchemaDescriber.describe(s, SchemaFilter.all()));
                for (String table : List.of("customers", "orders", "events_2024", "events_2025")) {
                    assertThat(fingerprint(t, table)).as(table).isEqualTo(fingerprint(s, table));
                }
                // New ids on the target continue after the copied ones.
                assertThat(scalar(t, "INSERT INTO customers (email) VALUES ('new@example.com') RETURNING id"))
                        .isEqualTo("20001");
                assertThat(scalar(t, "SELECT nextval('orders_id_seq')")).isEqualTo("60001");
            }

            CloneResult again = new CloneJob(options("full", "full_slot"), ProgressListener.NONE).run();
            assertThat(again.tablesCopied()).isZero();
            assertThat(again.tablesSkipped()).isEqualTo(4);
            assertThat(again.consistentPoint()).isEqualTo(first.consistentPoint());
        } finally {
            dropSlot("full_slot");
        }
    }

    @Test
    void refusesATargetThatAlreadyHoldsTheTables() {
        target.createDatabase("occupied");
        target.execute("occupied", "CREATE TABLE customers (id bigint)");
        assertThatThrownBy(() -> new CloneJob(options("occupied", "occ_slot"), ProgressListener.NONE).run())
                .isInstanceOfSatisfying(InflightException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TARGET_NOT_EMPTY))
                .hasMessageContaining("public.customers")
                .hasMessageContaining("--schema existing");
        try (Connection s = source.connect("shop")) {
            assertThat(scalar(s, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'occ_slot'"))
                    .as("nothing was created on the source").isEqualTo("0");
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void neverTakesOverASlotItDidNotCreate() throws Exception {
        source.execute("shop", "SELECT pg_create_logical_replication_slot('strangers_slot', 'pgoutput')");
        try {
            target.createDatabase("stranger");
            for (int attempt = 0; attempt < 2; attempt++) {
                assertThatThrownBy(() -> new CloneJob(options("stranger", "strangers_slot"), ProgressListener.NONE)
                        .run())
                        .isInstanceOfSatisfying(InflightException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CONFLICT))
                        .hasMessageContaining("'strangers_slot' already exists")
                        .hasMessageContaining("--slot");
            }
            try (Connection s = source.connect("shop"); Connection t = target.connect("stranger")) {
                assertThat(scalar(s, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'strangers_slot'"))
                        .isEqualTo("1");
                assertThat(scalar(t, "SELECT count(*) FROM inflight.migration")).isEqualTo("0");
                assertThat(scalar(t, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).isEqualTo("0");
            }
        } finally {
            source.execute("shop", "SELECT pg_drop_replication_slot('strangers_slot')");
        }
    }

    @Test
    void loadsIntoASchemaTheUserMadeAndListsEveryMismatch() throws Exception {
        target.createDatabase("existing");
        target.execute("existing", SHOP[0], SHOP[1], SHOP[2], SHOP[3], SHOP[4], SHOP[5], SHOP[6]);
        try {
            CloneResult r = new CloneJob(options("existing", "ex_slot").withSchemaMode(SchemaMode.EXISTING),
                    ProgressListener.NONE).run();
            assertThat(r.rowsCopied()).isEqualTo(110000);
            try (Connection s = source.connect("shop"); Connection t = target.connect("existing")) {
                for (String table : List.of("customers", "orders", "events_2024", "events_2025")) {
                    assertThat(fingerprint(t, table)).as(table).isEqualTo(fingerprint(s, table));
                }
            }
        } finally {
            dropSlot("ex_slot");
        }

        target.createDatabase("drifted");
        target.execute("drifted", SHOP[0],
                "CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(100) NOT NULL)",
                "CREATE TABLE orders (id bigint PRIMARY KEY)");
        assertThatThrownBy(() -> new CloneJob(options("drifted", "dr_slot").withSchemaMode(SchemaMode.EXISTING),
                ProgressListener.NONE).run())
                .isInstanceOfSatisfying(InflightException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.SCHEMA_MISMATCH))
                .hasMessageContaining("customers")
                .hasMessageContaining("name")
                .hasMessageContaining("type text on source, character varying(100) on target")
                .hasMessageContaining("customer_id")
                .hasMessageContaining("events");
    }
}
