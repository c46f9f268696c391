package io.inflight.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdentifiersTest {

    @Test
    void quotesEveryIdentifierAndDoublesEmbeddedQuotes() {
        assertThat(TableId.of("public", "Order \"Items\"").quoted()).isEqualTo("\"public\".\"Order \"\"Items\"\"\"");
        assertThat(TableId.of("public", "orders").toString()).isEqualTo("public.orders");
        assertThat(TableId.of("Sales", "été").toString()).isEqualTo("\"Sales\".\"été\"");
        assertThat(Identifiers.literal("it's")).isEqualTo("'it''s'");
    }

    @Test
    void endpointNeverShowsItsPassword() {
        Endpoint e = Endpoint.of("db.local", 5432, "app", "migrator", Secret.of("hunter2"));
        assertThat(e.toString()).doesNotContain("hunter2").isEqualTo("migrator@db.local:5432/app");
        assertThat(String.valueOf(e.password())).doesNotContain("hunter2");
        assertThat(e.password().reveal()).isEqualTo("hunter2");
    }
}
