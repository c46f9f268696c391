package io.inflight.postgres.connect;

import io.inflight.core.Endpoint;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;

/**
 * Opens connections to one side. Ordinary connections for SQL and COPY, replication connections
 * ({@code replication=database}) for slots and the WAL stream. Every failure comes back as an
 * {@link InflightException} naming the side, the endpoint (never its password) and what to do.
 *
 * <p>Thread-safe; holds no connection itself.
 */
public final class PgConnector {

    private final Side side;
    private final Endpoint endpoint;

    public PgConnector(Side side, Endpoint endpoint) {
        this.side = side;
        this.endpoint = endpoint;
    }

    public Side side() {
        return side;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** An ordinary connection, autocommit on. */
    public Connection open() {
        return connect(properties(false), "connecting");
    }

    /**
     * A logical replication connection. Only replication commands and simple queries work on it;
     * {@code conn.unwrap(PGConnection.class).getReplicationAPI()} reaches the slot and stream API.
     */
    public PGConnection openReplication() {
        Connection c = connect(properties(true), "opening a replication connection");
        try {
            return c.unwrap(PGConnection.class);
        } catch (SQLException e) {
            throw PgErrors.translate(e, this, "opening a replication connection");
        }
    }

    /** The JDBC URL without credentials: safe to log. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + hostPart() + ":" + endpoint.port() + "/" + endpoint.database();
    }

    private String hostPart() {
        String h = endpoint.host();
        return h.indexOf(':') >= 0 && !h.startsWith("[") ? "[" + h + "]" : h;
    }

    private Properties properties(boolean replication) {
        Properties p = new Properties();
        PGProperty.USER.set(p, endpoint.user());
        if (endpoint.password().isPresent()) {
            PGProperty.PASSWORD.set(p, endpoint.password().reveal());
        }
        PGProperty.APPLICATION_NAME.set(p, "inflight");
        PGProperty.CONNECT_TIMEOUT.set(p, 10);
        PGProperty.TCP_KEEP_ALIVE.set(p, true);
        // Binary transfer and server-side statements pay off for the bulk paths we use them on.
        PGProperty.PREPARE_THRESHOLD.set(p, 1);
        PGProperty.REWRITE_BATCHED_INSERTS.set(p, true);
        endpoint.options().forEach(p::setProperty);
        if (replication) {
            PGProperty.REPLICATION.set(p, "database");
            PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "9.4");
            PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        }
        return p;
    }

    private Connection connect(Properties p, String doing) {
        try {
            return DriverManager.getConnection(jdbcUrl(), p);
        } catch (SQLException e) {
            throw PgErrors.translate(e, this, doing);
        } catch (RuntimeException e) {
            throw new InflightException(ErrorCode.CONNECTION_FAILED,
                    side.word() + " " + endpoint.describe() + ": " + doing + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return side.word() + " " + endpoint.describe();
    }

    /**
     * Closes {@code c} (if any) when the work on it already failed or is over: the server ends the session and rolls
     * back what is open either way, and the first error is the one worth reporting.
     */
    public static void closeQuietly(java.sql.Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (java.sql.SQLException ignored) {
            // see above
        }
    }
}
