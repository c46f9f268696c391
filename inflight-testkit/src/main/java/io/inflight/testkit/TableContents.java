package io.inflight.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Compares what tables hold on two servers without trusting Inflight's own code: a row count and an
 * order-independent digest of every row's text form, computed by the server.
 */
public final class TableContents {

    private TableContents() {
    }

    /**
     * {@code count:digest} of a table's own rows (not its children's). Equal on two servers when they hold
     * the same multiset of rows, whatever the physical order.
     */
    public static String fingerprint(Connection c, String table) throws SQLException {
        return scalar(c, "SELECT count(*) || ':' || coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))),"
                + " '') FROM ONLY " + table + " t");
    }

    /** The first column of the first row, as text. */
    public static String scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
