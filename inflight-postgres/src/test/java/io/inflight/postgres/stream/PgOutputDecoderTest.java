package io.inflight.postgres.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.postgres.stream.PgOutputMessage.Begin;
import io.inflight.postgres.stream.PgOutputMessage.Commit;
import io.inflight.postgres.stream.PgOutputMessage.Delete;
import io.inflight.postgres.stream.PgOutputMessage.Insert;
import io.inflight.postgres.stream.PgOutputMessage.LogicalMessage;
import io.inflight.postgres.stream.PgOutputMessage.OldKind;
import io.inflight.postgres.stream.PgOutputMessage.OldTuple;
import io.inflight.postgres.stream.PgOutputMessage.Origin;
import io.inflight.postgres.stream.PgOutputMessage.Relation;
import io.inflight.postgres.stream.PgOutputMessage.StreamAbort;
import io.inflight.postgres.stream.PgOutputMessage.StreamCommit;
import io.inflight.postgres.stream.PgOutputMessage.StreamStart;
import io.inflight.postgres.stream.PgOutputMessage.StreamStop;
import io.inflight.postgres.stream.PgOutputMessage.Streamed;
import io.inflight.postgres.stream.PgOutputMessage.Truncate;
import io.inflight.postgres.stream.PgOutputMessage.Type;
import io.inflight.postgres.stream.PgOutputMessage.Update;
import io.inflight.postgres.stream.TupleData.Value;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PgOutputDecoderTest {

    /** 2024-05-06T07:08:09.123456Z in microseconds since 2000-01-01. */
    private static final long MICROS = (Instant.parse("2024-05-06T07:08:09.123456Z").getEpochSecond() - 946_684_800L)
            * 1_000_000L + 123_456L;
    private static final Instant TIME = Instant.parse("2024-05-06T07:08:09.123456Z");

    private final PgOutputDecoder v1 = PgOutputDecoder.protocol1();

    @Test
    void begin() {
        byte[] m = Wire.message('B').int64(0x16_B374D848L).int64(MICROS).int32(0xFFFF_FFFE).bytes();
        // xid is unsigned: 4294967294, not -2
        assertThat(v1.decode(m)).isEqualTo(new Begin(Lsn.parse("16/B374D848"), TIME, 4_294_967_294L));
    }

    @Test
    void timestampsAtAndBeforeThePostgresEpoch() {
        byte[] epoch = Wire.message('B').int64(1).int64(0).int32(1).bytes();
        byte[] before = Wire.message('B').int64(1).int64(-1).int32(1).bytes();
        assertThat(((Begin) v1.decode(epoch)).commitTime()).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
        assertThat(((Begin) v1.decode(before)).commitTime()).isEqualTo(Instant.parse("1999-12-31T23:59:59.999999Z"));
    }

    @Test
    void commit() {
        byte[] m = Wire.message('C').byte1(0).int64(0x100).int64(0x180).int64(MICROS).bytes();
        assertThat(v1.decode(m)).isEqualTo(new Commit(0, Lsn.valueOf(0x100), Lsn.valueOf(0x180), TIME));
    }

    @Test
    void origin() {
        byte[] m = Wire.message('O').int64(0x42).cstring("node_ä").bytes();
        assertThat(v1.decode(m)).isEqualTo(new Origin(Lsn.valueOf(0x42), "node_ä"));
    }

    @Test
    void relationWithKeyFlagsTypmodsAndEmptyNamespace() {
        byte[] m = Wire.message('R').int32(16_385).cstring("").cstring("Ünïcode table").byte1('d').int16(3)
                .byte1(1).cstring("id").int32(23).int32(-1)
                .byte1(0).cstring("name").int32(1043).int32(54)
                .byte1(0).cstring("").int32(25).int32(-1)
                .bytes();
        assertThat(v1.decode(m)).isEqualTo(new Relation(16_385, "", "Ünïcode table", 'd', List.of(
                new Relation.Column(true, "id", 23, -1),
                new Relation.Column(false, "name", 1043, 54),
                new Relation.Column(false, "", 25, -1))));
    }

    @Test
    void relationIdAboveTwoToThe31IsKeptAsItsBits() {
        byte[] m = Wire.message('R').int32(0x8000_0001).cstring("s").cstring("t").byte1('f').int16(0).bytes();
        Relation r = (Relation) v1.decode(m);
        assertThat(Integer.toUnsignedLong(r.relationId())).isEqualTo(0x8000_0001L);
        assertThat(r.replicaIdentity()).isEqualTo('f');
        assertThat(r.columns()).isEmpty();
    }

    @Test
    void type() {
        byte[] m = Wire.message('Y').int32(90_001).cstring("public").cstring("mood").bytes();
        assertThat(v1.decode(m)).isEqualTo(new Type(90_001, "public", "mood"));
    }

    @Test
    void insertWithNullEmptyNonAsciiAndBinaryValues() {
        byte[] m = Wire.message('I').int32(7).byte1('N').int16(5)
                .text("1").byte1('n').text("").text("naïve — 日本語 😀").byte1('b').int32(3).raw(new byte[] {0, -1, 7})
                .bytes();
        Insert insert = (Insert) v1.decode(m);
        assertThat(insert.relationId()).isEqualTo(7);
        assertThat(insert.newTuple()).isEqualTo(TupleData.of(Value.text("1"), Value.NULL, Value.text(""),
                Value.text("naïve — 日本語 😀"), new TupleData.Binary(new byte[] {0, -1, 7})));
        assertThat(insert.newTuple().get(1)).isNotEqualTo(Value.text(""));
        assertThat(insert.newTuple().hasUnchangedToast()).isFalse();
        // counted while decoding, as a tuple made from the same values counts it
        assertThat(insert.newTuple().approxBytes()).isEqualTo(TupleData.of(Value.text("1"), Value.NULL, Value.text(""),
                Value.text("naïve — 日本語 😀"), new TupleData.Binary(new byte[] {0, -1, 7})).approxBytes())
                .isGreaterThan(1 + "naïve — 日本語 😀".getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 3);
    }

    @Test
    void updateWithoutOldTupleAndAnUnchangedToastValue() {
        byte[] m = Wire.message('U').int32(7).byte1('N').int16(3).text("1").byte1('u').byte1('n').bytes();
        Update u = (Update) v1.decode(m);
        assertThat(u).isEqualTo(new Update(7, Optional.empty(),
                TupleData.of(Value.text("1"), Value.UNCHANGED_TOAST, Value.NULL)));
        assertThat(u.newTuple().get(1)).isInstanceOf(TupleData.UnchangedToast.class).isNotEqualTo(Value.NULL);
        assertThat(u.newTuple().hasUnchangedToast()).isTrue();
    }

    @Test
    void updateWithOldKey() {
        byte[] m = Wire.message('U').int32(7)
                .byte1('K').int16(2).text("1").byte1('n')
                .byte1('N').int16(2).text("2").text("x").bytes();
        assertThat(v1.decode(m)).isEqualTo(new Update(7,
                Optional.of(new OldTuple(OldKind.KEY, TupleData.of(Value.text("1"), Value.NULL))),
                TupleData.of(Value.text("2"), Value.text("x"))));
    }

    @Test
    void updateWithOldFullTuple() {
        byte[] m = Wire.message('U').int32(7)
                .byte1('O').int16(2).text("1").text("old")
                .byte1('N').int16(2).text("1").text("new").bytes();
        assertThat(v1.decode(m)).isEqualTo(new Update(7,
                Optional.of(new OldTuple(OldKind.FULL, TupleData.of(Value.text("1"), Value.text("old")))),
                TupleData.of(Value.text("1"), Value.text("new"))));
    }

    @Test
    void deleteByKeyAndByFullRow() {
        byte[] key = Wire.message('D').int32(9).byte1('K').int16(2).text("5").byte1('n').bytes();
        byte[] full = Wire.message('D').int32(9).byte1('O').int16(2).text("5").text("v").bytes();
        assertThat(v1.decode(key)).isEqualTo(
                new Delete(9, new OldTuple(OldKind.KEY, TupleData.of(Value.text("5"), Value.NULL))));
        assertThat(v1.decode(full)).isEqualTo(
                new Delete(9, new OldTuple(OldKind.FULL, TupleData.of(Value.text("5"), Value.text("v")))));
    }

    @Test
    void truncateOptions() {
        byte[] both = Wire.message('T').int32(2).byte1(3).int32(10).int32(11).bytes();
        byte[] cascade = Wire.message('T').int32(1).byte1(1).int32(10).bytes();
        byte[] restart = Wire.message('T').int32(1).byte1(2).int32(10).bytes();
        byte[] plain = Wire.message('T').int32(1).byte1(0).int32(10).bytes();
        assertThat(v1.decode(both)).isEqualTo(new Truncate(true, true, List.of(10, 11)));
        assertThat(v1.decode(cascade)).isEqualTo(new Truncate(true, false, List.of(10)));
        assertThat(v1.decode(restart)).isEqualTo(new Truncate(false, true, List.of(10)));
        assertThat(v1.decode(plain)).isEqualTo(new Truncate(false, false, List.of(10)));
    }

    @Test
    void logicalMessages() {
        byte[] content = "héllo\0bytes".getBytes(StandardCharsets.UTF_8);
        byte[] tx = Wire.message('M').byte1(1).int64(0x99).cstring("inflight").int32(content.length).raw(content)
                .bytes();
        byte[] nonTx = Wire.message('M').byte1(0).int64(0x99).cstring("").int32(0).bytes();
        LogicalMessage m = (LogicalMessage) v1.decode(tx);
        assertThat(m).isEqualTo(new LogicalMessage(true, Lsn.valueOf(0x99), "inflight", content));
        assertThat(m.content()).isEqualTo(content);
        assertThat(v1.decode(nonTx)).isEqualTo(new LogicalMessage(false, Lsn.valueOf(0x99), "", new byte[0]));
    }

    @Test
    void decodesFromTheBufferPositionWithoutMovingItAndWhateverItsByteOrder() {
        byte[] body = Wire.message('C').byte1(0).int64(1).int64(2).int64(0).bytes();
        byte[] framed = new byte[body.length + 3];
        System.arraycopy(body, 0, framed, 2, body.length);
        ByteBuffer buf = ByteBuffer.wrap(framed, 2, body.length).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(v1.decode(buf)).isEqualTo(
                new Commit(0, Lsn.valueOf(1), Lsn.valueOf(2), Instant.parse("2000-01-01T00:00:00Z")));
        assertThat(buf.position()).isEqualTo(2);
    }

    @Test
    void unknownMessageTypeIsAnInternalErrorNamingIt() {
        assertThatThrownBy(() -> v1.decode(new byte[] {'Z', 0, 0}))
                .isInstanceOf(InflightException.class)
                .hasMessageContaining("'Z'").hasMessageContaining("offset 1").hasMessageContaining("unknown")
                .satisfies(e -> assertThat(((InflightException) e).code()).isEqualTo(ErrorCode.INTERNAL));
    }

    @Test
    void emptyBufferIsAnError() {
        assertThatThrownBy(() -> v1.decode(new byte[0])).isInstanceOf(InflightException.class)
                .hasMessageContaining("offset 0").hasMessageContaining("truncated");
    }

    @Test
    void everyTruncationOfARealisticMessageIsAnErrorNamingTypeAndOffset() {
        byte[] full = Wire.message('U').int32(7)
                .byte1('K').int16(2).text("1").byte1('n')
                .byte1('N').int16(2).text("2").text("xyz").bytes();
        Pattern shape = Pattern.compile(
                "message 'U' at offset (\\d+): truncated, needed (\\d+) more bytes but only (\\d+) remain");
        for (int len = 1; len < full.length; len++) {
            byte[] cut = Arrays.copyOf(full, len);
            InflightException e = (InflightException) catchThrowable(() -> v1.decode(cut));
            assertThat(e).as("cut at %d", len).isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
            Matcher m = shape.matcher(e.getMessage());
            assertThat(m.find()).as(e.getMessage()).isTrue();
            // the offset is where the cut field starts: what remains after it is exactly what the cut left
            int offset = Integer.parseInt(m.group(1));
            assertThat(offset + Integer.parseInt(m.group(3))).as(e.getMessage()).isEqualTo(len);
            assertThat(Integer.parseInt(m.group(2))).isGreaterThan(Integer.parseInt(m.group(3)));
        }
    }

    @Test
    void unterminatedStringIsAnError() {
        byte[] m = Wire.message('O').int64(1).raw("abc".getBytes(StandardCharsets.UTF_8)).bytes();
        assertThatThrownBy(() -> v1.decode(m)).isInstanceOf(InflightException.class)
                .hasMessageContaining("'O'").hasMessageContaining("offset 9").hasMessageContaining("NUL");
    }

    @Test
    void trailingBytesAreAnError() {
        byte[] m = Wire.message('C').byte1(0).int64(1).int64(2).int64(0).byte1(0).bytes();
        assertThatThrownBy(() -> v1.decode(m)).isInstanceOf(InflightException.class)
                .hasMessageContaining("'C'").hasMessageContaining("offset 26").hasMessageContaining("trailing");
    }

    @Test
    void badMarkersAndKindsAreErrors() {
        byte[] insertWithoutN = Wire.message('I').int32(7).byte1('X').int16(0).bytes();
        byte[] deleteWithN = Wire.message('D').int32(7).byte1('N').int16(0).bytes();
        byte[] unknownKind = Wire.message('I').int32(7).byte1('N').int16(1).byte1('z').bytes();
        byte[] negativeLength = Wire.message('I').int32(7).byte1('N').int16(1).byte1('t').int32(-1).bytes();
        assertThatThrownBy(() -> v1.decode(insertWithoutN)).hasMessageContaining("offset 6");
        assertThatThrownBy(() -> v1.decode(deleteWithN)).hasMessageContaining("'K' or 'O'");
        assertThatThrownBy(() -> v1.decode(unknownKind)).hasMessageContaining("column 1");
        assertThatThrownBy(() -> v1.decode(negativeLength)).hasMessageContaining("negative length");
    }

    @Test
    void streamingMessagesAreRefusedInAProtocol1Stream() {
        byte[] start = Wire.message('S').int32(700).byte1(1).bytes();
        assertThatThrownBy(() -> v1.decode(start)).isInstanceOf(InflightException.class)
                .hasMessageContaining("'S'").hasMessageContaining("protocol version 1");
    }

    @Test
    void unsupportedProtocolVersion() {
        assertThatThrownBy(() -> new PgOutputDecoder(3)).isInstanceOf(InflightException.class)
                .satisfies(e -> assertThat(((InflightException) e).code()).isEqualTo(ErrorCode.UNSUPPORTED));
    }

    @Test
    void protocol2StreamBlockCarriesXidsOnlyInsideIt() {
        PgOutputDecoder v2 = new PgOutputDecoder(2);
        assertThat(v2.decode(Wire.message('S').int32(700).byte1(1).bytes())).isEqualTo(new StreamStart(700, true));
        assertThat(v2.decode(Wire.message('R').int32(701).int32(5).cstring("s").cstring("t").byte1('d').int16(1)
                .byte1(1).cstring("id").int32(23).int32(-1).bytes()))
                .isEqualTo(new Streamed(701, new Relation(5, "s", "t", 'd',
                        List.of(new Relation.Column(true, "id", 23, -1)))));
        assertThat(v2.decode(Wire.message('I').int32(701).int32(5).byte1('N').int16(1).text("1").bytes()))
                .isEqualTo(new Streamed(701, new Insert(5, TupleData.of(Value.text("1")))));
        assertThat(v2.decode(Wire.message('M').int32(700).byte1(1).int64(3).cstring("p").int32(0).bytes()))
                .isEqualTo(new Streamed(700, new LogicalMessage(true, Lsn.valueOf(3), "p", new byte[0])));
        assertThat(v2.decode(Wire.message('T').int32(700).int32(1).byte1(0).int32(5).bytes()))
                .isEqualTo(new Streamed(700, new Truncate(false, false, List.of(5))));
        assertThat(v2.decode(Wire.message('E').bytes())).isEqualTo(new StreamStop());
        // outside the block, the same kinds of messages carry no xid
        assertThat(v2.decode(Wire.message('I').int32(5).byte1('N').int16(1).text("2").bytes()))
                .isEqualTo(new Insert(5, TupleData.of(Value.text("2"))));
        assertThat(v2.decode(Wire.message('A').int32(700).int32(701).bytes())).isEqualTo(new StreamAbort(700, 701));
        assertThat(v2.decode(Wire.message('c').int32(700).byte1(0).int64(0x10).int64(0x20).int64(MICROS).bytes()))
                .isEqualTo(new StreamCommit(700, 0, Lsn.valueOf(0x10), Lsn.valueOf(0x20), TIME));
    }

    @Test
    void binaryValuesAndMessageContentAreCopiedNotShared() {
        byte[] bytes = {1, 2, 3};
        TupleData.Binary b = new TupleData.Binary(bytes);
        bytes[0] = 9;
        b.bytes()[1] = 9;
        assertThat(b.bytes()).containsExactly(1, 2, 3);
    }
}
