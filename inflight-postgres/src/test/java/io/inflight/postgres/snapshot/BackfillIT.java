package io.inflight.postgres.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.core.TableId;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.checkpoint.CopyStatus;
import io.inflight.postgres.checkpoint.RangeState;
import io.inflight.postgres.checkpoint.StateStore;
import io.inflight.postgres.checkpoint.TableState;
import io.inflight.postgres.schema.TableInfo;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The backfill against real servers: PostgreSQL 13 source, 17 target. */
@Timeout(300)
class BackfillIT {

    private static Pair13To17 pair;

    @BeforeAll
    static void servers() {
        pair = new Pair13To17();
    }

    @AfterAll
    static void stop() {
        if (pair != null) {
            pair.close();
        }
    }

    private static TableId t(String name) {
        return TableId.of("public", name);
    }

    @Test
    void copiedRowsPlusDecodedChangesEqualTheSourceUnderConcurrentWrites() throws Exception {
        Pair13To17.Db db = pair.database("consistency");
        db.both("CREATE TABLE ins (id bigint PRIMARY KEY, v text NOT NULL)",
                "CREATE TABLE upd (id int PRIMARY KEY, v int NOT NULL)");
        db.onSource("CREATE SEQUENCE ins_seq",
                "INSERT INTO ins SELECT nextval('ins_seq'), repeat('x', 80) FROM generate_series(1, 150000)",
                "INSERT INTO upd SELECT g, 0 FROM generate_series(1, 40000) g", "ANALYZE");
        List<TableInfo> tables = db.tables();
        new Publications(db.src).ensure("pub", tables);

        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> writerError = new AtomicReference<>();
        AtomicInteger nextUpdId = new AtomicInteger(40001);
        Thread inserter = writer(db, stop, writerError, s ->
                s.execute("INSERT INTO ins SELECT nextval('ins_seq'), 'w' FROM generate_series(1, 20)"));
        Thread updater = writer(db, stop, writerError, s -> {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            s.execute("BEGIN");
            s.execute("UPDATE upd SET v = v + 1 WHERE id = " + (1 + r.nextInt(40000)));
            s.execute("DELETE FROM upd WHERE id = " + (1 + r.nextInt(40000)));
            s.execute("INSERT INTO upd VALUES (" + nextUpdId.getAndIncrement() + ", 7)");
            s.execute("COMMIT");
        });
        Lsn consistent;
        try {
            Thread.sleep(300);
            try (SnapshotSlot slot = SnapshotSlot.create(db.src, "consistency");
                 StateStore state = StateStore.open(db.tgt)) {
                consistent = slot.consistentPoint();
                state.begin(slot.slotName(), "pub", consistent, slot.sourceIdentity(), "copy");
                Backfill.Result r = new Backfill(db.src, db.tgt, state, 3, ProgressListener.NONE,
                        new RangePlanner(1 << 20)).run(tables, slot.snapshot());
                assertThat(r.tablesCopied()).isEqualTo(2);
                assertThat(state.tableStartLsns()).containsExactlyInAnyOrderEntriesOf(
                        Map.of(t("ins"), consistent, t("upd"), consistent));
                assertThat(state.ranges(t("ins"))).hasSizeGreaterThan(1);
            }
            Thread.sleep(300);
        } finally {
            stop.set(true);
            inserter.join();
            updater.join();
        }
        assertThat(writerError.get()).isNull();

        List<PgOutputChanges.Change> changes;
        try (Connection c = pair.source.connect(db.name); Statement s = c.createStatement()) {
            // The test kit runs with synchronous_commit off and decoding reads only flushed WAL: a durable
            // commit flushes every commit before it.
            s.execute("SET synchronous_commit = on");
            s.execute("CREATE TABLE flush_marker ()");
            changes = PgOutputChanges.peek(c, "consistency", "pub");
        }
        // Insert-only table: the copy and the decoded inserts are disjoint and together are the source.
        Set<Long> copied = longs(db.targetColumn("SELECT id FROM ins"));
        Set<Long> decoded = new HashSet<>();
        for (PgOutputChanges.Change ch : changes) {
            if (ch.table().equals("public.ins")) {
                assertThat(ch.kind()).isEqualTo('I');
                assertThat(decoded.add(Long.parseLong(ch.values().get(0)))).isTrue();
            }
        }
        assertThat(decoded).as("inserts committed after the consistent point").isNotEmpty();
        // Plain set operations: AssertJ's containment checks on large sets are quadratic.
        Set<Long> both = new HashSet<>(copied);
        both.retainAll(decoded);
        assertThat(both).as("rows both copied and decoded").isEmpty();
        Set<Long> union = new HashSet<>(copied);
        union.addAll(decoded);
        Set<Long> sourceIds = longs(db.sourceColumn("SELECT id FROM ins"));
        Set<Long> missing = new HashSet<>(sourceIds);
        missing.removeAll(union);
        Set<Long> extra = new HashSet<>(union);
        extra.removeAll(sourceIds);
        assertThat(missing).as("source rows neither copied nor decoded").isEmpty();
        assertThat(extra).as("rows copied or decoded that the source does not hold").isEmpty();

        // Updated table: replaying the decoded changes onto the copy gives the source.
        Map<String, String> replayed = pairs(db.targetColumn("SELECT id || ':' || v FROM upd"));
        int updates = 0;
        int deletes = 0;
        for (PgOutputChanges.Change ch : changes) {
            if (!ch.table().equals("public.upd")) {
                continue;
            }
            switch (ch.kind()) {
                case 'I' -> assertThat(replayed.put(ch.values().get(0), ch.values().get(1))).isNull();
                case 'U' -> {
                    updates++;
                    replayed.put(ch.values().get(0), ch.values().get(1));
                }
                case 'D' -> {
                    deletes++;
                    replayed.remove(ch.values().get(0));
                }
                default -> throw new AssertionError("unexpected change " + ch);
            }
        }
        assertThat(updates).isPositive();
        assertThat(deletes).isPositive();
        assertThat(replayed).isEqualTo(pairs(db.sourceColumn("SELECT id || ':' || v FROM upd")));
        db.onSource("SELECT pg_drop_replication_slot('consistency')");
    }

