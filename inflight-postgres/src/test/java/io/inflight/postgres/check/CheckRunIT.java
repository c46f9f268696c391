package io.inflight.postgres.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.Endpoint;
import io.inflight.core.ErrorCode;
import io.inflight.core.Secret;
import io.inflight.postgres.schema.SchemaFilter;
import io.inflight.testkit.PostgresServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every check of {@code inflight check}, provoked on real servers (13 as source, 17 as target). */
@Timeout(180)
class CheckRunIT {

    static final Duration SAMPLE = Duration.ofMillis(300);

    static PostgresServer source;
    static PostgresServer target;

    @BeforeAll
    static void start() {
        source = PostgresServer.start(13);
        target = PostgresServer.start(17);
        source.createDatabase("shop");
        source.execute("shop",
                "CREATE TABLE public.orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, qty int,"
                        + " total int GENERATED ALWAYS AS (qty * 10) STORED, note text)",
                "INSERT INTO public.orders (qty, note) SELECT g, repeat('x', 100) FROM generate_series(1, 20000) g",
                "CREATE TABLE public.loose (x int)",
                "CREATE TABLE public.uniq (a int NOT NULL, b text, CONSTRAINT uniq_a UNIQUE (a))",
                "CREATE UNLOGGED TABLE public.scratch (id int PRIMARY KEY)",
                "SELECT lo_from_bytea(0, 'a large object')",
                "CREATE EXTENSION adminpack",
                "CREATE EXTENSION hstore",
                "ANALYZE",
                "CREATE ROLE reader LOGIN PASSWORD 'reader-pw'",
                "GRANT SELECT ON public.orders TO reader");
        source.createDatabase("clean");
        source.execute("clean", "CREATE TABLE public.t (id int PRIMARY KEY, v text)",
                "INSERT INTO public.t SELECT g, 'v' || g FROM generate_series(1, 1000) g", "ANALYZE");
        target.execute("postgres", "CREATE ROLE loader LOGIN PASSWORD 'loader-pw'");
        target.createDatabase("newer");
        target.execute("newer", "CREATE TABLE public.ranges (id int PRIMARY KEY, r int4multirange)");
    }

    @AfterAll
    static void stop() {
        source.close();
        target.close();
    }

    private static CheckReport check(Endpoint src, Endpoint tgt) {
        return CheckRun.run(new CheckOptions(src, tgt, SchemaFilter.all(), 2, SAMPLE));
    }

    private static Endpoint as(PostgresServer pg, String db, String user, String password) {
        return Endpoint.of(pg.host(), pg.port(), db, user, Secret.of(password));
    }

    private static List<Finding> byCheck(CheckReport r, String check) {
        return r.findings().stream().filter(f -> f.check().equals(check)).toList();
    }

    @Test
    void aCleanSourceAndTargetHaveNoBlockers() {
        CheckReport r = check(source.endpoint("clean"), target.endpoint("postgres"));
        assertThat(r.blockers()).isEmpty();
        assertThat(r.ok()).isTrue();
        assertThat(byCheck(r, "versions")).singleElement().extracting(Finding::message).asString()
                .contains("PostgreSQL 13.").contains(" to 17.");
        assertThat(r.findings()).extracting(Finding::object).contains("data size", "copy time", "wal retained",
                "disk free");
        // the target runs on this machine and the superuser may read data_directory: free space is known
        assertThat(r.findings()).filteredOn(f -> f.object().equals("disk free")).singleElement()
                .extracting(Finding::message).asString().contains("free for about").doesNotContain("unknown");
        assertThat(r.findings()).filteredOn(f -> f.object().equals("copy time")).singleElement()
                .extracting(Finding::message).asString().contains("/s per worker");
    }

