package io.inflight.postgres.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.TableId;
import io.inflight.postgres.checkpoint.RangeBounds;
import io.inflight.postgres.schema.ColumnInfo;
import io.inflight.postgres.schema.TableInfo;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CopyTaskTest {

    private static TableInfo table(boolean binarySafe) {
        return new TableInfo(TableId.of("My Schema", "Order\"s"), List.of(
                new ColumnInfo("id", 1, "integer", 23, true, false, true),
                new ColumnInfo("Total", 2, "numeric", 1700, false, false, binarySafe),
                new ColumnInfo("doubled", 3, "integer", 23, false, true, true)),
                List.of("id"), TableInfo.KeyKind.PRIMARY_KEY, 'd', 10, 8192, false, Optional.empty(), false);
    }

    @Test
    void aWholeTableIsCopiedByNameInBinaryWithoutGeneratedColumns() {
        CopyTask task = new CopyTask(table(true), 0, CopyRange.WHOLE, 8192);
        assertThat(task.copyOutSql())
                .isEqualTo("COPY \"My Schema\".\"Order\"\"s\" (\"id\", \"Total\") TO STDOUT (FORMAT binary)");
        assertThat(task.copyInSql())
                .isEqualTo("COPY \"My Schema\".\"Order\"\"s\" (\"id\", \"Total\") FROM STDIN (FORMAT binary)");
    }

    @Test
    void aRangeSelectsFromOnlyThatTableAndTextFormatIsUsedWhenBinaryIsNotPortable() {
        CopyRange range = new CopyRange(new RangeBounds("key", Optional.of("5"), Optional.empty()),
                Optional.of("\"id\" >= 5"));
        CopyTask task = new CopyTask(table(false), 3, range, 100);
        assertThat(task.copyOutSql()).isEqualTo("COPY (SELECT \"id\", \"Total\" FROM ONLY \"My Schema\".\"Order\"\"s\""
                + " WHERE \"id\" >= 5) TO STDOUT");
        assertThat(task.copyInSql()).isEqualTo("COPY \"My Schema\".\"Order\"\"s\" (\"id\", \"Total\") FROM STDIN");
    }
}
