package io.inflight.postgres.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.postgres.stream.PgOutputMessage.Relation;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RelationCacheTest {

    private static Relation relation(int id, String name, String... columns) {
        return new Relation(id, "public", name, 'd', Arrays.stream(columns)
                .map(c -> new Relation.Column(c.equals("id"), c, 25, -1)).toList());
    }

    @Test
    void latestRelationMessageWinsAndOtherMessagesAreIgnored() {
        RelationCache cache = new RelationCache();
        cache.accept(relation(1, "a", "id"));
        cache.accept(relation(2, "b", "id"));
        cache.accept(relation(1, "a", "id", "added"));
        cache.accept(new PgOutputMessage.StreamStop());
        cache.accept(new PgOutputMessage.Streamed(700, relation(3, "c", "id")));

        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.get(1).columns()).extracting(Relation.Column::name).containsExactly("id", "added");
        assertThat(cache.get(2).name()).isEqualTo("b");
        assertThat(cache.get(3).name()).isEqualTo("c");
    }

    @Test
    void unknownRelationIdIsAnInternalErrorNamingIt() {
        RelationCache cache = new RelationCache();
        cache.accept(relation(1, "a", "id"));
        assertThatThrownBy(() -> cache.get(0xFFFF_FFFE)).isInstanceOf(InflightException.class)
                .hasMessageContaining("4294967294")
                .satisfies(e -> assertThat(((InflightException) e).code()).isEqualTo(ErrorCode.INTERNAL));
    }
}
