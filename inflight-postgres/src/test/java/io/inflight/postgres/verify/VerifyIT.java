package io.inflight.postgres.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.TableId;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.clone.CloneJob;
import io.inflight.postgres.clone.CloneOptions;
import io.inflight.testkit.PostgresServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Verify after a real clone 13 → 17: equal data says equal; differences injected directly on the target are
 * reported exactly (and only they); a stopped verify resumes; a throttled verify is slower and still right.
 */
@Timeout(300)
class VerifyIT {

    static PostgresServer source;
    static PostgresServer target;

    static final int ITEMS = 60_000;

    @BeforeAll
    static void start() {
        source = PostgresServer.start(13);
        target = PostgresServer.start(17);
        source.createDatabase("shop");
        String wideColumns = IntStream.rangeClosed(1, 40).mapToObj(i -> "c" + i + " text").collect(Collectors.joining(", "));
        String wideValues = IntStream.rangeClosed(1, 40).mapToObj(i -> "'v" + i + "_' || g").collect(Collectors.joining(", "));
        source.execute("shop",
                "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2), doc jsonb,"
                        + " f float8, at timestamptz)",
                "INSERT INTO items SELECT g, 'item ' || g, g * 1.25, jsonb_build_object('a', g, 'b', 'x'),"
                        + " g / 7.0::float8, timestamptz '2024-03-01 12:00:00+01' + g * interval '1 minute'"
                        + " FROM generate_series(1, " + ITEMS + ") g",
                "CREATE TABLE wide (id int PRIMARY KEY, " + wideColumns + ", amount numeric, tags text[], raw bytea)",
                "INSERT INTO wide SELECT g, " + wideValues + ", g * 0.5, ARRAY['a', 'b' || g], decode(md5(g::text), 'hex')"
                        + " FROM generate_series(1, 500) g",
                "CREATE TABLE pairs (a int, b text, v int, PRIMARY KEY (a, b))",
                "INSERT INTO pairs SELECT g % 97, 'k' || g, g FROM generate_series(1, 3000) g",
                "CREATE TABLE log_lines (line text, n int)", "ALTER TABLE log_lines REPLICA IDENTITY FULL",
                "INSERT INTO log_lines SELECT 'line ' || (g % 100), g % 3 FROM generate_series(1, 3000) g",
                "ANALYZE");
        clone("equal", "verify_equal");
        clone("changed", "verify_changed");
        target.execute("changed",
                "DELETE FROM items WHERE id = 17",
                "INSERT INTO items VALUES (999999, 'intruder', 1, '{}', 0, now())",
                "UPDATE wide SET c17 = 'changed' WHERE id = 5",
                // Not differences: jsonb written with its keys in another order; an equal float, spelled longer.
                "UPDATE items SET doc = '{\"b\": \"x\", \"a\": 42}' WHERE id = 42",
                "UPDATE items SET f = '4.2857142857142856'::float8 WHERE id = 30",
                "DELETE FROM log_lines WHERE ctid = (SELECT ctid FROM log_lines WHERE line = 'line 5' AND n = 2 LIMIT 1)",
                "INSERT INTO log_lines VALUES ('line extra', 9)");
    }

