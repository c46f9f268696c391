package io.inflight.postgres.check;

import io.inflight.core.ErrorCode;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Extensions installed on the source must be available on the target: the clone runs
 * {@code CREATE EXTENSION} for each. One that the target's server has no package for is a blocker.
 */
public final class ExtensionCheck {

    static final String NAME = "extensions";

    private ExtensionCheck() {
    }

    public static List<Finding> inspect(Connection src, PgConnector source, Connection tgt, PgConnector target) {
        Map<String, String> installed = new TreeMap<>();
        try (Statement s = src.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT extname, extversion FROM pg_extension WHERE extname <> 'plpgsql'")) {
            while (rs.next()) {
                installed.put(rs.getString(1), rs.getString(2));
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "listing extensions");
        }
        Map<String, String[]> available = new HashMap<>();
        try (Statement s = tgt.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT name, default_version, installed_version FROM pg_available_extensions")) {
            while (rs.next()) {
                available.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3)});
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "listing available extensions");
        }
        List<Finding> out = new ArrayList<>();
        installed.forEach((name, version) -> {
            String[] there = available.get(name);
            if (there == null) {
                out.add(Finding.blocker(ErrorCode.UNSUPPORTED, NAME, name, "extension " + name + " (version "
                        + version + ") is installed on the source but not available on the target server",
                        "Install its package on the target server, or DROP EXTENSION " + name
                                + " on the source if nothing uses it"));
            } else if (there[1] != null) {
                out.add(Finding.info(NAME, name, "extension " + name + " " + version + " is installed on both sides"
                        + " (target: " + there[1] + ")"));
            } else {
                out.add(Finding.info(NAME, name, "extension " + name + " " + version + " will be created on the"
                        + " target (version " + there[0] + " available there)"));
            }
        });
        return out;
    }
}
