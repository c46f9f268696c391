package io.inflight.postgres.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.TableId;
import io.inflight.postgres.stream.TupleData;
import io.inflight.postgres.stream.TupleData.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetChangesTest {

    static final TableShape SHAPE = new TableShape(TableId.of("public", "t"), List.of("id", "v", "doc"),
            List.of("integer", "text", "text"), List.of(0));
    static final TableShape KEYLESS = new TableShape(TableId.of("public", "log"), List.of("a", "b"),
            List.of("text", "text"), List.of());

    static TupleData row(String id, String v, Value doc) {
        return TupleData.of(Value.text(id), v == null ? Value.NULL : Value.text(v), doc);
    }

    static TupleData row(String id, String v, String doc) {
        return row(id, v, Value.text(doc));
    }

    static RowChange insert(TupleData r) {
        return new RowChange.Insert(SHAPE, r);
    }

    static RowChange update(TupleData r) {
        return new RowChange.Update(SHAPE, r, r);
    }

    static RowChange move(String oldId, TupleData r) {
        return new RowChange.Update(SHAPE, TupleData.of(Value.text(oldId), Value.NULL, Value.NULL), r);
    }

    static RowChange delete(String id) {
        return new RowChange.Delete(SHAPE, TupleData.of(Value.text(id), Value.NULL, Value.NULL));
    }

    static NetChanges.Result reduce(RowChange... changes) {
        return NetChanges.reduce(SHAPE, List.of(changes)).orElseThrow();
    }

    @Test
    void aHotRowUpdatedManyTimesBecomesOneUpdateWithItsLastValues() {
        NetChanges.Result r = reduce(update(row("1", "a", "x")), update(row("1", "b", "x")), update(row("1", "c", "y")));
        assertThat(r.deletes()).isEmpty();
        assertThat(r.inserts()).isEmpty();
        assertThat(r.updates()).containsOnlyKeys(List.of(0, 1, 2));
        assertThat(r.updates().get(List.of(0, 1, 2))).containsExactly(row("1", "c", "y"));
    }

    @Test
    void aRowInsertedAndDeletedInTheRunLeavesNothing() {
        NetChanges.Result r = reduce(insert(row("1", "a", "x")), update(row("1", "b", "x")), delete("1"));
        assertThat(r.size()).isZero();
    }

    @Test
    void insertThenUpdatesBecomeOneInsertOfTheLastImage() {
        NetChanges.Result r = reduce(insert(row("1", "a", "x")), update(row("1", "b", Value.UNCHANGED_TOAST)));
        assertThat(r.inserts()).containsExactly(row("1", "b", "x"));
        assertThat(r.updates()).isEmpty();
    }

    @Test
    void deletedThenInsertedAgainBecomesAFullUpdate() {
        NetChanges.Result r = reduce(delete("1"), insert(row("1", "new", "n")));
        assertThat(r.deletes()).isEmpty();
        assertThat(r.updates().get(List.of(0, 1, 2))).containsExactly(row("1", "new", "n"));
    }

    @Test
    void unchangedToastIsNeverWrittenWhenNoImageOfItWasSeen() {
        NetChanges.Result r = reduce(update(row("1", "a", Value.UNCHANGED_TOAST)),
                update(row("2", "b", "doc2")));
        assertThat(r.updates()).containsOnlyKeys(List.of(0, 1), List.of(0, 1, 2));
        assertThat(r.updates().get(List.of(0, 1))).containsExactly(row("1", "a", Value.UNCHANGED_TOAST));
    }

    @Test
    void aKeyChangeDeletesTheOldKeyAndInsertsTheNew() {
        NetChanges.Result r = reduce(move("1", row("5", "a", "x")));
        assertThat(r.deletes()).containsExactly(TupleData.of(Value.text("1"), Value.NULL, Value.NULL));
        assertThat(r.inserts()).containsExactly(row("5", "a", "x"));
    }

    @Test
    void aKeyChangeMissingAToastedValueCannotBeReduced() {
        assertThat(NetChanges.reduce(SHAPE, List.of(move("1", row("5", "a", Value.UNCHANGED_TOAST))))).isEmpty();
    }

    @Test
    void aKeyChangeOntoAKeyTheRunFreedIsAnUpdateOfThatKey() {
        NetChanges.Result r = reduce(delete("5"), move("1", row("5", "a", "x")));
        assertThat(r.deletes()).containsExactly(TupleData.of(Value.text("1"), Value.NULL, Value.NULL));
        assertThat(r.updates().get(List.of(0, 1, 2))).containsExactly(row("5", "a", "x"));
    }

    @Test
    void changesThatContradictTheRunAreLeftToTheOrderedPath() {
        assertThat(NetChanges.reduce(SHAPE, List.of(insert(row("1", "a", "x")), insert(row("1", "b", "x")))))
                .as("insert of a key the run holds").isEmpty();
        assertThat(NetChanges.reduce(SHAPE, List.of(delete("1"), update(row("1", "b", "x")))))
                .as("update of a row the run deleted").isEmpty();
        assertThat(NetChanges.reduce(SHAPE, List.of(delete("1"), delete("1")))).as("deleted twice").isEmpty();
    }

    @Test
    void aKeylessTableReducesOnlyWhenItOnlyGetsInserts() {
        TupleData a = TupleData.of(Value.text("x"), Value.text("1"));
        assertThat(NetChanges.reduce(KEYLESS, List.of(new RowChange.Insert(KEYLESS, a), new RowChange.Insert(KEYLESS, a)))
                .orElseThrow().inserts()).containsExactly(a, a);
        assertThat(NetChanges.reduce(KEYLESS, List.of(new RowChange.Insert(KEYLESS, a), new RowChange.Delete(KEYLESS, a))))
                .isEmpty();
    }

    @Test
    void copyTextEscapesTheFourBytesCopyReservesAndNoByteOfAMultiByteCharacter() {
        assertThat(SetWriter.escape((byte) '\\')).isEqualTo((byte) '\\');
        assertThat(SetWriter.escape((byte) '\t')).isEqualTo((byte) 't');
        assertThat(SetWriter.escape((byte) '\n')).isEqualTo((byte) 'n');
        assertThat(SetWriter.escape((byte) '\r')).isEqualTo((byte) 'r');
        for (int b = 0; b < 256; b++) {
            if (b != '\\' && b != '\t' && b != '\n' && b != '\r') {
                assertThat(SetWriter.escape((byte) b)).as("byte %d", b).isZero();
            }
        }
    }

    @Test
    void aCompositeKeyIsComparedColumnByColumn() {
        TableShape shape = new TableShape(TableId.of("public", "pairs"), List.of("a", "b", "v"),
                List.of("int", "int", "text"), List.of(0, 1));
        TupleData first = TupleData.of(Value.text("1"), Value.text("2"), Value.text("x"));
        TupleData other = TupleData.of(Value.text("12"), Value.text(""), Value.text("y"));
        TupleData firstAgain = TupleData.of(Value.text("1"), Value.text("2"), Value.text("z"));
        NetChanges.Result r = NetChanges.reduce(shape, List.of(new RowChange.Insert(shape, first),
                new RowChange.Insert(shape, other), new RowChange.Update(shape, firstAgain, firstAgain))).orElseThrow();
        assertThat(r.inserts()).containsExactly(firstAgain, other);
        assertThat(r.updates()).isEmpty();
        assertThat(NetChanges.reduce(shape, List.of(new RowChange.Insert(shape, first),
                new RowChange.Insert(shape, firstAgain)))).as("the same key inserted twice").isEmpty();
    }
}
