package io.inflight.postgres.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.TableId;
import io.inflight.testkit.PostgresServer;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class TableCatalogIT {

    static PostgresServer pg;

    @BeforeAll
    static void start() {
        pg = PostgresServer.start(13);
        pg.execute("postgres",
                "CREATE SCHEMA shop",
                "CREATE TYPE shop.status AS ENUM ('new', 'paid')",
                "CREATE TYPE shop.pair AS (a int, b text)",
                "CREATE DOMAIN shop.cents AS bigint CHECK (VALUE >= 0)",
                "CREATE TABLE shop.orders (id bigint PRIMARY KEY, status shop.status NOT NULL, total shop.cents,"
                        + " tags text[], doubled bigint GENERATED ALWAYS AS (total * 2) STORED)",
                "CREATE TABLE shop.\"Line Items\" (order_id bigint NOT NULL, line int NOT NULL, sku text,"
                        + " PRIMARY KEY (order_id, line))",
                "CREATE TABLE shop.odd (code text NOT NULL, maybe text, statuses shop.status[], p shop.pair)",
                "CREATE UNIQUE INDEX ON shop.odd (maybe)",
                "CREATE UNIQUE INDEX ON shop.odd (code)",
                "CREATE TABLE shop.nokey (x int)",
                "CREATE TABLE shop.events (id bigint, at date NOT NULL) PARTITION BY RANGE (at)",
                "CREATE TABLE shop.events_2024 PARTITION OF shop.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
                "CREATE UNLOGGED TABLE shop.scratch (id int PRIMARY KEY)",
                "CREATE TABLE public.elsewhere (id int PRIMARY KEY)",
                "INSERT INTO shop.orders (id, status, total) SELECT g, 'new', g FROM generate_series(1, 1000) g",
                "ANALYZE shop.orders");
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    private static Map<TableId, TableInfo> read(SchemaFilter filter) throws Exception {
        try (Connection c = pg.connect("postgres")) {
            List<TableInfo> tables = TableCatalog.read(c, filter);
            return tables.stream().collect(Collectors.toMap(TableInfo::id, Function.identity()));
        }
    }

    @Test
    void readsKeysColumnsAndCopySafety() throws Exception {
        Map<TableId, TableInfo> t = read(SchemaFilter.only("shop"));
        assertThat(t.keySet()).extracting(TableId::name).containsExactlyInAnyOrder(
                "orders", "Line Items", "odd", "nokey", "events", "events_2024", "scratch");

        TableInfo orders = t.get(TableId.of("shop", "orders"));
        assertThat(orders.keyKind()).isEqualTo(TableInfo.KeyKind.PRIMARY_KEY);
        assertThat(orders.keyColumns()).containsExactly("id");
        assertThat(orders.copyColumns()).extracting(ColumnInfo::name).containsExactly("id", "status", "total", "tags");
        assertThat(orders.binaryCopySafe()).isTrue();
        assertThat(orders.estimatedRows()).isEqualTo(1000);
        assertThat(orders.hasReplicaIdentity()).isTrue();

        assertThat(t.get(TableId.of("shop", "Line Items")).keyColumns()).containsExactly("order_id", "line");

        TableInfo odd = t.get(TableId.of("shop", "odd"));
        assertThat(odd.keyKind()).isEqualTo(TableInfo.KeyKind.UNIQUE_NOT_NULL);
        assertThat(odd.keyColumns()).containsExactly("code");
        assertThat(odd.binaryCopySafe()).as("enum[] and composite embed type OIDs").isFalse();
        assertThat(odd.hasReplicaIdentity()).as("a unique index is not a replica identity by default").isFalse();

        assertThat(t.get(TableId.of("shop", "nokey")).keyKind()).isEqualTo(TableInfo.KeyKind.NONE);
        assertThat(t.get(TableId.of("shop", "events")).holdsRows()).isFalse();
        assertThat(t.get(TableId.of("shop", "events_2024")).partitionOf()).contains(TableId.of("shop", "events"));
        assertThat(t.get(TableId.of("shop", "scratch")).unlogged()).isTrue();
    }

    @Test
    void filterExcludesSchemas() throws Exception {
        assertThat(read(SchemaFilter.all()).keySet()).contains(TableId.of("public", "elsewhere"));
        assertThat(read(new SchemaFilter(List.of(), List.of("shop"))).keySet())
                .containsExactly(TableId.of("public", "elsewhere"));
    }
}
