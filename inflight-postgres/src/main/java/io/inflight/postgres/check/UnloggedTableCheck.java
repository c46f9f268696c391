package io.inflight.postgres.check;

import io.inflight.postgres.schema.TableInfo;
import java.util.List;

/** Unlogged tables write no WAL, so logical replication never sees their changes. */
public final class UnloggedTableCheck {

    private UnloggedTableCheck() {
    }

    public static List<Finding> inspect(List<TableInfo> tables) {
        return tables.stream().filter(TableInfo::unlogged).map(t -> Finding.warning("unlogged table", t.id().toString(),
                "table " + t.id() + " is UNLOGGED: its rows are copied as of the snapshot, but logical replication"
                        + " does not carry its later changes, so the target's copy goes stale",
                "Make it logged before the migration (ALTER TABLE " + t.id().quoted() + " SET LOGGED;), or accept"
                        + " that its contents are rebuilt on the target after cutover")).toList();
    }
}
