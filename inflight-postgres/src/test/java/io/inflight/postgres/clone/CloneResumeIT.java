package io.inflight.postgres.clone;

import static io.inflight.testkit.TableContents.fingerprint;
import static io.inflight.testkit.TableContents.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.TableId;
import io.inflight.core.progress.ProgressListener;
import io.inflight.testkit.PostgresServer;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A source restart in the middle of the copy does not end the clone: it resumes by itself, as a rerun would,
 * and the target ends up holding every row once.
 */
@Timeout(300)
class CloneResumeIT {

    @Test
    void aSourceRestartDuringTheCopyIsResumedWithoutTheUser() throws Exception {
        try (PostgresServer source = PostgresServer.builder(13).durable(true).start();
             PostgresServer target = PostgresServer.start(17)) {
            source.createDatabase("app");
            target.createDatabase("app");
            source.execute("app",
                    "CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL UNIQUE)",
                    "CREATE TABLE entries (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts,"
                            + " memo text)",
                    "INSERT INTO accounts SELECT g, 'owner-' || g FROM generate_series(1, 20000) g",
                    "INSERT INTO entries SELECT g, 1 + g % 20000, repeat('m', 80) FROM generate_series(1, 1200000) g",
                    "ANALYZE");
            List<String> warnings = new CopyOnWriteArrayList<>();
            AtomicBoolean restarted = new AtomicBoolean();
            CompletableFuture<Void> restart = new CompletableFuture<>();
            ProgressListener collect = new ProgressListener() {
                @Override
                public void warning(String message) {
                    warnings.add(message);
                }

                @Override
                public void tableProgress(TableId table, long rowsDelta, long bytesDelta) {
                    // rows of the big table are flowing: restart the source under the copy's feet
                    if (table.name().equals("entries") && restarted.compareAndSet(false, true)) {
                        CompletableFuture.runAsync(source::restart).whenComplete((v, e) -> {
                            if (e == null) {
                                restart.complete(null);
                            } else {
                                restart.completeExceptionally(e);
                            }
                        });
                    }
                }
            };
            CloneResult result = new CloneJob(CloneOptions.defaults(source.endpoint("app"), target.endpoint("app"))
                    .withJobs(2), collect).run();
            restart.get(60, TimeUnit.SECONDS);

            assertThat(warnings).as("the interruption is reported").anyMatch(w -> w.startsWith("clone interrupted,"
                    + " resuming in"));
            assertThat(result.rowsCopied()).isPositive();
            try (Connection s = source.connect("app"); Connection t = target.connect("app")) {
                for (String table : List.of("public.accounts", "public.entries")) {
                    assertThat(fingerprint(t, table)).as(table).isEqualTo(fingerprint(s, table));
                }
                assertThat(scalar(t, "SELECT phase FROM inflight.migration")).isEqualTo("cloned");
            }
        }
    }

    /**
     * A resumed copy takes a fresh snapshot. The parent table was copied under the first one; a child row
     * referencing a parent row added after it arrives with the child's copy under the second. Validating the
     * foreign key then failed, on every rerun: the parent is now copied again under the fresh snapshot too.
     */
    @Test
    void tablesLinkedByAForeignKeyAreCopiedUnderTheSameSnapshotAfterAResume() throws Exception {
        try (PostgresServer source = PostgresServer.builder(13).durable(true).start();
             PostgresServer target = PostgresServer.start(17)) {
            source.createDatabase("app");
            target.createDatabase("app");
            source.execute("app",
                    "CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, pad text)",
                    "CREATE TABLE entries (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts)",
                    "CREATE TABLE notes (id int PRIMARY KEY, v text)",
                    "INSERT INTO accounts SELECT g, 'owner-' || g, repeat('p', 200) FROM generate_series(1, 100000) g",
                    "INSERT INTO entries SELECT g, 1 + g % 1000 FROM generate_series(1, 1000) g",
                    "INSERT INTO notes SELECT g, 'n' FROM generate_series(1, 10) g",
                    // a trigger the clone recreates on the target: copying the table again must not fire it
                    "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS"
                            + " $$BEGIN NEW.pad := 'stamped'; RETURN NEW; END$$",
                    "CREATE TRIGGER stamp BEFORE INSERT ON accounts FOR EACH ROW EXECUTE FUNCTION stamp()",
                    "ANALYZE");
            AtomicBoolean struck = new AtomicBoolean();
            ProgressListener strike = new ProgressListener() {
                @Override
                public void tableStarted(TableId table, long estimatedRows, long estimatedBytes) {
                    // The child's copy begins. Once the parent is in and post-data (beside the copy) has put its
                    // trigger on the target: a parent and its child that the first snapshot does not hold, then
                    // the source goes down before the child's rows are read.
                    if (table.name().equals("entries") && struck.compareAndSet(false, true)) {
                        awaitTrigger(target);
                        source.execute("app", "BEGIN; INSERT INTO accounts VALUES (100001, 'late', 'p');"
                                + " INSERT INTO entries VALUES (1001, 100001); COMMIT");
                        source.restart();
                    }
                }
            };
            new CloneJob(CloneOptions.defaults(source.endpoint("app"), target.endpoint("app")).withJobs(2), strike)
                    .run();

            assertThat(struck).isTrue();
            try (Connection s = source.connect("app"); Connection t = target.connect("app")) {
                for (String table : List.of("public.accounts", "public.entries", "public.notes")) {
                    assertThat(fingerprint(t, table)).as(table).isEqualTo(fingerprint(s, table));
                }
                assertThat(scalar(t, "SELECT convalidated FROM pg_constraint"
                        + " WHERE conname = 'entries_account_id_fkey'")).isEqualTo("t");
                assertThat(scalar(t, "SELECT count(*) FROM pg_trigger WHERE tgname = 'stamp'")).as("trigger back")
                        .isEqualTo("1");
                assertThat(scalar(t, "SELECT count(DISTINCT snapshot_lsn) FROM inflight.table_state"
                        + " WHERE table_name IN ('accounts', 'entries')")).as("one snapshot for the linked tables")
                        .isEqualTo("1");
            }
        }
    }

    private static void awaitTrigger(PostgresServer target) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Connection t = target.connect("app")) {
            while (!"1".equals(scalar(t, "SELECT count(*) FROM pg_trigger WHERE tgname = 'stamp'"))) {
                assertThat(System.nanoTime()).as("post-data created the trigger").isLessThan(deadline);
                Thread.sleep(20);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