    @Test
    void everyProblemOfTheSourceIsListedAtOnce() {
        CheckReport r = check(source.endpoint("shop"), target.endpoint("postgres"));

        assertThat(byCheck(r, "replica identity")).extracting(Finding::object)
                .containsExactlyInAnyOrder("public.loose", "public.uniq");
        assertThat(byCheck(r, "replica identity")).allMatch(f -> f.code() == ErrorCode.UNSUPPORTED);
        assertThat(byCheck(r, "replica identity")).extracting(Finding::fix).containsExactlyInAnyOrder(
                "Add a primary key, or run on the source: ALTER TABLE \"public\".\"loose\" REPLICA IDENTITY FULL;"
                        + " (each UPDATE and DELETE then logs the whole old row)",
                "Run on the source: ALTER TABLE \"public\".\"uniq\" REPLICA IDENTITY USING INDEX \"uniq_a\";");

        assertThat(byCheck(r, "unlogged table")).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.WARNING);
            assertThat(f.message()).contains("public.scratch is UNLOGGED");
            assertThat(f.fix()).contains("ALTER TABLE \"public\".\"scratch\" SET LOGGED;");
        });
        assertThat(byCheck(r, "large objects")).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.WARNING);
            assertThat(f.message()).contains("holds 1 large object(s)");
        });
        assertThat(byCheck(r, "extensions")).filteredOn(Finding::isBlocker).singleElement().satisfies(f -> {
            assertThat(f.object()).isEqualTo("adminpack");
            assertThat(f.message()).contains("installed on the source but not available on the target server");
        });
        assertThat(byCheck(r, "extensions")).filteredOn(f -> f.object().equals("hstore")).singleElement()
                .satisfies(f -> {
                    assertThat(f.severity()).isEqualTo(Severity.INFO);
                    assertThat(f.message()).contains("will be created on the target");
                });
        assertThat(byCheck(r, "generated column")).singleElement().extracting(Finding::message).asString()
                .contains("public.orders.total is GENERATED ALWAYS AS ... STORED");
        assertThat(byCheck(r, "identity column")).singleElement().extracting(Finding::message).asString()
                .contains("public.orders.id is GENERATED ALWAYS AS IDENTITY");
        assertThat(r.ok()).isFalse();
        assertThat(r.firstBlockerCode()).contains(ErrorCode.UNSUPPORTED);
        assertThat(r.findings().get(0).severity()).isEqualTo(Severity.BLOCKER);
    }

    @Test
    void missingPrivilegesOnBothSidesAreEachNamedWithTheirGrant() {
        CheckReport r = check(as(source, "shop", "reader", "reader-pw"), as(target, "postgres", "loader", "loader-pw"));

        assertThat(byCheck(r, "replication privilege")).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.INSUFFICIENT_PRIVILEGE);
            assertThat(f.fix()).isEqualTo("Run on the source: ALTER ROLE \"reader\" WITH REPLICATION;");
        });
        assertThat(byCheck(r, "select privilege")).extracting(Finding::fix).containsExactlyInAnyOrder(
                "GRANT SELECT ON \"public\".\"loose\" TO \"reader\";",
                "GRANT SELECT ON \"public\".\"uniq\" TO \"reader\";",
                "GRANT SELECT ON \"public\".\"scratch\" TO \"reader\";");
        assertThat(byCheck(r, "create privilege")).extracting(Finding::fix).containsExactlyInAnyOrder(
                "Run on the target: GRANT CREATE ON SCHEMA \"public\" TO \"loader\";",
                "Run on the target: GRANT CREATE ON DATABASE \"postgres\" TO \"loader\";");
        assertThat(byCheck(r, "create privilege")).allMatch(f -> f.code() == ErrorCode.INSUFFICIENT_PRIVILEGE);
        // not a superuser: data_directory is hidden, so free space is honestly unknown
        assertThat(r.findings()).filteredOn(f -> f.object().equals("disk free")).singleElement()
                .extracting(Finding::message).asString().contains("unknown").contains("pg_read_all_settings");
    }

    @Test
    void aDowngradeAndTypesTheTargetLacksAreBlockers() {
        CheckReport r = check(target.endpoint("newer"), source.endpoint("postgres"));
        assertThat(byCheck(r, "versions")).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.UNSUPPORTED);
            assertThat(f.message()).contains("older than the source");
        });
        assertThat(byCheck(r, "column types")).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.UNSUPPORTED);
            assertThat(f.message()).isEqualTo("the target has no type int4multirange, used by column(s) public.ranges.r");
        });
    }

    @Test
    void anUnreachableTargetStillLetsTheSourceBeChecked() {
        Endpoint closed = Endpoint.of("127.0.0.1", 1, "postgres", "nobody", Secret.none());
        CheckReport r = check(source.endpoint("shop"), closed);
        assertThat(byCheck(r, "connection")).filteredOn(Finding::isBlocker).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
            assertThat(f.object()).isEqualTo("target");
            assertThat(f.message()).contains("target nobody@127.0.0.1:1/postgres");
        });
        assertThat(byCheck(r, "replica identity")).hasSize(2);

        CheckReport wrong = check(as(source, "shop", "reader", "wrong-pw"), target.endpoint("postgres"));
        assertThat(byCheck(wrong, "connection")).filteredOn(Finding::isBlocker).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
            assertThat(f.message()).contains("source reader@").doesNotContain("wrong-pw");
        });
    }

    @Test
    void replicationSettingsAreAllReportedTogether() throws Exception {
        try (PostgresServer constrained = PostgresServer.builder(13).setting("wal_level", "replica")
                .setting("max_replication_slots", "1").setting("max_wal_senders", "0")
                .setting("max_slot_wal_keep_size", "1").start()) {
            constrained.execute("postgres", "SELECT pg_create_physical_replication_slot('squatter')",
                    "CREATE TABLE public.busy (id bigserial PRIMARY KEY, payload text)",
                    "INSERT INTO public.busy (payload) SELECT repeat('p', 200) FROM generate_series(1, 20000)",
                    "ANALYZE");
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = new Thread(() -> {
                while (writing.get()) {
                    constrained.execute("postgres",
                            "INSERT INTO public.busy (payload) SELECT repeat('w', 200) FROM generate_series(1, 5000)");
                }
            });
            writer.start();
            CheckReport r;
            try {
                r = CheckRun.run(new CheckOptions(constrained.endpoint("postgres"), target.endpoint("postgres"),
                        SchemaFilter.all(), 1, Duration.ofSeconds(1)));
            } finally {
                writing.set(false);
                writer.join();
            }
            assertThat(byCheck(r, "wal_level")).singleElement().satisfies(f -> {
                assertThat(f.code()).isEqualTo(ErrorCode.LOGICAL_REPLICATION_DISABLED);
                assertThat(f.message()).contains("wal_level = replica");
                assertThat(f.fix()).contains("ALTER SYSTEM SET wal_level = logical");
            });
            assertThat(byCheck(r, "replication slots")).singleElement().satisfies(f -> {
                assertThat(f.code()).isEqualTo(ErrorCode.REPLICATION_SLOTS_EXHAUSTED);
                assertThat(f.message()).contains("max_replication_slots = 1, 1 in use");
            });
            assertThat(byCheck(r, "wal senders")).singleElement().satisfies(f -> {
                assertThat(f.code()).isEqualTo(ErrorCode.REPLICATION_SLOTS_EXHAUSTED);
                assertThat(f.message()).contains("max_wal_senders = 0");
            });
            assertThat(r.findings()).filteredOn(f -> f.object().equals("max_slot_wal_keep_size")).singleElement()
                    .satisfies(f -> {
                        assertThat(f.severity()).isEqualTo(Severity.WARNING);
                        assertThat(f.message()).contains("max_slot_wal_keep_size = 1.0 MB")
                                .contains("invalidate the slot");
                    });
        }
    }
}
