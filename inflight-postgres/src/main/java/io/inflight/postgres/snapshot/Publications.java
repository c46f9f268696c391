package io.inflight.postgres.snapshot;

import io.inflight.core.ErrorCode;
import io.inflight.core.Identifiers;
import io.inflight.core.InflightException;
import io.inflight.core.TableId;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.schema.TableInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the source publishes every migrated table's changes, before the slot is created (a slot
 * decodes with the publication as it is when each change is decoded, but tables must be in it from the
 * consistent point on). Creates {@code FOR TABLE} over the root tables (plain tables and partitioned
 * parents, whose leaves are then published under their own names: {@code publish_via_partition_root} stays
 * false); accepts a publication a DBA made if it covers everything. Blocking; not thread-safe.
 */
public final class Publications {

    private static final Logger log = LoggerFactory.getLogger(Publications.class);

    private final PgConnector source;

    public Publications(PgConnector source) {
        this.source = source;
    }

    /**
     * Ensures publication {@code name} covers {@code tables} (as read from the source catalog).
     *
     * @throws InflightException UNSUPPORTED naming tables without a usable replica identity (publishing them
     *                           would make the source reject their UPDATE and DELETE); INSUFFICIENT_PRIVILEGE
     *                           with the CREATE PUBLICATION a DBA can run; SCHEMA_MISMATCH when an existing
     *                           publication misses tables or operations, with the ALTER PUBLICATION to run
     */
    public void ensure(String name, List<TableInfo> tables) {
        refuseMissingReplicaIdentity(tables);
        try (Connection c = source.open()) {
            if (exists(c, name)) {
                verify(c, name, tables);
                log.info("publication {} on {} already covers the {} tables", name, source, tables.size());
                return;
            }
            String create = createStatement(name, tables);
            try (Statement s = c.createStatement()) {
                s.execute(create);
                log.info("created publication {} on {}", name, source);
            } catch (SQLException e) {
                if ("42710".equals(e.getSQLState())) {
                    verify(c, name, tables); // created concurrently by someone else: judge it as a DBA's
                    return;
                }
                if ("42501".equals(e.getSQLState())) {
                    throw new InflightException(ErrorCode.INSUFFICIENT_PRIVILEGE, source + ": creating publication "
                            + name + " failed: " + firstLine(e.getMessage()) + " [SQLSTATE 42501]. Creating a "
                            + "publication FOR TABLE needs ownership of each table; have the owner or a superuser "
                            + "run on the source: " + create + "; then rerun", e.getSQLState(), e);
                }
                throw PgErrors.translate(e, source, "creating publication " + name);
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, source, "checking publication " + name);
        }
    }

    /** The statement that creates the publication Inflight needs (also offered to DBAs). */
    public static String createStatement(String name, List<TableInfo> tables) {
        List<String> roots = tables.stream().filter(t -> t.partitionOf().isEmpty())
                .map(t -> t.id().quoted()).toList();
        return "CREATE PUBLICATION " + Identifiers.quote(name)
                + (roots.isEmpty() ? "" : " FOR TABLE " + String.join(", ", roots));
    }

    private static void refuseMissingReplicaIdentity(List<TableInfo> tables) {
        List<TableInfo> bad = tables.stream().filter(t -> t.holdsRows() && !t.hasReplicaIdentity()).toList();
        if (bad.isEmpty()) {
            return;
        }
        String names = bad.stream().map(t -> t.id().toString()).collect(Collectors.joining(", "));
        String fixes = bad.stream().map(t -> "ALTER TABLE " + t.id().quoted() + " REPLICA IDENTITY FULL;")
                .collect(Collectors.joining(" "));
        throw new InflightException(ErrorCode.UNSUPPORTED, "tables without a usable replica identity (no primary "
                + "key, replica identity DEFAULT or NOTHING): " + names + ". Publishing them would make the source "
                + "reject their UPDATE and DELETE statements. Give each a primary key, or a replica identity on the "
                + "source, e.g.: " + fixes + " (or ALTER TABLE ... REPLICA IDENTITY USING INDEX <a unique index on "
                + "NOT NULL columns>), or exclude their schema, then rerun");
    }

    private static boolean exists(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private void verify(Connection c, String name, List<TableInfo> tables) throws SQLException {
        String quoted = Identifiers.quote(name);
        boolean viaRoot = c.getMetaData().getDatabaseMajorVersion() >= 13;
        String sql = "SELECT puballtables, pubinsert, pubupdate, pubdelete, pubtruncate, "
                + (viaRoot ? "pubviaroot" : "false") + " FROM pg_publication WHERE pubname = ?";
        boolean allTables;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                allTables = rs.getBoolean(1);
                if (!(rs.getBoolean(2) && rs.getBoolean(3) && rs.getBoolean(4) && rs.getBoolean(5))) {
                    throw new InflightException(ErrorCode.SCHEMA_MISMATCH, "publication " + name + " on " + source
                            + " does not publish every operation; run on the source: ALTER PUBLICATION " + quoted
                            + " SET (publish = 'insert, update, delete, truncate'); then rerun");
                }
                if (rs.getBoolean(6)) {
                    throw new InflightException(ErrorCode.SCHEMA_MISMATCH, "publication " + name + " on " + source
                            + " publishes partition changes under the root's name; Inflight follows each partition."
                            + " Run on the source: ALTER PUBLICATION " + quoted
                            + " SET (publish_via_partition_root = false); then rerun");
                }
            }
        }
        if (allTables) {
            return;
        }
        Set<TableId> published = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    published.add(TableId.of(rs.getString(1), rs.getString(2)));
                }
            }
        }
        Map<TableId, TableInfo> byId = tables.stream().collect(Collectors.toMap(TableInfo::id, Function.identity()));
        List<TableId> missing = new ArrayList<>();
        Set<TableId> rootsToAdd = new LinkedHashSet<>();
        for (TableInfo t : tables) {
            if (t.holdsRows() && !published.contains(t.id())) {
                missing.add(t.id());
                rootsToAdd.add(root(t, byId));
            }
        }
        if (!missing.isEmpty()) {
            throw new InflightException(ErrorCode.SCHEMA_MISMATCH, "publication " + name + " on " + source
                    + " does not cover " + missing.size() + " table(s): "
                    + missing.stream().map(TableId::toString).collect(Collectors.joining(", "))
                    + ". Have its owner run on the source: ALTER PUBLICATION " + quoted + " ADD TABLE "
                    + rootsToAdd.stream().map(TableId::quoted).collect(Collectors.joining(", ")) + "; then rerun");
        }
    }

    /** The topmost partitioned parent of a partition (itself for a plain table). */
    private static TableId root(TableInfo t, Map<TableId, TableInfo> byId) {
        TableInfo at = t;
        for (int depth = 0; depth < 64 && at.partitionOf().isPresent(); depth++) {
            TableInfo parent = byId.get(at.partitionOf().get());
            if (parent == null) {
                return at.partitionOf().get();
            }
            at = parent;
        }
        return at.id();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
