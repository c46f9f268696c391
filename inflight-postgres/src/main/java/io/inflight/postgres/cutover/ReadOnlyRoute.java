package io.inflight.postgres.cutover;

import io.inflight.core.Endpoint;
import io.inflight.core.Identifiers;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.connect.Side;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Without PgBouncer: fences the old side by making its database read-only for every role but Inflight's own
 * ({@code default_transaction_read_only}, which Inflight's role overrides so the reverse stream can still write
 * there) and ending the other roles' sessions, whose settings date from before. Trade-offs: clients see their
 * sessions end and later writes fail with SQLSTATE 25006 instead of waiting; a client that sets
 * {@code transaction_read_only = off} itself is not stopped; the application must be repointed by the operator.
 * Needs the database's owner or a superuser.
 */
final class ReadOnlyRoute implements WriteRoute {

    private static final Logger log = LoggerFactory.getLogger(ReadOnlyRoute.class);

    private final PgConnector from;
    private final PgConnector to;

    ReadOnlyRoute(Endpoint from, Endpoint to) {
        this.from = new PgConnector(Side.SOURCE, from);
        this.to = new PgConnector(Side.TARGET, to);
    }

    @Override
    public void fence() {
        String db = Identifiers.quote(from.endpoint().database());
        execute(from, "making " + from.endpoint().database() + " read-only",
                "ALTER DATABASE " + db + " SET default_transaction_read_only = on",
                "ALTER ROLE CURRENT_USER IN DATABASE " + db + " SET default_transaction_read_only = off",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                        + " AND usename <> current_user");
        log.info("{} is read-only for every role but {}", from, from.endpoint().user());
    }

    @Override
    public void flip() {
        // the operator points the application at the other side; see afterwards()
    }

    @Override
    public void resume() {
        lift(to);
    }

    @Override
    public void unfence() {
        lift(from);
    }

    @Override
    public String afterwards() {
        return "point the application at " + to.endpoint().describe() + " now: " + from.endpoint().describe()
                + " stays read-only for it";
    }

    private static void lift(PgConnector side) {
        String db = Identifiers.quote(side.endpoint().database());
        execute(side, "making " + side.endpoint().database() + " writable again",
                "ALTER DATABASE " + db + " RESET default_transaction_read_only",
                "ALTER ROLE CURRENT_USER IN DATABASE " + db + " RESET default_transaction_read_only");
    }

    private static void execute(PgConnector on, String doing, String... sql) {
        try (Connection c = on.open(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, on, doing);
        }
    }
}
