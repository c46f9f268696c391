package io.inflight.postgres.cutover;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.TableId;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;

/**
 * The last look before the flip, while writes are fenced and the stream drained: every table holds as many rows on
 * both sides. Exact counts, so it costs a scan of each table; skip it for very large databases (a full verify
 * beforehand is the thorough check).
 */
final class FinalCheck {

    private FinalCheck() {
    }

    static void counts(PgConnector from, PgConnector to, Collection<TableId> tables) {
        try (Connection a = from.open(); Connection b = to.open()) {
            for (TableId t : tables) {
                long x = count(a, t);
                long y = count(b, t);
                if (x != y) {
                    throw new InflightException(ErrorCode.DATA_CONFLICT, "table " + t + " holds " + x + " rows on "
                            + from + " but " + y + " on " + to + " after the drain; writes stay on " + from
                            + ". Run inflight verify to find the rows, fix them, then rerun");
                }
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, from, "counting rows for the final check");
        }
    }

    private static long count(Connection c, TableId t) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM ONLY "
                + t.quoted())) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
