package io.inflight.postgres.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MergeDiffTest {

    static RowEntry keyed(long bucket, String key, long hash) {
        return new RowEntry(bucket, "(" + key + ")", List.of(key), hash, 1);
    }

    static List<Mismatch> merge(List<RowEntry> source, List<RowEntry> target, boolean keyed) {
        List<Mismatch> out = new ArrayList<>();
        MergeDiff.merge(source.iterator(), target.iterator(), keyed ? MergeDiff.KEYED : MergeDiff.MULTISET, out::add);
        return out;
    }

    @Test
    void keyedRowsOnOneSideOrWithOtherHashesAreMismatches() {
        List<RowEntry> source = List.of(keyed(0, "a", 1), keyed(0, "b", 2), keyed(1, "c", 3), keyed(2, "e", 5));
        List<RowEntry> target = List.of(keyed(0, "a", 1), keyed(1, "c", 33), keyed(1, "d", 4), keyed(2, "e", 5));
        List<Mismatch> m = merge(source, target, true);
        assertThat(m).extracting(Mismatch::id).containsExactly("(b)", "(c)", "(d)");
        assertThat(m.get(0).target()).isNull();
        assertThat(m.get(1).source().hash()).isEqualTo(3);
        assertThat(m.get(1).target().hash()).isEqualTo(33);
        assertThat(m.get(2).source()).isNull();
    }

    @Test
    void aDuplicateKeyOnTheTargetIsExtra() {
        List<Mismatch> m = merge(List.of(keyed(0, "a", 1)), List.of(keyed(0, "a", 1), keyed(0, "a", 1)), true);
        assertThat(m).hasSize(1);
        assertThat(m.get(0).source()).isNull();
    }

    @Test
    void keysCompareByTheirUtf8BytesLikeConvertToDoes() {
        // U+FF21 sorts before U+1F600 in UTF-16 code units? No: 0xFF21 < 0xD83D is false; in UTF-8 bytes EF < F0.
        String fullwidth = "\uFF21";
        String emoji = "\uD83D\uDE00";
        assertThat(MergeDiff.KEYED.compare(keyed(0, fullwidth, 0), keyed(0, emoji, 0))).isNegative();
        assertThat(fullwidth.compareTo(emoji)).as("String order would disagree").isPositive();
        assertThat(MergeDiff.KEYED.compare(keyed(0, "z", 0), keyed(1, "a", 0))).as("bucket first").isNegative();
    }

    @Test
    void multisetCountsDifferPerDistinctRow() {
        List<RowEntry> source = List.of(RowEntry.multiset(-5, 2), RowEntry.multiset(3, 1), RowEntry.multiset(7, 4));
        List<RowEntry> target = List.of(RowEntry.multiset(-5, 2), RowEntry.multiset(7, 3), RowEntry.multiset(9, 1));
        List<Mismatch> m = merge(source, target, false);
        assertThat(m).extracting(Mismatch::id).containsExactly("3", "7", "9");
        assertThat(m.get(1).source().count()).isEqualTo(4);
        assertThat(m.get(1).target().count()).isEqualTo(3);
    }
}