    private static void clone(String database, String slot) {
        target.createDatabase(database);
        new CloneJob(CloneOptions.defaults(source.endpoint("shop"), target.endpoint(database)).withJobs(2)
                .withSlot(slot, slot), ProgressListener.NONE).run();
        source.execute("shop", "SELECT pg_drop_replication_slot('" + slot + "')", "DROP PUBLICATION " + slot);
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

    static VerifyOptions options(String targetDb) {
        return VerifyOptions.defaults(source.endpoint("shop"), target.endpoint(targetDb)).withJobs(2)
                .withLive(LiveMode.OFF, Duration.ofSeconds(5));
    }

    static Map<String, TableReport> byName(VerifyResult r) {
        return r.tables().stream().collect(Collectors.toMap(t -> t.table().name(), t -> t));
    }

    @Test
    void equalDataIsEqual() {
        VerifyResult r = new VerifyJob(options("equal").withRestart(true), ProgressListener.NONE).run();
        assertThat(r.outcome()).isEqualTo(VerifyResult.Outcome.EQUAL);
        Map<String, TableReport> t = byName(r);
        assertThat(t.keySet()).containsExactlyInAnyOrder("items", "wide", "pairs", "log_lines");
        assertThat(t.get("items").sourceRows()).isEqualTo(ITEMS);
        assertThat(t.get("items").targetRows()).isEqualTo(ITEMS);
        assertThat(t.get("items").method()).isEqualTo(TableReport.Method.KEY);
        assertThat(t.get("log_lines").method()).isEqualTo(TableReport.Method.MULTISET);
        assertThat(r.rowsCompared()).isEqualTo(ITEMS + 500 + 3000 + 3000);
        assertThat(r.tables()).allSatisfy(x -> {
            assertThat(x.status()).isEqualTo(TableReport.Status.EQUAL);
            assertThat(x.differences()).isEmpty();
        });
    }

    @Test
    void reportsExactlyTheInjectedDifferences() {
        VerifyResult r = new VerifyJob(options("changed").withRestart(true), ProgressListener.NONE).run();
        assertThat(r.outcome()).isEqualTo(VerifyResult.Outcome.DIFFERS);
        Map<String, TableReport> t = byName(r);

        TableReport items = t.get("items");
        assertThat(items.status()).isEqualTo(TableReport.Status.DIFFERS);
        assertThat(items.keyColumns()).containsExactly("id");
        assertThat(items.sourceRows()).isEqualTo(ITEMS);
        assertThat(items.targetRows()).isEqualTo(ITEMS);
        assertThat(items.missing()).isEqualTo(1);
        assertThat(items.extra()).isEqualTo(1);
        assertThat(items.differing()).isZero();
        assertThat(items.differences()).containsExactlyInAnyOrder(
                new Difference(Difference.Kind.MISSING, List.of("17"), List.of(), 1),
                new Difference(Difference.Kind.EXTRA, List.of("999999"), List.of(), 1));

        TableReport wide = t.get("wide");
        assertThat(wide.missing()).isZero();
        assertThat(wide.extra()).isZero();
        assertThat(wide.differing()).isEqualTo(1);
        assertThat(wide.differences()).containsExactly(
                new Difference(Difference.Kind.DIFFERS, List.of("5"), List.of("c17"), 1));
        assertThat(wide.differingColumns()).containsExactly(Map.entry("c17", 1L));

        assertThat(t.get("pairs").status()).isEqualTo(TableReport.Status.EQUAL);

        TableReport lines = t.get("log_lines");
        assertThat(lines.method()).isEqualTo(TableReport.Method.MULTISET);
        assertThat(lines.sourceRows()).isEqualTo(3000);
        assertThat(lines.targetRows()).isEqualTo(3000);
        assertThat(lines.missing()).isEqualTo(1);
        assertThat(lines.extra()).isEqualTo(1);
        assertThat(lines.differences()).containsExactlyInAnyOrder(
                new Difference(Difference.Kind.MISSING, List.of("(\"line 5\",2)"), List.of(), 1),
                new Difference(Difference.Kind.EXTRA, List.of("(\"line extra\",9)"), List.of(), 1));
    }

    @Test
    void aStoppedVerifyResumesWithTheTablesItHadCompared() {
        VerifyOptions opts = options("changed").withRestart(true).withJobs(1);
        AtomicInteger finished = new AtomicInteger();
        ProgressListener stopAfterTwo = new ProgressListener() {
            @Override
            public void tableFinished(TableId table, long rows, long bytes) {
                if (finished.incrementAndGet() == 2) {
                    throw new IllegalStateException("stopped by the test");
                }
            }
        };
        try {
            new VerifyJob(opts, stopAfterTwo).run();
            throw new AssertionError("the listener should have stopped the run");
        } catch (IllegalStateException expected) {
            assertThat(expected).hasMessage("stopped by the test");
        }
        AtomicInteger skipped = new AtomicInteger();
        VerifyResult resumed = new VerifyJob(opts.withRestart(false), new ProgressListener() {
            @Override
            public void tableSkipped(TableId table, String reason) {
                skipped.incrementAndGet();
            }
        }).run();
        long resumedTables = resumed.tables().stream().filter(TableReport::resumed).count();
        assertThat(resumedTables).isEqualTo(skipped.get()).isBetween(2L, 3L);

        VerifyResult fresh = new VerifyJob(opts.withRestart(false), ProgressListener.NONE).run();
        assertThat(fresh.runId()).as("a finished run is not resumed").isGreaterThan(resumed.runId());
        assertThat(fresh.tables()).noneMatch(TableReport::resumed);
        // The resumed tables report exactly what comparing them again reports.
        assertThat(resumed.tables()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("elapsed", "resumed")
                .containsExactlyElementsOf(fresh.tables());
    }

    @Test
    void throttledVerifyTakesItsTimeAndAgrees() {
        long start = System.nanoTime();
        VerifyResult r = new VerifyJob(options("changed").withRestart(true).withMaxRowsPerSecond(40_000),
                ProgressListener.NONE).run();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).isGreaterThan(Duration.ofMillis(900));
        assertThat(byName(r).get("items").differences()).hasSize(2);
        assertThat(byName(r).get("wide").differing()).isEqualTo(1);
    }
}
