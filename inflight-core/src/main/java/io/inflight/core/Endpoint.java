package io.inflight.core;

import java.util.Map;
import java.util.Objects;

/**
 * Where a database is and who to log in as. The password is a {@link Secret}, so an endpoint can be
 * logged; {@link #describe()} is the form for messages.
 */
public record Endpoint(String host, int port, String database, String user, Secret password,
                       Map<String, String> options) {

    public Endpoint {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        password = password == null ? Secret.none() : password;
        options = options == null ? Map.of() : Map.copyOf(options);
        if (port <= 0 || port > 65535) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION,
                    "port " + port + " of " + host + " is out of range 1-65535");
        }
    }

    public static Endpoint of(String host, int port, String database, String user, Secret password) {
        return new Endpoint(host, port, database, user, password, Map.of());
    }

    public Endpoint withDatabase(String otherDatabase) {
        return new Endpoint(host, port, otherDatabase, user, password, options);
    }

    public Endpoint withUser(String otherUser, Secret otherPassword) {
        return new Endpoint(host, port, database, otherUser, otherPassword, options);
    }

    /** {@code user@host:port/database}: never the password. */
    public String describe() {
        return user + "@" + host + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return describe();
    }
}