    @Test
    void splitTablesByIntegerKeySampledKeysAndCtidCopyExactly() {
        Pair13To17.Db db = pair.database("ranges");
        db.both("CREATE TABLE r_int (id int PRIMARY KEY, pad text)",
                "CREATE TABLE r_text (k text PRIMARY KEY, pad text)",
                "CREATE TABLE r_uuid (k uuid PRIMARY KEY, pad text)",
                "CREATE TABLE r_comp (a int, b text, pad text, PRIMARY KEY (a, b))",
                "CREATE TABLE r_nokey (a int, pad text)");
        db.onSource("INSERT INTO r_int SELECT g * 3, repeat('p', 100) FROM generate_series(1, 30000) g",
                "INSERT INTO r_text SELECT md5(g::text), repeat('p', 100) FROM generate_series(1, 30000) g",
                "INSERT INTO r_uuid SELECT md5(g::text)::uuid, repeat('p', 100) FROM generate_series(1, 30000) g",
                "INSERT INTO r_comp SELECT g % 50, md5(g::text), repeat('p', 100) FROM generate_series(1, 30000) g",
                "INSERT INTO r_nokey SELECT g % 1000, repeat('p', 100) FROM generate_series(1, 30000) g",
                "ANALYZE");
        List<TableInfo> tables = db.tables();
        try (SnapshotSlot snap = SnapshotSlot.createTemporary(db.src); StateStore state = StateStore.open(db.tgt)) {
            Backfill.Result r = new Backfill(db.src, db.tgt, state, 2, ProgressListener.NONE,
                    new RangePlanner(512 << 10)).run(tables, snap.snapshot());
            assertThat(r.tablesCopied()).isEqualTo(5);
            assertThat(r.rowsCopied()).isEqualTo(5 * 30000);
            for (String name : List.of("r_int", "r_text", "r_uuid", "r_comp", "r_nokey")) {
                List<RangeState> ranges = state.ranges(t(name));
                assertThat(ranges).as(name).hasSizeGreaterThan(2).allMatch(RangeState::done);
                assertThat(ranges.stream().mapToLong(RangeState::rows).sum()).as(name).isEqualTo(30000);
                assertThat(ranges.get(0).bounds().kind()).as(name).isEqualTo(name.equals("r_nokey") ? "ctid" : "key");
                assertThat(db.fingerprint(pair.target, name)).as(name).isEqualTo(db.fingerprint(pair.source, name));
            }
            // PostgreSQL 13 has no TID range scan: few ctid ranges.
            assertThat(state.ranges(t("r_nokey"))).hasSizeLessThanOrEqualTo(RangePlanner.MAX_CTID_RANGES_BEFORE_14);
        }
    }

