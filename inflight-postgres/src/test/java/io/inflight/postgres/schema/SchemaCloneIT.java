package io.inflight.postgres.schema;

import static io.inflight.postgres.schema.CloneFixture.ALL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.TableId;
import io.inflight.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/** Schema clone from PostgreSQL 13 to 17 on real servers: fidelity, resumability, existing-schema check, sequences. */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchemaCloneIT {

    static PostgresServer source;
    static PostgresServer target;
    static SchemaPlan plan;
    static String sourceDescription;

    @BeforeAll
    static void start() throws Exception {
        source = PostgresServer.start(13);
        target = PostgresServer.start(17);
        CloneFixture.load(source, "app");
        CloneFixture.createRoles(target, false);
        plan = CloneFixture.plan(source, "app");
        sourceDescription = CloneFixture.acrossVersions(CloneFixture.describe(source, "app"));
    }

    @Test
    void theFixtureHoldsNothingThePlanCannotRecreate() {
        assertThat(plan.unsupported()).isEmpty();
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

    @Test
    @Order(1) // first: the other tests create ghost_role on the target, this one needs it missing at first
    void clonesEverySchemaObjectFrom13To17() throws Exception {
        target.createDatabase("fidelity");
        assertThat(SchemaCloner.existingTables(target.connect("fidelity"), plan)).isEmpty();

        CloneFixture.preData(target, "fidelity", plan);

        assertThat(SchemaCloner.existingTables(target.connect("fidelity"), plan))
                .contains(TableId.of("sales", "customer"), TableId.of("Odd \"Schema\"", "My Table"))
                .hasSameSizeAs(plan.tables());
        // The load runs into bare tables: no index, no key, no trigger yet.
        assertThat(count("fidelity", """
                SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('sales', 'Odd "Schema"')""")).isZero();
        assertThat(count("fidelity", "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'sales.customer'::regclass")).isZero();
        assertThat(count("fidelity", "SELECT count(*) FROM pg_constraint WHERE contype IN ('p', 'u', 'f', 'x')"
                + " AND connamespace = 'sales'::regnamespace")).isZero();

        CloneFixture.insertRows(target, "fidelity");
        List<String> warnings = CloneFixture.postData(target, "fidelity", plan, 3);

        assertThat(warnings).anyMatch(w -> w.contains("ghost_role") && w.contains("sales.order_totals"));
        assertThat(warnings).anyMatch(w -> w.contains("ghost_role") && w.contains("sales.next_code()"));
        assertThat(count("fidelity", "SELECT n FROM sales.mood_counts WHERE mood = 'happy'")).isEqualTo(2);

        // Once the role exists, a rerun applies what was skipped and leaves the rest as it is.
        CloneFixture.createRoles(target, true);
        assertThat(CloneFixture.postData(target, "fidelity", plan, 2)).isEmpty();

        String targetDescription = CloneFixture.acrossVersions(CloneFixture.describe(target, "fidelity"));
        assertThat(CloneFixture.diff(sourceDescription, targetDescription)).as("source (-) vs target (+)").isEmpty();
        assertThat(targetDescription).isEqualTo(sourceDescription);
    }

    @Test
    void postDataResumesAfterACrashAndRebuildsAnInvalidIndex() throws Exception {
        target.createDatabase("resume");
        CloneFixture.preData(target, "resume", plan);
        CloneFixture.insertRows(target, "resume");
        // A first run that died after the plain index builds.
        SchemaPlan firstPart = new SchemaPlan(List.of(), plan.postData().stream()
                .filter(s -> s.after().isEmpty() && s.description().startsWith("index \"")).toList(), plan.tables(), List.of());
        CloneFixture.postData(target, "resume", firstPart, 2);
        long builtBefore = count("resume", "SELECT 'sales.customer_lower_email'::regclass::oid::bigint");
        // ... and a unique build that died half-way: a duplicate makes CONCURRENTLY leave an INVALID index.
        target.execute("resume", "INSERT INTO sales.customer (id, email) VALUES (50, 'dup@x'), (51, 'dup@x')");
        assertThatThrownBy(() -> target.execute("resume",
                "CREATE UNIQUE INDEX CONCURRENTLY customer_email_key ON sales.customer (email)"))
                .hasMessageContaining("customer_email_key");
        assertThat(count("resume", "SELECT count(*) FROM pg_index WHERE NOT indisvalid"
                + " AND indexrelid = 'sales.customer_email_key'::regclass")).isEqualTo(1);
        target.execute("resume", "DELETE FROM sales.customer WHERE id = 51");

        CloneFixture.createRoles(target, true);
        CloneFixture.postData(target, "resume", plan, 3);
        long builtByRerun = count("resume", "SELECT 'sales.customer_email_key'::regclass::oid::bigint");
        CloneFixture.postData(target, "resume", plan, 3); // a rerun of a finished post-data changes nothing

        assertThat(count("resume", "SELECT 'sales.customer_lower_email'::regclass::oid::bigint"))
                .as("an index of the first run is kept, not rebuilt").isEqualTo(builtBefore);
        assertThat(count("resume", "SELECT 'sales.customer_email_key'::regclass::oid::bigint")).isEqualTo(builtByRerun);
        assertThat(count("resume", "SELECT count(*) FROM pg_index WHERE NOT indisvalid")).isZero();
        assertThat(CloneFixture.diff(sourceDescription,
                CloneFixture.acrossVersions(CloneFixture.describe(target, "resume")))).isEmpty();
    }

    @Test
    void existingSchemaCheckListsEveryMismatchInOneError() throws Exception {
        target.createDatabase("existing");
        CloneFixture.preData(target, "existing", plan);
        try (Connection s = source.connect("app"); Connection t = target.connect("existing")) {
            ExistingSchemaCheck.check(s, t, ALL); // identical: passes

            target.execute("existing", "ALTER TABLE sales.orders DROP COLUMN note",
                    "ALTER TABLE sales.customer ALTER COLUMN email TYPE varchar(100)",
                    "DROP TABLE sales.a CASCADE",
                    "ALTER TABLE sales.booking ALTER COLUMN score SET NOT NULL");
            assertThatThrownBy(() -> ExistingSchemaCheck.check(s, t, ALL))
                    .isInstanceOfSatisfying(InflightException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.SCHEMA_MISMATCH))
                    .hasMessageContaining("sales.orders: column note missing on target")
                    .hasMessageContaining("sales.customer.email: type text on source, character varying(100) on target")
                    .hasMessageContaining("sales.a: table missing on target")
                    .hasMessageContaining("sales.booking.score: NOT NULL on target but nullable on source")
                    .hasMessageContaining("4 differences");
        }
    }

    @Test
    void sequenceSyncCopiesPositionsButNeverGoesBelowTheColumnMax() throws Exception {
        target.createDatabase("sequences");
        CloneFixture.preData(target, "sequences", plan);
        source.execute("app", "SELECT setval('sales.invoice_no', 4321, true)",
                "SELECT setval('sales.booking_id_seq', 7, false)",
                "SELECT setval(pg_get_serial_sequence('sales.line', 'id'), 40, true)",
                "SELECT setval(pg_get_serial_sequence('sales.orders', 'id'), 200, true)");
        // Rows on the target beyond the source's position for orders (identity) and customer (serial).
        target.execute("sequences", "INSERT INTO sales.customer (id, email) VALUES (900, 'x@y')",
                "INSERT INTO sales.orders (id, customer_id, qty, price_cents) OVERRIDING SYSTEM VALUE VALUES (500, 900, 1, 1)");

        int set;
        try (Connection s = source.connect("app"); Connection t = target.connect("sequences")) {
            set = SequenceSync.sync(s, t, ALL);
        }

        assertThat(set).isEqualTo(count("app", "SELECT count(*) FROM pg_class WHERE relkind = 'S'"
                + " AND relnamespace IN ('sales'::regnamespace, '\"Odd \"\"Schema\"\"\"'::regnamespace)"));
        assertThat(position("sequences", "sales.invoice_no")).isEqualTo("4321 true");
        assertThat(position("sequences", "sales.booking_id_seq")).isEqualTo("7 false");
        assertThat(position("sequences", "sales.line_id_seq")).isEqualTo("40 true");
        assertThat(position("sequences", "sales.orders_id_seq")).isEqualTo("500 true");
        assertThat(position("sequences", "sales.customer_id_seq")).isEqualTo("900 true");
        assertThat(count("sequences", "SELECT nextval('sales.orders_id_seq')")).isEqualTo(502);
    }

    private static String position(String db, String seq) throws SQLException {
        try (Connection c = target.connect(db); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT last_value || ' ' || is_called FROM " + seq)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long count(String db, String sql) throws SQLException {
        PostgresServer pg = db.equals("app") ? source : target;
        try (Connection c = pg.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
