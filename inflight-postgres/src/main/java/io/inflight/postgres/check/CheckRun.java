package io.inflight.postgres.check;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.Side;
import io.inflight.postgres.schema.TableCatalog;
import io.inflight.postgres.schema.TableInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code inflight check}: runs every check against both servers and reports all findings at once rather
 * than stopping at the first. A side that cannot be reached is a blocker of its own, and the checks that
 * need only the other side still run. A check that fails (a query error) becomes a blocker naming it, so
 * one failure never hides the rest. Changes nothing on either server. Blocking; not thread-safe.
 */
public final class CheckRun {

    private static final Logger log = LoggerFactory.getLogger(CheckRun.class);

    private final CheckOptions options;
    private final PgConnector source;
    private final PgConnector target;
    private final List<Finding> findings = new ArrayList<>();

    private CheckRun(CheckOptions options) {
        this.options = options;
        this.source = new PgConnector(Side.SOURCE, options.source());
        this.target = new PgConnector(Side.TARGET, options.target());
    }

    public static CheckReport run(CheckOptions options) {
        return new CheckRun(options).all();
    }

    /** One concern's check, over whatever connections it needs. */
    @FunctionalInterface
    private interface Check {
        List<Finding> run();
    }

    private CheckReport all() {
        Connection src = connect(source);
        Connection tgt = connect(target);
        try {
            ServerInfo srcInfo = server(src, source);
            ServerInfo tgtInfo = server(tgt, target);
            if (srcInfo != null && tgtInfo != null) {
                run("versions", () -> VersionCheck.inspect(srcInfo, tgtInfo));
            }
            if (srcInfo == null) {
                return new CheckReport(findings);
            }
            run("replication settings", () -> ReplicationSettingsCheck.inspect(src, source));
            run("replication privilege", () -> ReplicationRoleCheck.inspect(src, source));
            List<TableInfo> tables = tables(src);
            if (tables == null) {
                return new CheckReport(findings);
            }
            run("select privilege", () -> SelectPrivilegeCheck.inspect(src, source, tables));
            run("replica identity", () -> ReplicaIdentityCheck.inspect(src, source, tables));
            run("unlogged tables", () -> UnloggedTableCheck.inspect(tables));
            run("large objects", () -> LargeObjectCheck.inspect(src, source));
            run("generated and identity columns",
                    () -> GeneratedIdentityCheck.inspect(src, source, options.schemas(), srcInfo.major()));
            if (tgtInfo != null) {
                run("create privilege", () -> TargetCreateCheck.inspect(tgt, target, tables));
                run("column types", () -> ColumnTypeCheck.inspect(src, source, tgt, target, options.schemas()));
                run("extensions", () -> ExtensionCheck.inspect(src, source, tgt, target));
            }
            run("estimate", () -> SizeEstimate.inspect(src, source, tgtInfo == null ? null : tgt, target, tables, options.schemas(),
                    options.jobs(), options.sample()));
            return new CheckReport(findings);
        } finally {
            close(src);
            close(tgt);
        }
    }

    private Connection connect(PgConnector on) {
        try {
            Connection c = on.open();
            findings.add(Finding.info("connection", on.side().word(), "connected to " + on));
            return c;
        } catch (InflightException e) {
            findings.add(Finding.blocker(e.code(), "connection", on.side().word(), e.getMessage(), ""));
            return null;
        }
    }

    private ServerInfo server(Connection c, PgConnector on) {
        if (c == null) {
            return null;
        }
        try {
            return ServerInfo.read(c, on);
        } catch (InflightException e) {
            findings.add(Finding.blocker(e.code(), "connection", on.side().word(), e.getMessage(), ""));
            return null;
        }
    }

    private List<TableInfo> tables(Connection src) {
        try {
            List<TableInfo> tables = TableCatalog.read(src, options.schemas());
            if (tables.isEmpty()) {
                findings.add(Finding.blocker(ErrorCode.INVALID_CONFIGURATION, "tables", "schemas", "the source "
                        + source.endpoint() + " has no tables in the chosen schemas",
                        "Check --schemas / --exclude-schemas"));
            }
            return tables;
        } catch (InflightException e) {
            findings.add(Finding.blocker(e.code(), "tables", "catalog", e.getMessage(), ""));
            return null;
        }
    }

    private void run(String name, Check check) {
        try {
            findings.addAll(check.run());
        } catch (InflightException e) {
            log.debug("check {} failed", name, e);
            findings.add(Finding.blocker(e.code(), name, name, "the " + name + " check could not run: "
                    + e.getMessage(), ""));
        }
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                log.debug("closing a check connection: {}", e.getMessage());
            }
        }
    }
}
