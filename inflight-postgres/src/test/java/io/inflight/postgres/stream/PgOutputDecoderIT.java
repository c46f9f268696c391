package io.inflight.postgres.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.Lsn;
import io.inflight.postgres.stream.PgOutputMessage.Begin;
import io.inflight.postgres.stream.PgOutputMessage.Commit;
import io.inflight.postgres.stream.PgOutputMessage.Delete;
import io.inflight.postgres.stream.PgOutputMessage.Insert;
import io.inflight.postgres.stream.PgOutputMessage.LogicalMessage;
import io.inflight.postgres.stream.PgOutputMessage.OldKind;
import io.inflight.postgres.stream.PgOutputMessage.OldTuple;
import io.inflight.postgres.stream.PgOutputMessage.Relation;
import io.inflight.postgres.stream.PgOutputMessage.Truncate;
import io.inflight.postgres.stream.PgOutputMessage.Type;
import io.inflight.postgres.stream.PgOutputMessage.Update;
import io.inflight.postgres.stream.TupleData.Value;
import io.inflight.testkit.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decodes what a real server's pgoutput writes (protocol 1) for every kind of change a migration meets, on the
 * oldest supported source (13) and the newest (17), and checks each message field by field.
 */
@Timeout(120)
class PgOutputDecoderIT {

