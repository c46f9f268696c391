package io.inflight.postgres.clone;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.postgres.check.Finding;
import io.inflight.postgres.check.ReplicationRoleCheck;
import io.inflight.postgres.check.ReplicationSettingsCheck;
import io.inflight.postgres.check.SelectPrivilegeCheck;
import io.inflight.postgres.check.ServerInfo;
import io.inflight.postgres.check.VersionCheck;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.schema.TableInfo;
import java.sql.Connection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The checks a clone makes before it changes anything: the same checks {@code inflight check} runs
 * ({@link io.inflight.postgres.check}), but a clone stops at the first blocker, with that blocker's
 * {@link ErrorCode} and the statement or setting that fixes it. Tables lacking SELECT are listed all at
 * once, so a user fixes everything in one round.
 */
final class Preflight {

    private Preflight() {
    }

    static ServerInfo server(Connection c, PgConnector on) {
        return ServerInfo.read(c, on);
    }

    static void versions(ServerInfo source, ServerInfo target) {
        stopOnBlocker(VersionCheck.inspect(source, target));
    }

    /** wal_level, free slots and senders, the REPLICATION attribute: what creating the slot needs. */
    static void replication(Connection c, PgConnector source) {
        stopOnBlocker(ReplicationSettingsCheck.inspect(c, source));
        stopOnBlocker(ReplicationRoleCheck.inspect(c, source));
    }

    /** Every table must be readable; lists all that are not, with the GRANT to run. */
    static void selectPrivileges(Connection c, PgConnector source, List<TableInfo> tables) {
        List<Finding> denied = SelectPrivilegeCheck.inspect(c, source, tables);
        if (!denied.isEmpty()) {
            throw new InflightException(ErrorCode.INSUFFICIENT_PRIVILEGE, "source role '" + source.endpoint().user()
                    + "' cannot read " + denied.size() + " table(s): "
                    + denied.stream().map(Finding::object).collect(Collectors.joining(", ", "[", "]"))
                    + ". Run on the source:"
                    + denied.stream().map(f -> "\n  " + f.fix()).collect(Collectors.joining()));
        }
    }

    private static void stopOnBlocker(List<Finding> findings) {
        findings.stream().filter(Finding::isBlocker).findFirst().ifPresent(f -> {
            throw f.toException();
        });
    }
}
