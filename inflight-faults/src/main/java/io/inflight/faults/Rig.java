package io.inflight.faults;

import io.inflight.core.Identifiers;
import io.inflight.testkit.ChangeWorkload;
import io.inflight.testkit.PostgresServer;
import io.inflight.testkit.TcpProxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What every round runs against: a durable PostgreSQL 13 source holding the workload's database, a durable
 * PostgreSQL 17 target, a {@link TcpProxy} in front of each (Inflight connects only through them, so the network
 * between the tool and either database can be cut), and, where the machine allows it, a {@link SmallDisk} the
 * target's databases live on.
 */
final class Rig implements AutoCloseable {

    static final String SOURCE_DB = "shop";
    static final String TABLESPACE = "small";
    /**
     * The application's login for writes through PgBouncer: the same role and password on both servers, as a
     * cutover needs (PgBouncer logs in to whichever side it routes to with it). A superuser, so that it may write
     * every table the clone creates on the target without grants.
     */
    static final String APP = "app";
    static final String APP_PASSWORD = "app-fault-suite";

    final PostgresServer source;
    final PostgresServer target;
    final TcpProxy sourceProxy;
    final TcpProxy targetProxy;
    final Optional<SmallDisk> disk;
    final Path jar;
    final Path workDir;
    final int largeRows;

    private Rig(PostgresServer source, PostgresServer target, Optional<SmallDisk> disk, Path jar, Settings settings) {
        this.source = source;
        this.target = target;
        this.disk = disk;
        this.jar = jar;
        this.workDir = settings.workDir();
        this.largeRows = settings.largeRows();
        this.sourceProxy = TcpProxy.start(source.host(), source.port());
        this.targetProxy = TcpProxy.start(target.host(), target.port());
    }

    /** Starts both servers and fills the source: the workload's tables, a filler table, and an empty "big". */
    static Rig start(Settings settings, Path jar) {
        PostgresServer source = PostgresServer.builder(13).durable(true).start();
        PostgresServer target = PostgresServer.builder(17).durable(true).start();
        // Big enough for the data the write load piles up over a long run (the index builds need room for their
        // temporary files too); a disk-full fault fills whatever is free, so the size does not soften it.
        Optional<SmallDisk> disk = SmallDisk.mount(4096, System.getProperty("inflight.pg.user", "postgres"));
        disk.ifPresent(d -> target.execute("postgres", "CREATE TABLESPACE " + TABLESPACE + " LOCATION "
                + Identifiers.literal(d.tablespaceDir().toString())));
        for (PostgresServer pg : List.of(source, target)) {
            pg.execute("postgres", "CREATE ROLE " + APP + " LOGIN SUPERUSER PASSWORD "
                    + Identifiers.literal(APP_PASSWORD));
        }
        source.createDatabase(SOURCE_DB);
        ChangeWorkload.create(source, SOURCE_DB, settings.accounts());
        source.execute(SOURCE_DB,
                "CREATE TABLE filler (id bigint PRIMARY KEY, n int NOT NULL, pad text NOT NULL)",
                "CREATE INDEX filler_n ON filler (n)",
                "INSERT INTO filler SELECT g, g % 1000, md5(g::text) FROM generate_series(1, " + settings.fillerRows()
                        + ") g",
                "CREATE TABLE big (id bigint PRIMARY KEY, n int NOT NULL, pad text NOT NULL)",
                "ANALYZE");
        return new Rig(source, target, disk, jar, settings);
    }

    /** Every table the source holds rows in, schema-qualified, in a stable order. */
    List<String> tables() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = source.connect(SOURCE_DB); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c"
                     + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r'"
                     + " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
                     + " ORDER BY 1")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** An empty target database, on the small disk when there is one. */
    void createTargetDatabase(String db) {
        target.execute("postgres", "CREATE DATABASE " + Identifiers.quote(db)
                + (disk.isPresent() ? " TABLESPACE " + TABLESPACE : ""));
    }

    /**
     * Drops what an episode left: its slot and publication on the source, its database and the stream's replication
     * origin ({@code inflight_<slot>}, as {@code inflight cleanup} drops it) on the target; after a
     * cutover also the stream back's slot on the target, and its state schema and replication origin on the source
     * (the next cutover's stream back would find that migration record in its way).
     */
    void dropEpisode(String slot, String db) {
        retrying("drop the slots in " + db, () -> target.execute("postgres",
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = "
                        + Identifiers.literal(db)));
        retrying("drop the stream back's state on the source", () -> source.execute(SOURCE_DB,
                "DROP SCHEMA IF EXISTS inflight CASCADE",
                "SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin"
                        + " WHERE roname LIKE 'inflight\\_%'"));
        for (int attempt = 1; ; attempt++) {
            try (Connection c = source.connect(SOURCE_DB); Statement s = c.createStatement()) {
                s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = "
                        + Identifiers.literal(slot) + " OR slot_name LIKE " + Identifiers.literal(slot + "\\_%"));
                s.execute("DROP PUBLICATION IF EXISTS " + Identifiers.quote(slot));
                break;
            } catch (SQLException e) {
                // the walsender of the process just stopped may still hold the slot for a moment
                if (attempt == 30) {
                    throw new IllegalStateException("cannot drop slot " + slot + ": " + e.getMessage(), e);
                }
                Pause.millis(1000);
            }
        }
        target.execute("postgres", "DROP DATABASE IF EXISTS " + Identifiers.quote(db) + " WITH (FORCE)");
        // Replication origins belong to the whole server, not to the database, and each one that was used holds
        // one of the target's max_replication_slots state slots: after ~20 episodes none was left.
        retrying("drop the stream's replication origin on the target", () -> target.execute("postgres",
                "SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin WHERE roname = "
                        + Identifiers.literal("inflight_" + slot)));
    }

    /** Runs {@code body}, again each second for up to 30 s while it fails (a just-stopped process lets go late). */
    private static void retrying(String what, Runnable body) {
        for (int attempt = 1; ; attempt++) {
            try {
                body.run();
                return;
            } catch (RuntimeException e) {
                if (attempt == 30) {
                    throw new IllegalStateException("cannot " + what + ": " + e.getMessage(), e);
                }
                Pause.millis(1000);
            }
        }
    }

    String sourceUri() {
        return "postgresql://" + PostgresServer.SUPERUSER + "@127.0.0.1:" + sourceProxy.port() + "/" + SOURCE_DB;
    }

    String targetUri(String db) {
        return "postgresql://" + PostgresServer.SUPERUSER + "@127.0.0.1:" + targetProxy.port() + "/" + db;
    }

    /**
     * The source without its proxy: the address PgBouncer has for it, which a cutover must be given to recognise
     * PgBouncer's route (the network-cut faults need the proxy; a cutover only its own process's death).
     */
    String directSourceUri() {
        return "postgresql://" + PostgresServer.SUPERUSER + "@" + source.host() + ":" + source.port() + "/" + SOURCE_DB;
    }

    /** The target without its proxy: where PgBouncer is pointed after a cutover. */
    String directTargetUri(String db) {
        return "postgresql://" + PostgresServer.SUPERUSER + "@" + target.host() + ":" + target.port() + "/" + db;
    }

    @Override
    public void close() {
        sourceProxy.close();
        targetProxy.close();
        target.close();
        source.close();
        disk.ifPresent(SmallDisk::close);
    }
}