    private static final String BIG = "0123456789".repeat(1_000);

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {13, 17})
    void decodesEveryMessageOfARealStream(int major) throws Exception {
        Instant before = Instant.now().minusSeconds(60);
        try (PostgresServer pg = PostgresServer.start(major); Connection c = pg.connect("postgres");
                Statement st = c.createStatement()) {
            // the test servers commit asynchronously; the slot functions only decode WAL that is flushed
            st.execute("SET synchronous_commit = on");
            st.execute("CREATE TYPE mood AS ENUM ('ok', 'sad')");
            st.execute("CREATE TABLE \"Items\" (id int PRIMARY KEY, label text NOT NULL, big text,"
                    + " note varchar(20), m mood)");
            // out of line and uncompressed, so an update that leaves it alone sends the unchanged-TOAST marker
            st.execute("ALTER TABLE \"Items\" ALTER COLUMN big SET STORAGE EXTERNAL");
            st.execute("CREATE PUBLICATION p FOR TABLE \"Items\"");
            st.execute("SELECT pg_create_logical_replication_slot('s', 'pgoutput')");
            int relid = intOf(st, "SELECT '\"Items\"'::regclass::oid::int");
            int moodOid = intOf(st, "SELECT 'mood'::regtype::oid::int");

            c.setAutoCommit(false);
            st.execute("INSERT INTO \"Items\" VALUES (1, 'änderung 日本', '" + BIG + "', NULL, 'ok')");
            st.execute("INSERT INTO \"Items\" VALUES (3, '', 'small', '', NULL)");
            c.commit();
            c.setAutoCommit(true);
            st.execute("UPDATE \"Items\" SET label = 'changed' WHERE id = 1");
            st.execute("UPDATE \"Items\" SET id = 2 WHERE id = 1");
            st.execute("DELETE FROM \"Items\" WHERE id = 2");
            st.execute("TRUNCATE \"Items\" RESTART IDENTITY CASCADE");
            st.execute("SELECT pg_logical_emit_message(true, 'inflight', 'hello')");

            // 'messages' exists from PostgreSQL 14; PG13's pgoutput rejects unknown options and never sends them
            String messages = major >= 14 ? ", 'messages', 'true'" : "";
            List<PgOutputMessage> stream = new ArrayList<>();
            List<Long> beginXids = new ArrayList<>();
            PgOutputDecoder decoder = PgOutputDecoder.protocol1();
            try (ResultSet rs = st.executeQuery("SELECT xid::text::bigint, data FROM"
                    + " pg_logical_slot_get_binary_changes('s', NULL, NULL, 'proto_version', '1',"
                    + " 'publication_names', 'p'" + messages + ")")) {
                while (rs.next()) {
                    PgOutputMessage m = decoder.decode(rs.getBytes(2));
                    stream.add(m);
                    if (m instanceof Begin b) {
                        assertThat(b.xid()).as("Begin xid vs the slot function's xid column").isEqualTo(rs.getLong(1));
                        beginXids.add(b.xid());
                    }
                }
            }
            List<PgOutputMessage> changes = withoutEmptyTransactions(stream);
            Instant after = Instant.now().plusSeconds(60);

            Relation relation = new Relation(relid, "public", "Items", 'd', List.of(
                    new Relation.Column(true, "id", 23, -1),
                    new Relation.Column(false, "label", 25, -1),
                    new Relation.Column(false, "big", 25, -1),
                    new Relation.Column(false, "note", 1043, 20 + 4),
                    new Relation.Column(false, "m", moodOid, -1)));
            List<PgOutputMessage> expected = new ArrayList<>(List.of(
                    new Type(moodOid, "public", "mood"),
                    relation,
                    new Insert(relid, TupleData.of(Value.text("1"), Value.text("änderung 日本"), Value.text(BIG),
                            Value.NULL, Value.text("ok"))),
                    new Insert(relid, TupleData.of(Value.text("3"), Value.text(""), Value.text("small"),
                            Value.text(""), Value.NULL)),
                    new Update(relid, Optional.empty(), TupleData.of(Value.text("1"), Value.text("changed"),
                            Value.UNCHANGED_TOAST, Value.NULL, Value.text("ok"))),
                    new Update(relid, Optional.of(new OldTuple(OldKind.KEY, TupleData.of(Value.text("1"), Value.NULL,
                            Value.NULL, Value.NULL, Value.NULL))),
                            TupleData.of(Value.text("2"), Value.text("changed"), Value.UNCHANGED_TOAST, Value.NULL,
                                    Value.text("ok"))),
                    new Delete(relid, new OldTuple(OldKind.KEY, TupleData.of(Value.text("2"), Value.NULL, Value.NULL,
                            Value.NULL, Value.NULL))),
                    // TRUNCATE gives the table a new file, which invalidates what pgoutput knew it had sent
                    new Type(moodOid, "public", "mood"),
                    relation,
                    new Truncate(true, true, List.of(relid))));
            List<PgOutputMessage> got = withoutTransactionBoundaries(changes);
            if (major >= 14) {
                PgOutputMessage last = got.remove(got.size() - 1);
                assertThat(last).isInstanceOf(LogicalMessage.class);
                LogicalMessage lm = (LogicalMessage) last;
                assertThat(lm.transactional()).isTrue();
                assertThat(lm.prefix()).isEqualTo("inflight");
                assertThat(new String(lm.content(), StandardCharsets.UTF_8)).isEqualTo("hello");
            }
            assertThat(got).containsExactlyElementsOf(expected);
            if (major < 14) {
                // PG13's pgoutput has no logical message support: the emitted message must not surface
                assertThat(stream).noneMatch(LogicalMessage.class::isInstance);
            }

            // transactions: the insert pair, two updates, delete, truncate, and (14+) the message
            List<Begin> begins = changes.stream().filter(Begin.class::isInstance).map(Begin.class::cast).toList();
            List<Commit> commits = changes.stream().filter(Commit.class::isInstance).map(Commit.class::cast).toList();
            assertThat(begins).hasSize(major >= 14 ? 6 : 5).hasSameSizeAs(commits);
            assertThat(changes.get(0)).isInstanceOf(Begin.class);
            assertThat(changes.get(changes.size() - 1)).isInstanceOf(Commit.class);
            assertThat(changes.subList(0, 6)).extracting(m -> m.getClass().getSimpleName())
                    .containsExactly("Begin", "Type", "Relation", "Insert", "Insert", "Commit");
            Lsn previousEnd = Lsn.INVALID;
            Instant previousTime = before;
            for (int i = 0; i < begins.size(); i++) {
                Begin b = begins.get(i);
                Commit cm = commits.get(i);
                assertThat(cm.commitLsn()).isEqualTo(b.finalLsn());
                assertThat(cm.commitTime()).isEqualTo(b.commitTime()).isBetween(previousTime, after);
                assertThat(cm.endLsn()).isGreaterThan(cm.commitLsn());
                assertThat(cm.commitLsn()).isGreaterThan(previousEnd);
                assertThat(cm.flags()).isZero();
                previousEnd = cm.endLsn();
                previousTime = cm.commitTime();
            }
            if (major >= 14) {
                LogicalMessage lm = (LogicalMessage) changes.get(changes.size() - 2);
                // the message's LSN is where its WAL record ends, which can be where the commit record starts
                assertThat(lm.lsn()).isLessThanOrEqualTo(commits.get(commits.size() - 1).commitLsn())
                        .isGreaterThan(commits.get(commits.size() - 2).endLsn());
            }
            assertThat(beginXids).doesNotHaveDuplicates();
        }
    }

    /**
     * Protocol 2 on a real server: a transaction larger than {@code logical_decoding_work_mem} is streamed while
     * in progress, in blocks whose changes carry their (sub)transaction id; a rolled back savepoint is sent as a
     * Stream Abort of that subtransaction. Replaying the decoded stream must give exactly the committed rows.
     */
    @Test
    void decodesAStreamedTransactionWithProtocol2() throws Exception {
        try (PostgresServer pg = PostgresServer.start(17); Connection c = pg.connect("postgres");
                Statement st = c.createStatement()) {
            st.execute("SET synchronous_commit = on");
            st.execute("CREATE TABLE big_tx (id int PRIMARY KEY, payload text)");
            st.execute("CREATE PUBLICATION p FOR TABLE big_tx");
            st.execute("SELECT pg_create_logical_replication_slot('s', 'pgoutput')");
            int relid = intOf(st, "SELECT 'big_tx'::regclass::oid::int");

            c.setAutoCommit(false);
            st.execute("INSERT INTO big_tx SELECT i, repeat('x', 100) FROM generate_series(1, 3000) i");
            st.execute("SAVEPOINT a");
            st.execute("INSERT INTO big_tx SELECT i, repeat('y', 100) FROM generate_series(5001, 8000) i");
            st.execute("ROLLBACK TO SAVEPOINT a");
            st.execute("INSERT INTO big_tx VALUES (9001, 'after the rollback')");
            c.commit();
            c.setAutoCommit(true);

            // the smallest budget, so that the transaction is streamed long before its commit
            st.execute("SET logical_decoding_work_mem = '64kB'");
            PgOutputDecoder decoder = new PgOutputDecoder(2);
            RelationCache relations = new RelationCache();
            Map<Long, List<String>> insertedBySubXid = new LinkedHashMap<>();
            Set<Long> topLevel = new HashSet<>();
            List<String> committed = new ArrayList<>();
            int blocks = 0;
            int aborts = 0;
            try (ResultSet rs = st.executeQuery("SELECT data FROM pg_logical_slot_get_binary_changes('s', NULL, NULL,"
                    + " 'proto_version', '2', 'streaming', 'on', 'publication_names', 'p')")) {
                while (rs.next()) {
                    PgOutputMessage m = decoder.decode(rs.getBytes(1));
                    relations.accept(m);
                    if (m instanceof PgOutputMessage.StreamStart start) {
                        assertThat(start.firstSegment()).isEqualTo(blocks == 0);
                        topLevel.add(start.xid());
                        blocks++;
                    } else if (m instanceof PgOutputMessage.Streamed streamed
                            && streamed.change() instanceof Insert insert) {
                        assertThat(relations.get(insert.relationId()).name()).isEqualTo("big_tx");
                        assertThat(insert.relationId()).isEqualTo(relid);
                        insertedBySubXid.computeIfAbsent(streamed.xid(), x -> new ArrayList<>())
                                .add(((TupleData.Text) insert.newTuple().get(0)).text());
                    } else if (m instanceof PgOutputMessage.StreamAbort abort) {
                        assertThat(abort.subXid()).isNotEqualTo(abort.xid());
                        assertThat(topLevel).contains(abort.xid());
                        insertedBySubXid.remove(abort.subXid());
                        aborts++;
                    } else if (m instanceof PgOutputMessage.StreamCommit commit) {
                        assertThat(topLevel).containsExactly(commit.xid());
                        assertThat(commit.commitLsn()).isLessThan(commit.endLsn());
                        insertedBySubXid.values().forEach(committed::addAll);
                    } else {
                        assertThat(m).isInstanceOfAny(PgOutputMessage.StreamStop.class, PgOutputMessage.Streamed.class);
                    }
                }
            }
            assertThat(blocks).isGreaterThan(1);
            assertThat(aborts).isEqualTo(1);
            List<String> expected = new ArrayList<>();
            for (int i = 1; i <= 3000; i++) {
                expected.add(Integer.toString(i));
            }
            expected.add("9001");
            assertThat(committed).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    /**
     * Before PostgreSQL 15 pgoutput sends a Begin/Commit pair for every decoded transaction, even one with
     * nothing published in it (PG13's transactional logical message, or any background catalog write). Those
     * pairs say nothing about the table and their number is not deterministic, so they are dropped.
     */
    private static List<PgOutputMessage> withoutEmptyTransactions(List<PgOutputMessage> stream) {
        List<PgOutputMessage> out = new ArrayList<>();
        for (int i = 0; i < stream.size(); i++) {
            if (stream.get(i) instanceof Begin && i + 1 < stream.size() && stream.get(i + 1) instanceof Commit) {
                i++;
                continue;
            }
            out.add(stream.get(i));
        }
        return out;
    }

    private static List<PgOutputMessage> withoutTransactionBoundaries(List<PgOutputMessage> stream) {
        return new ArrayList<>(stream.stream().filter(m -> !(m instanceof Begin) && !(m instanceof Commit)).toList());
    }

    private static int intOf(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