    @Test
    void manyTypesCopyExactlyBinaryWhereSafeAndTextOtherwise() {
        Pair13To17.Db db = pair.database("types");
        db.both("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                "CREATE TYPE pair AS (a int, b text)",
                "CREATE DOMAIN posint AS int CHECK (VALUE > 0)",
                """
                CREATE TABLE typed (id int PRIMARY KEY, n numeric(20,5), nn numeric, j jsonb, js json, arr int[],
                    tarr text[], b bytea, ts timestamptz, tsl timestamp, d date, tm time, iv interval, m mood,
                    p posint, big text, f8 float8, f4 real, u uuid, ip inet, bits bit varying(16), bo boolean,
                    g int GENERATED ALWAYS AS (id * 2) STORED)""",
                "CREATE TABLE typed_text (id int PRIMARY KEY, ms mood[], pr pair, prs pair[], s text)");
        db.onSource("""
                INSERT INTO typed (id, n, nn, j, js, arr, tarr, b, ts, tsl, d, tm, iv, m, p, big, f8, f4, u, ip, bits, bo)
                VALUES (1, 123456789012345.12345, 'NaN', '{"a": [1, 2.5, null], "ü": "\\u00e9"}', '{"k" :  1}',
                        '{1,NULL,3}', '{"a b","c,d",NULL,"\\\\"}',
                        (SELECT decode(string_agg(lpad(to_hex(i), 2, '0'), ''), 'hex') FROM generate_series(0, 255) i),
                        '2024-02-29 23:59:59.123456+05:30', 'infinity', '0001-01-01 BC', '24:00:00',
                        '1 year 2 mons -3 days 04:05:06.789', 'happy', 42,
                        (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 32768) i),
                        'NaN', '-Infinity', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2001:db8::1/64', B'1011', true),
                       (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                        NULL, NULL, NULL, NULL, NULL, NULL),
                       (3, -0.00001, 1e-30, '[]', 'null', '{}', '{}', '', '-infinity', '2000-01-01', 'epoch', '00:00',
                        '0', 'sad', 1, '', 1.0000000000000002, 3.4028235e38, '00000000-0000-0000-0000-000000000000',
                        '10.0.0.1', B'', false)""",
                "INSERT INTO typed (id, big) SELECT g, repeat(chr(1000 + g), 100) FROM generate_series(4, 2000) g",
                """
                INSERT INTO typed_text VALUES
                    (1, '{happy,sad,NULL}', ROW(1, 'x "y" \\z'), ARRAY[ROW(2, 'a,b')::pair, NULL, ROW(NULL, NULL)::pair],
                     E'tab\\there\\nnewline \\\\ backslash ü'),
                    (2, NULL, NULL, NULL, NULL),
                    (3, '{}', ROW(NULL, ''), '{}', '')""",
                "ANALYZE");
        List<TableInfo> tables = db.tables();
        Map<String, Boolean> binary = new HashMap<>();
        tables.forEach(ti -> binary.put(ti.id().name(), ti.binaryCopySafe()));
        assertThat(binary).containsEntry("typed", true).containsEntry("typed_text", false);
        try (SnapshotSlot snap = SnapshotSlot.createTemporary(db.src); StateStore state = StateStore.open(db.tgt)) {
            new Backfill(db.src, db.tgt, state, 2, ProgressListener.NONE).run(tables, snap.snapshot());
        }
        for (String name : List.of("typed", "typed_text")) {
            assertThat(db.fingerprint(pair.target, name)).as(name).isEqualTo(db.fingerprint(pair.source, name));
        }
        assertThat(db.targetValue("SELECT length(big) FROM typed WHERE id = 1")).isEqualTo("1048576");
        assertThat(db.targetValue("SELECT sum(g) FROM typed")).isEqualTo(db.sourceValue("SELECT sum(g) FROM typed"));
    }

