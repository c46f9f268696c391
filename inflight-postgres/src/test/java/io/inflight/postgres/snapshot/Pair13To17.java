package io.inflight.postgres.snapshot;

import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.Side;
import io.inflight.postgres.schema.SchemaFilter;
import io.inflight.postgres.schema.TableCatalog;
import io.inflight.postgres.schema.TableInfo;
import io.inflight.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** A PostgreSQL 13 source and a 17 target with one fresh database of the same name on each. */
final class Pair13To17 implements AutoCloseable {

    final PostgresServer source;
    final PostgresServer target;

    Pair13To17() {
        source = PostgresServer.start(13);
        try {
            target = PostgresServer.start(17);
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
    }

    /** A database named {@code db} on both servers. */
    Db database(String db) {
        source.createDatabase(db);
        target.createDatabase(db);
        return new Db(db);
    }

    @Override
    public void close() {
        try (source; target) {
            // both closed
        }
    }

    final class Db {
        final String name;
        final PgConnector src;
        final PgConnector tgt;

        Db(String name) {
            this.name = name;
            this.src = new PgConnector(Side.SOURCE, source.endpoint(name));
            this.tgt = new PgConnector(Side.TARGET, target.endpoint(name));
        }

        /** Runs the same DDL on both sides (the target gets the tables the schema step would make). */
        void both(String... sql) {
            source.execute(name, sql);
            target.execute(name, sql);
        }

        void onSource(String... sql) {
            source.execute(name, sql);
        }

        List<TableInfo> tables() {
            try (Connection c = source.connect(name)) {
                return TableCatalog.read(c, SchemaFilter.all());
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        String sourceValue(String sql) {
            return value(source, sql);
        }

        String targetValue(String sql) {
            return value(target, sql);
        }

        List<String> sourceColumn(String sql) {
            return column(source, sql);
        }

        List<String> targetColumn(String sql) {
            return column(target, sql);
        }

        /** Row count and a digest of every row in a fixed order, to compare both sides. */
        String fingerprint(PostgresServer pg, String table) {
            return value(pg, "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '')"
                    + " FROM " + table + " t");
        }

        private String value(PostgresServer pg, String sql) {
            List<String> col = column(pg, sql);
            return col.isEmpty() ? null : col.get(0);
        }

        private List<String> column(PostgresServer pg, String sql) {
            try (Connection c = pg.connect(name); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                List<String> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
                return out;
            } catch (SQLException e) {
                throw new IllegalStateException(sql + ": " + e.getMessage(), e);
            }
        }
    }
}
