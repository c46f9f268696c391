package io.inflight.postgres.cutover;

import io.inflight.core.Secret;
import java.nio.file.Path;

/**
 * Where the application's PgBouncer runs and how to reach its admin console.
 *
 * @param database   the {@code [databases]} entry the application connects through
 * @param configFile PgBouncer's configuration file; the flip rewrites that entry in it, so Inflight must run where
 *                   it can write the file
 */
public record PgBouncerSettings(String host, int port, String adminUser, Secret adminPassword, String database,
                                Path configFile) {

    @Override
    public String toString() {
        return "PgBouncer " + host + ":" + port + " (database entry '" + database + "', " + configFile + ")";
    }
}