    @Test
    void aRerunSkipsCopiedTablesAndRecopiesAPartlyCopiedOneUnderItsOwnSnapshot() throws Exception {
        Pair13To17.Db db = pair.database("resume");
        db.both("CREATE TABLE big (id int PRIMARY KEY, pad text)",
                "CREATE TABLE mid (id int PRIMARY KEY, pad text)",
                "CREATE TABLE small (id int PRIMARY KEY, pad text)");
        db.onSource("INSERT INTO big SELECT g, repeat('b', 100) FROM generate_series(1, 30000) g",
                "INSERT INTO mid SELECT g, repeat('m', 100) FROM generate_series(1, 1500) g",
                "INSERT INTO small SELECT g, repeat('s', 100) FROM generate_series(1, 300) g", "ANALYZE");
        RangePlanner planner = new RangePlanner(512 << 10);
        List<TableInfo> tables = db.tables();
        Runnable killInflightOnTarget = () -> pair.target.execute(db.name, "SELECT pg_terminate_backend(pid) FROM"
                + " pg_stat_activity WHERE application_name = 'inflight' AND datname = current_database()");

        // Run 1: one worker copies big's ranges first (biggest first); the target connection dies after two.
        Lsn first;
        try (SnapshotSlot slot = SnapshotSlot.create(db.src, "resume"); StateStore state = StateStore.open(db.tgt)) {
            first = slot.consistentPoint();
            state.begin(slot.slotName(), "pub", first, slot.sourceIdentity(), "copy");
            AtomicInteger bigRanges = new AtomicInteger();
            ProgressListener killer = new ProgressListener() {
                @Override
                public void tableProgress(TableId table, long rows, long bytes) {
                    if (table.equals(t("big")) && bigRanges.incrementAndGet() == 2) {
                        killInflightOnTarget.run();
                    }
                }
            };
            InflightException e = catchThrowableOfType(() -> new Backfill(db.src, db.tgt, state, 1, killer, planner)
                    .run(tables, slot.snapshot()), InflightException.class);
            assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_LOST);
            assertThat(e.getMessage()).contains("big").contains("rerun");
        }
        try (StateStore state = StateStore.open(db.tgt)) {
            TableState big = state.tables().get(t("big"));
            assertThat(big.status()).isEqualTo(CopyStatus.COPYING);
            assertThat(big.snapshotLsn()).contains(first);
            assertThat(state.ranges(t("big")).stream().filter(RangeState::done).count()).isEqualTo(2);
            // Every table's attempt was recorded under the first snapshot before copying began.
            assertThat(state.tables().get(t("small")).status()).isEqualTo(CopyStatus.COPYING);
            assertThat(state.ranges(t("small"))).noneMatch(RangeState::done);
        }
        assertThat(db.targetValue("SELECT count(*) FROM small")).isEqualTo("0");
        assertThat(Long.parseLong(db.targetValue("SELECT count(*) FROM big"))).isPositive();

