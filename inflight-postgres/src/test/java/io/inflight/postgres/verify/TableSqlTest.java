package io.inflight.postgres.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inflight.core.TableId;
import io.inflight.postgres.schema.ColumnInfo;
import io.inflight.postgres.schema.TableInfo;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TableSqlTest {

    static ColumnInfo col(String name, int pos, String type) {
        return new ColumnInfo(name, pos, type, 0, false, false, true);
    }

    static final List<ColumnInfo> COLUMNS = List.of(col("id", 1, "bigint"), col("Name", 2, "text"),
            col("amount", 3, "numeric(12,2)"), col("at", 4, "timestamp with time zone"), col("doc", 5, "json"),
            col("mood", 6, "mood"), col("xs", 7, "integer[]"), col("price", 8, "money"));

    static TableSql sql(List<String> key, Set<String> asText) {
        return new TableSql(TableId.of("public", "T"), COLUMNS, key, HashFunction.NATIVE, 1024, asText,
                Set.of("Name", "amount", "at", "doc", "mood", "xs", "price"));
    }

    @Test
    void eachTypeHashesByItsOwnFunctionAndTheRestByText() {
        String h = sql(List.of("id"), Set.of()).rowHash();
        assertThat(h).contains("hashint8extended(\"id\", 0)")
                .contains("hashtextextended(\"Name\" COLLATE \"C\", 1)")
                .contains("hash_numeric_extended(\"amount\", 2 + 65536 * coalesce(scale(\"amount\"), 0))")
                .contains("timestamp_hash_extended((\"at\")::timestamp, 3)")
                .contains("hashtextextended((\"doc\")::text COLLATE \"C\", 4)")
                .contains("hashtextextended((\"mood\")::text COLLATE \"C\", 5)")
                .contains("hash_array_extended(\"xs\", 6)")
                .contains("hashtextextended((\"price\")::text COLLATE \"C\", 7)")
                .contains(" # ");
        assertThat(h).as("a column NOT NULL on both sides needs no NULL guard")
                .startsWith("(hashint8extended(\"id\", 0) # coalesce(hashtextextended(\"Name\"");
        assertThat(h.split("coalesce\\(").length - 1).as("the nullable columns are NULL-safe")
                .isGreaterThanOrEqualTo(COLUMNS.size() - 1);
    }

    @Test
    void aColumnWhoseTypeDiffersBetweenTheSidesHashesItsText() {
        assertThat(sql(List.of("id"), Set.of("id")).rowHash()).contains("hashtextextended((\"id\")::text COLLATE \"C\", 0)")
                .doesNotContain("hashint8extended(\"id\", 0)");
    }

    @Test
    void bucketsComeFromTheKeyWithItsOwnSeedsOrFromTheRowWithoutAKey() {
        assertThat(sql(List.of("id", "Name"), Set.of()).bucket()).startsWith("((hashint8extended(\"id\", "
                + TableSql.KEY_SEED + ")").endsWith(" & 1023)");
        assertThat(sql(List.of(), Set.of()).bucket()).contains("hashint8extended(\"id\", 0)");
    }

    @Test
    void keyedRowsAreReadInAnOrderBothSidesShare() {
        String q = sql(List.of("id"), Set.of()).rowsOfBuckets();
        assertThat(q).startsWith("SELECT b, k, h, p0 FROM (SELECT ").contains("FROM ONLY \"public\".\"T\"")
                .endsWith("WHERE b = ANY(?) ORDER BY b, convert_to(k, 'UTF8')");
        assertThat(sql(List.of(), Set.of()).rowsOfBuckets()).endsWith("GROUP BY h ORDER BY h");
    }

    @Test
    void keysAreLookedUpWithLiteralsOfEachSidesOwnTypes() {
        String q = sql(List.of("id", "Name"), Set.of()).rowsByKeys(List.of(List.of("1", "a'b"), List.of("2", "c")),
                List.of("integer", "text"));
        assertThat(q).endsWith("WHERE (\"id\", \"Name\") IN (('1'::integer, 'a''b'::text), ('2'::integer, 'c'::text))");
    }

    @Test
    void bucketSumsAreAdditiveOverSlices() {
        String q = sql(List.of("id"), Set.of()).bucketSums(Optional.of("\"id\" >= 10"));
        assertThat(q).startsWith("SELECT b, count(*), sum(h) FROM (SELECT ").endsWith("WHERE \"id\" >= 10) s GROUP BY b");
        BucketSums a = new BucketSums();
        a.add(1, 2, BigInteger.valueOf(5));
        a.add(1, 1, BigInteger.valueOf(-2));
        BucketSums b = new BucketSums();
        b.add(1, 3, BigInteger.valueOf(3));
        b.add(2, 1, BigInteger.ONE);
        BucketSums c = new BucketSums();
        c.add(1, 3, BigInteger.valueOf(3));
        assertThat(a.differingFrom(b)).containsExactly(2L);
        assertThat(a.differingFrom(c)).isEmpty();
        assertThat(a.rows()).isEqualTo(3);
    }

    @Test
    void bucketsArePowersOfTwoNearAThousandRowsEach() {
        assertThat(VerifyJob.buckets(info(0, 0), info(0, 0))).isEqualTo(1);
        assertThat(VerifyJob.buckets(info(1000, 0), info(10, 0))).isEqualTo(1);
        assertThat(VerifyJob.buckets(info(1001, 0), info(10, 0))).isEqualTo(2);
        assertThat(VerifyJob.buckets(info(4_000_000, 0), info(4_000_000, 0))).isEqualTo(4096);
        assertThat(VerifyJob.buckets(info(-1, 500_000), info(-1, 0))).as("never analyzed: by size").isEqualTo(8);
        assertThat(VerifyJob.buckets(info(10_000_000_000L, 0), info(0, 0))).isEqualTo(VerifyJob.MAX_BUCKETS);
        assertThatThrownBy(() -> new TableSql(TableId.of("s", "t"), COLUMNS, List.of(), HashFunction.NATIVE, 3, Set.of(), Set.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static TableInfo info(long rows, long bytes) {
        return new TableInfo(TableId.of("s", "t"), COLUMNS, List.of("id"), TableInfo.KeyKind.PRIMARY_KEY, 'd', rows,
                bytes, false, Optional.empty(), false);
    }

    @Test
    void liveModesParseAndBadOnesAreConfigurationErrors() {
        assertThat(LiveMode.parse("auto")).isEqualTo(LiveMode.AUTO);
        assertThat(LiveMode.parse("off")).isEqualTo(LiveMode.OFF);
        assertThat(LiveMode.parse("stream").kind()).isEqualTo(LiveMode.Kind.STREAM);
        assertThat(LiveMode.parse("subscription:my_sub").subscription()).contains("my_sub");
        assertThatThrownBy(() -> LiveMode.parse("subscription:")).hasMessageContaining("subscription:NAME");
    }

    @Test
    void theMd5RouteHashesTheRowText() {
        TableSql md5 = new TableSql(TableId.of("public", "T"), COLUMNS, List.of("id"), HashFunction.MD5, 8, Set.of(), Set.of());
        assertThat(md5.rowHash()).startsWith("('x' || substr(md5(convert_to(ROW(\"id\", \"Name\"")
                .contains("\"price\"::numeric").endsWith("::bit(64)::bigint");
        assertThat(md5.bucket()).contains("md5(convert_to(ROW(\"id\")::text, 'UTF8')), 17, 16)");
    }
}
