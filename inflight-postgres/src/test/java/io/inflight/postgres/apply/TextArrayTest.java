package io.inflight.postgres.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.postgres.stream.TupleData;
import io.inflight.postgres.stream.TupleData.Value;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextArrayTest {

    private static final List<TupleData> ROWS = List.of(
            TupleData.of(Value.text("1"), Value.text("a\"b\\c")),
            TupleData.of(Value.text("2"), Value.NULL),
            TupleData.of(Value.text("3"), Value.text("日本")));

    @Test
    void writesPostgresBinaryArrayFormat() {
        TextArray a = new TextArray(ROWS, 1);
        byte[] out = new byte[a.lengthInBytes() + 3];
        a.toBytes(out, 3);
        ByteBuffer b = ByteBuffer.wrap(out, 3, out.length - 3);
        assertThat(b.getInt()).as("dimensions").isEqualTo(1);
        assertThat(b.getInt()).as("has nulls").isEqualTo(1);
        assertThat(b.getInt()).as("element type: text").isEqualTo(25);
        assertThat(b.getInt()).as("length").isEqualTo(3);
        assertThat(b.getInt()).as("lower bound").isEqualTo(1);
        assertThat(element(b)).isEqualTo("a\"b\\c");
        assertThat(b.getInt()).as("NULL").isEqualTo(-1);
        assertThat(element(b)).isEqualTo("日本");
        assertThat(b.hasRemaining()).isFalse();
    }

    @Test
    void theTextFallbackQuotesEveryElement() {
        assertThat(new TextArray(ROWS, 1).getValue()).isEqualTo("{\"a\\\"b\\\\c\",NULL,\"日本\"}");
        assertThat(new TextArray(ROWS, 0).getValue()).isEqualTo("{\"1\",\"2\",\"3\"}");
    }

    private static String element(ByteBuffer b) {
        byte[] bytes = new byte[b.getInt()];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