        // The source moves on between runs.
        db.onSource("INSERT INTO big SELECT g, 'later' FROM generate_series(30001, 31000) g",
                "UPDATE big SET pad = 'changed' WHERE id % 10 = 0", "DELETE FROM big WHERE id % 7 = 0");

        // Run 2: a fresh snapshot; big is emptied and recopied; the connection dies as small starts.
        Lsn second;
        try (SnapshotSlot snap = SnapshotSlot.createTemporary(db.src); StateStore state = StateStore.open(db.tgt)) {
            second = snap.consistentPoint();
            ProgressListener killer = new ProgressListener() {
                @Override
                public void tableStarted(TableId table, long rows, long bytes) {
                    if (table.equals(t("small"))) {
                        killInflightOnTarget.run();
                    }
                }
            };
            InflightException e = catchThrowableOfType(() -> new Backfill(db.src, db.tgt, state, 1, killer, planner)
                    .run(tables, snap.snapshot()), InflightException.class);
            assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_LOST);
            assertThat(e.getMessage()).contains("small");
        }
        assertThat(second).isGreaterThan(first);

        // Run 3: finishes; only small is copied.
        List<TableId> skipped = new ArrayList<>();
        Lsn third;
        try (SnapshotSlot snap = SnapshotSlot.createTemporary(db.src); StateStore state = StateStore.open(db.tgt)) {
            third = snap.consistentPoint();
            ProgressListener recorder = new ProgressListener() {
                @Override
                public synchronized void tableSkipped(TableId table, String reason) {
                    skipped.add(table);
                }
            };
            Backfill.Result r = new Backfill(db.src, db.tgt, state, 2, recorder, planner).run(tables, snap.snapshot());
            assertThat(r.tablesCopied()).isEqualTo(1);
            assertThat(r.tablesSkipped()).isEqualTo(2);
            Map<TableId, TableState> s = state.tables();
            assertThat(s.values()).allMatch(ts -> ts.status() == CopyStatus.COPIED);
            assertThat(s.get(t("big")).snapshotLsn()).contains(second);
            assertThat(s.get(t("big")).attempts()).isEqualTo(2);
            assertThat(s.get(t("mid")).snapshotLsn()).contains(second);
            assertThat(s.get(t("small")).snapshotLsn()).contains(third);
            assertThat(state.tableStartLsns()).containsEntry(t("big"), second).containsEntry(t("small"), third);
        }
        assertThat(skipped).containsExactlyInAnyOrder(t("big"), t("mid"));
        assertThat(third).isGreaterThan(second);
        for (String name : List.of("big", "mid", "small")) {
            assertThat(db.fingerprint(pair.target, name)).as(name).isEqualTo(db.fingerprint(pair.source, name));
        }
        db.onSource("SELECT pg_drop_replication_slot('resume')");
    }

    private interface SqlWork {
        void run(Statement s) throws Exception;
    }

    private static Thread writer(Pair13To17.Db db, AtomicBoolean stop, AtomicReference<Throwable> error, SqlWork work) {
        Thread th = new Thread(() -> {
            try (Connection c = pair.source.connect(db.name); Statement s = c.createStatement()) {
                while (!stop.get()) {
                    work.run(s);
                }
            } catch (Throwable e) {
                error.compareAndSet(null, e);
            }
        });
        th.start();
        return th;
    }

    private static Set<Long> longs(List<String> values) {
        Set<Long> out = new HashSet<>();
        values.forEach(v -> out.add(Long.parseLong(v)));
        return out;
    }

    private static Map<String, String> pairs(List<String> values) {
        Map<String, String> out = new HashMap<>();
        for (String v : values) {
            int colon = v.indexOf(':');
            out.put(v.substring(0, colon), v.substring(colon + 1));
        }
        return out;
    }
}
