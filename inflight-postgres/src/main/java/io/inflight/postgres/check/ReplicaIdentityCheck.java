package io.inflight.postgres.check;

import io.inflight.core.ErrorCode;
import io.inflight.core.Identifiers;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.schema.TableInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Tables without a usable replica identity: once published, the source rejects their UPDATE and DELETE.
 * The fix offered is the exact statement: {@code REPLICA IDENTITY USING INDEX} when a unique index over
 * NOT NULL columns exists (cheap), else {@code REPLICA IDENTITY FULL} (every change logs the whole old row).
 */
public final class ReplicaIdentityCheck {

    static final String NAME = "replica identity";

    private ReplicaIdentityCheck() {
    }

    public static List<Finding> inspect(Connection c, PgConnector source, List<TableInfo> tables) {
        List<Finding> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                 WHERE i.indrelid = ?::regclass AND i.indisunique AND i.indisvalid AND i.indimmediate
                   AND i.indpred IS NULL AND i.indexprs IS NULL
                   AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indrelid
                                   AND a.attnum = ANY (i.indkey) AND NOT a.attnotnull)
                 ORDER BY i.indnkeyatts, ic.relname LIMIT 1
                """)) {
            for (TableInfo t : tables) {
                if (!t.holdsRows() || t.hasReplicaIdentity()) {
                    continue;
                }
                ps.setString(1, t.id().quoted());
                String index = null;
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        index = rs.getString(1);
                    }
                }
                String what = t.replicaIdentity() == 'n' ? "has REPLICA IDENTITY NOTHING"
                        : "has no primary key and no replica identity";
                String fix = index != null
                        ? "Run on the source: ALTER TABLE " + t.id().quoted() + " REPLICA IDENTITY USING INDEX "
                                + Identifiers.quote(index) + ";"
                        : "Add a primary key, or run on the source: ALTER TABLE " + t.id().quoted()
                                + " REPLICA IDENTITY FULL; (each UPDATE and DELETE then logs the whole old row)";
                out.add(Finding.blocker(ErrorCode.UNSUPPORTED, NAME, t.id().toString(), "table " + t.id() + " " + what
                        + ": publishing it would make the source reject its UPDATE and DELETE statements", fix));
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "checking replica identities");
        }
        return out;
    }
}
