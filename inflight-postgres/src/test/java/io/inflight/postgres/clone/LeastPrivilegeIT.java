package io.inflight.postgres.clone;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.Endpoint;
import io.inflight.core.Secret;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.stream.StreamJob;
import io.inflight.postgres.stream.StreamListener;
import io.inflight.postgres.stream.StreamOptions;
import io.inflight.postgres.verify.VerifyJob;
import io.inflight.postgres.verify.VerifyOptions;
import io.inflight.postgres.verify.VerifyResult;
import io.inflight.testkit.ChangeWorkload;
import io.inflight.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole migration with the least privileges README documents: on the source a role with only REPLICATION and
 * SELECT (the publication made beforehand by the tables' owner), on the target a plain role owning the database.
 * The faster paths that need more (session_replication_role, replication origins) fall back and say so.
 */
@Timeout(300)
class LeastPrivilegeIT {

    @Test
    void cloneStreamAndVerifyWithReplicationAndSelectOnly() throws Exception {
        try (PostgresServer source = PostgresServer.start(13); PostgresServer target = PostgresServer.start(17)) {
            source.createDatabase("app");
            ChangeWorkload.create(source, "app", 2_000);
            source.execute("app",
                    "CREATE ROLE migrator LOGIN REPLICATION PASSWORD 'migrator-pw'",
                    "GRANT SELECT ON ALL TABLES IN SCHEMA public TO migrator",
                    "CREATE PUBLICATION inflight FOR ALL TABLES");
            target.execute("postgres",
                    "CREATE ROLE mover LOGIN PASSWORD 'mover-pw'",
                    "CREATE DATABASE app OWNER mover");
            assertThat(scalar(source, "SELECT rolsuper FROM pg_roles WHERE rolname = 'migrator'")).isEqualTo("f");
            assertThat(scalar(target, "SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles"
                    + " WHERE rolname = 'mover'")).isEqualTo("f");

            Endpoint src = source.endpoint("app").withUser("migrator", Secret.of("migrator-pw"));
            Endpoint tgt = target.endpoint("app").withUser("mover", Secret.of("mover-pw"));
            List<String> warnings = new CopyOnWriteArrayList<>();
            ProgressListener collect = new ProgressListener() {
                @Override
                public void warning(String message) {
                    warnings.add(message);
                }
            };

            try (ChangeWorkload load = ChangeWorkload.start(source, "app", 2, 7)) {
                load.awaitCommitted(100);
                new CloneJob(CloneOptions.defaults(src, tgt).withJobs(2), collect).run();
                load.awaitCommitted(load.committed() + 200);
            }
            StreamOptions options = StreamOptions.defaults(src, tgt).withStopAt(StreamJob.sourcePosition(src));
            new StreamJob(options, collect, StreamListener.NONE).run();

            try (Connection s = source.connect("app"); Connection t = target.connect("app")) {
                assertThat(ChangeWorkload.fingerprints(t)).isEqualTo(ChangeWorkload.fingerprints(s));
            }
            assertThat(scalar(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                    + " AND tableowner <> 'mover'")).as("every table belongs to the target role").isEqualTo("0");
            assertThat(warnings).as("the stream says it applies without session_replication_role")
                    .anyMatch(w -> w.contains("session_replication_role") && w.contains("GRANT SET ON PARAMETER"));
            assertThat(warnings).as("the stream says its writes are not marked with a replication origin")
                    .anyMatch(w -> w.contains("replication origins") && w.contains("Grant EXECUTE"));
            assertThat(warnings).as("one warning for the owner it cannot give objects to, not one per object")
                    .filteredOn(w -> w.contains("may not act as role \"postgres\""))
                    .singleElement().asString().contains("stay owned by \"mover\"", "GRANT \"postgres\" TO \"mover\"");
            assertThat(warnings).as("one warning for the source role missing on the target")
                    .filteredOn(w -> w.contains("\"migrator\" does not exist on the target")).singleElement()
                    .asString().contains("table public.accounts", "more");

            VerifyResult verified = new VerifyJob(VerifyOptions.defaults(src, tgt).withJobs(2), collect).run();
            assertThat(verified.outcome()).as(verified.toString()).isEqualTo(VerifyResult.Outcome.EQUAL);
            assertThat(verified.tables()).hasSize(ChangeWorkload.TABLES.size());
        }
    }

    private static String scalar(PostgresServer pg, String sql) throws SQLException {
        try (Connection c = pg.connect("app")) {
            return io.inflight.testkit.TableContents.scalar(c, sql);
        }
    }
}
