package io.inflight.postgres.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import io.inflight.core.TableId;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.Side;
import io.inflight.testkit.PostgresServer;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The state schema on a PostgreSQL 17 target. */
@Timeout(120)
class StateStoreIT {

    private static PostgresServer pg;

    @BeforeAll
    static void start() {
        pg = PostgresServer.start(17);
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    private static PgConnector target(String db) {
        pg.createDatabase(db);
        return new PgConnector(Side.TARGET, pg.endpoint(db));
    }

    @Test
    void recordsOneMigrationAndRefusesAnotherSourceOrASecondRun() {
        PgConnector target = target("migration");
        SourceIdentity source = new SourceIdentity("7301234567890123456", "shop");
        try (StateStore state = StateStore.open(target)) {
            assertThat(state.migration()).isEmpty();
            MigrationRecord m = state.begin("inflight", "pub", Lsn.parse("0/16B3748"), source, "copy");
            assertThat(m.consistentLsn()).isEqualTo(Lsn.parse("0/16B3748"));
            assertThat(m.source()).isEqualTo(source);

            assertThatThrownBy(() -> StateStore.open(target))
                    .isInstanceOfSatisfying(InflightException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CONFLICT))
                    .hasMessageContaining("another Inflight run");
            assertThatThrownBy(() -> state.begin("other", "pub", Lsn.parse("0/1"), source, "copy"))
                    .isInstanceOfSatisfying(InflightException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CONFLICT))
                    .hasMessageContaining("slot 'inflight'");
            state.setPhase("copied");
        }
        try (StateStore state = StateStore.open(target)) {
            assertThat(state.migration()).hasValueSatisfying(m -> assertThat(m.phase()).isEqualTo("copied"));
            state.verifySource(source);
            assertThatThrownBy(() -> state.verifySource(new SourceIdentity("999", "shop")))
                    .isInstanceOfSatisfying(InflightException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                    .hasMessageContaining("cluster 7301234567890123456").hasMessageContaining("cluster 999");
        }
    }

    /**
     * Closing the store releases the migration lock before close() returns, not when the server gets round to
     * ending the session: a cutover closes the store of its takeover and opens its stream's at once, and the fault
     * suite saw that open refused ("another Inflight run") by the lock of the session just closed.
     */
    @Test
    void closingReleasesTheLockAtOnceSoTheNextOpenGetsIt() throws Exception {
        PgConnector target = target("handover");
        try (Connection watcher = target.open()) {
            for (int i = 0; i < 30; i++) {
                StateStore.open(target).close();
                assertThat(StateStore.isLocked(watcher)).as("locked right after close, attempt %d", i).isFalse();
            }
        }
    }

    @Test
    void aTableIsCopiedOnlyWhenItsLastRangeCommitsAndOnlyWithTheRows() throws Exception {
        PgConnector target = target("ranges");
        TableId t = TableId.of("public", "t");
        try (StateStore state = StateStore.open(target); Connection tx = target.open()) {
            state.registerTables(List.of(t));
            tx.setAutoCommit(false);
            state.startTable(tx, t, Lsn.parse("1/0"), List.of(RangeBounds.WHOLE, RangeBounds.WHOLE));
            tx.commit();
            assertThat(state.finishRange(tx, t, 0, 10, 100).status()).isEqualTo(CopyStatus.COPYING);
            tx.rollback(); // as if the range's rows never committed: neither does its mark
            assertThat(state.ranges(t)).noneMatch(RangeState::done);
            state.finishRange(tx, t, 0, 10, 100);
            tx.commit();
            TableState after = state.finishRange(tx, t, 1, 5, 50);
            tx.commit();
            assertThat(after.status()).isEqualTo(CopyStatus.COPIED);
            assertThat(after.rows()).isEqualTo(15);
            assertThat(state.tableStartLsns()).containsEntry(t, Lsn.parse("1/0"));
            assertThatThrownBy(() -> state.finishRange(tx, t, 1, 5, 50))
                    .isInstanceOfSatisfying(InflightException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
        }
    }
}
