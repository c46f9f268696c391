package io.inflight.postgres.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inflight.core.InflightException;
import org.junit.jupiter.api.Test;

class PgBouncerConfigTest {

    private static final String INI = """
            ;; comment = keep
            [databases]
            other = host=10.0.0.1 port=5432 dbname=other
            shop = host=10.0.0.1 port=5432 dbname=shop user=app pool_size=40
            "quoted" = host=10.0.0.1 dbname=q

            [pgbouncer]
            shop = not-a-database-entry
            listen_port = 6432""";

    @Test
    void repointsOnlyTheNamedEntryKeepingItsOtherKeys() {
        String out = PgBouncerConfig.repoint(INI, "shop", "10.0.0.2", 6543, "shop_new");
        assertThat(out).contains("shop = host=10.0.0.2 port=6543 dbname=shop_new user=app pool_size=40")
                .contains("other = host=10.0.0.1 port=5432 dbname=other")
                .contains("shop = not-a-database-entry").contains(";; comment = keep");
    }

    @Test
    void addsMissingKeysAndReadsQuotedNames() {
        String out = PgBouncerConfig.repoint(INI, "quoted", "db.internal", 5433, "q");
        assertThat(out).contains("\"quoted\" = host=db.internal dbname=q port=5433");
    }

    @Test
    void refusesAnUnknownEntry() {
        assertThatThrownBy(() -> PgBouncerConfig.repoint(INI, "missing", "h", 1, "d"))
                .isInstanceOf(InflightException.class).hasMessageContaining("no entry 'missing'");
    }
}
