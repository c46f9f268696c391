package io.inflight.postgres.schema;

import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.Side;
import io.inflight.testkit.PostgresServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The rich source schema of src/test/resources/schema/fixture.sql and the steps of a clone, for the ITs. */
final class CloneFixture {

    static final SchemaFilter ALL = SchemaFilter.all();

    private CloneFixture() {
    }

    /** Makes the roles the fixture names (ghost_role only where asked) and loads it into {@code db}. */
    static void load(PostgresServer source, String db) throws SQLException {
        createRoles(source, true);
        source.createDatabase(db);
        try (Connection c = source.connect(db); Statement s = c.createStatement()) {
            s.execute(resource("/schema/fixture.sql"));
        }
    }

    static void createRoles(PostgresServer pg, boolean withGhost) {
        pg.execute("postgres", role("app_reader"));
        if (withGhost) {
            pg.execute("postgres", role("ghost_role"));
        }
    }

    static String role(String name) {
        return "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + name + "') THEN CREATE ROLE "
                + name + "; END IF; END $$";
    }

    static SchemaPlan plan(PostgresServer source, String db) throws SQLException {
        try (Connection c = source.connect(db)) {
            return SchemaPlanner.plan(SchemaReader.read(c, ALL));
        }
    }

    static void preData(PostgresServer target, String db, SchemaPlan plan) throws SQLException {
        try (Connection c = target.connect(db)) {
            SchemaCloner.applyPreData(c, plan, ProgressListener.NONE);
        }
    }

    /** Runs post-data, returning the warnings it gave. */
    static List<String> postData(PostgresServer target, String db, SchemaPlan plan, int jobs) {
        List<String> warnings = Collections.synchronizedList(new ArrayList<>());
        ProgressListener listener = new ProgressListener() {
            @Override
            public void warning(String message) {
                warnings.add(message);
            }
        };
        SchemaCloner.applyPostData(new PgConnector(Side.TARGET, target.endpoint(db)), plan, jobs, listener);
        return warnings;
    }

    /** Rows valid under every key and constraint of the fixture, as the copy would load them. */
    static void insertRows(PostgresServer pg, String db) throws SQLException {
        try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
            s.execute("""
                    INSERT INTO sales.customer (email, name, moods, address, code, level)
                      VALUES ('a@x', 'A', '{happy,sad}', ROW('s', 'c', 'ZIP')::sales.address, 'ABC', 5),
                             ('b@x', 'B', '{}', NULL, 'B', 7);
                    INSERT INTO sales.orders (customer_id, qty, price_cents) VALUES (1, 2, 500), (2, 1, 2000);
                    INSERT INTO sales.line (order_id, amount) VALUES (100, 9.5);
                    INSERT INTO sales.a VALUES (1, 1);
                    INSERT INTO sales.b VALUES (1, 1);
                    INSERT INTO sales.booking (room, during, score)
                      VALUES (1, tstzrange('2024-01-01', '2024-01-02'), '[1,2)');
                    INSERT INTO sales.events VALUES (1, '2024-05-01', 'click', '{}'), (2, '2025-02-01', 'x', DEFAULT),
                                                    (3, '2020-01-01', 'y', '{}');
                    INSERT INTO sales.shard VALUES (1, 'a'), (2, 'b');
                    INSERT INTO sales.event_ref VALUES (1, 1, '2024-05-01', 'click');
                    INSERT INTO "Odd ""Schema""\"."My Table" ("select", "Customer") VALUES ('x', 1);
                    """);
        }
    }

    static String describe(PostgresServer pg, String db) throws SQLException {
        try (Connection c = pg.connect(db)) {
            return SchemaDescriber.describe(c, ALL);
        }
    }

    /**
     * Undoes the ways newer servers print the same definition differently, so that a PostgreSQL 13 source
     * and a newer target compare equal: since 14 procedure arguments carry their mode ({@code IN p integer}),
     * since 16 columns of a view over a single relation are no longer qualified with its name. Applied to
     * both sides alike: qualifiers are dropped from every view body.
     */
    static String acrossVersions(String description) {
        StringBuilder out = new StringBuilder();
        boolean inView = false;
        for (String line : description.split("\n", -1)) {
            if (line.startsWith("relation ")) {
                inView = line.contains(" kind v ") || line.contains(" kind m ");
            } else if (!line.startsWith(" ") && !line.isEmpty()) {
                inView = false;
            }
            if (line.startsWith("CREATE OR REPLACE PROCEDURE ")) {
                line = line.replaceAll("([(,] ?)IN ", "$1");
            }
            if (inView && line.startsWith(" ")) {
                line = line.replaceAll("\\b[a-z_][a-z0-9_]*\\.(?=[a-z_\"])", "");
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }

    /** Lines only in {@code a} ("- ") and only in {@code b} ("+ "); empty when both texts hold the same lines. */
    static String diff(String a, String b) {
        Set<String> left = new TreeSet<>(List.of(a.split("\n(?=[a-z]+ )")));
        Set<String> right = new TreeSet<>(List.of(b.split("\n(?=[a-z]+ )")));
        StringBuilder sb = new StringBuilder();
        left.stream().filter(l -> !right.contains(l)).forEach(l -> sb.append("- ").append(l).append('\n'));
        right.stream().filter(l -> !left.contains(l)).forEach(l -> sb.append("+ ").append(l).append('\n'));
        return sb.toString();
    }

    static String resource(String name) {
        try (InputStream in = CloneFixture.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
