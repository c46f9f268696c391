package io.inflight.postgres.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An autovacuum that started on a freshly loaded table is cancelled within a fraction of a second when a
 * post-data step needs the table, instead of after the server's one-second deadlock timeout.
 */
@Timeout(240)
class AutovacuumWaitIT {

    private static final Pattern ACQUIRED =
            Pattern.compile("process \\d+ acquired ShareLock on relation \\d+ of database \\d+ after ([0-9.]+) ms");

    @Test
    void aPostDataStepCancelsABlockingAutovacuumQuickly() throws Exception {
        try (PostgresServer pg = PostgresServer.builder(17)
                .setting("autovacuum_naptime", "1")
                .setting("log_lock_waits", "on")
                .start()) {
            pg.createDatabase("src");
            pg.createDatabase("tgt");
            pg.execute("src", "CREATE TABLE public.big (id int PRIMARY KEY, v text)",
                    "CREATE INDEX big_v ON public.big (v)");
            SchemaPlan plan = CloneFixture.plan(pg, "src");
            CloneFixture.preData(pg, "tgt", plan);
            // An autovacuum slowed to a crawl, so it still holds its lock when post-data starts.
            pg.execute("tgt", "ALTER TABLE public.big SET (autovacuum_vacuum_insert_threshold = 1,"
                            + " autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_cost_delay = 100,"
                            + " autovacuum_vacuum_cost_limit = 1)",
                    "INSERT INTO public.big SELECT i, md5(i::text) FROM generate_series(1, 200000) i");
            awaitAutovacuumOn(pg, "big");

            List<String> warnings = CloneFixture.postData(pg, "tgt", plan, 1);

            assertThat(warnings).isEmpty();
            String log = pg.serverLog();
            assertThat(log).as("the autovacuum was in the way and got cancelled").contains("canceling autovacuum task");
            Matcher m = ACQUIRED.matcher(log);
            assertThat(m.find()).as("a post-data step waited for the autovacuum's lock:%n%s", log).isTrue();
            double waitedMs = Double.parseDouble(m.group(1));
            // With the server's default deadlock_timeout the wait is at least 1000 ms.
            assertThat(waitedMs).isLessThan(500);
            try (Connection c = pg.connect("tgt"); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_index WHERE indrelid = 'public.big'::regclass"
                         + " AND indisvalid")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
        }
    }

    private static void awaitAutovacuumOn(PostgresServer pg, String table) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        try (Connection c = pg.connect("tgt"); Statement s = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE backend_type ="
                        + " 'autovacuum worker' AND query LIKE '%" + table + "%'")) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("no autovacuum started on " + table + " within 120 s");
    }
}
