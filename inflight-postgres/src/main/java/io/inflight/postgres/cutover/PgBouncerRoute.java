package io.inflight.postgres.cutover;

import io.inflight.core.Endpoint;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes through PgBouncer: fence = {@code PAUSE db} (clients' next queries wait, none fails), flip = rewrite the
 * database entry to the other server and {@code RELOAD}, resume = {@code RESUME db}. PAUSE closed every server
 * connection, so after RESUME every query goes to the new server.
 */
final class PgBouncerRoute implements WriteRoute {

    private static final Logger log = LoggerFactory.getLogger(PgBouncerRoute.class);

    private final PgBouncerSettings settings;
    private final Endpoint to;
    private PgBouncerAdmin admin;

    PgBouncerRoute(PgBouncerSettings settings, Endpoint to) {
        this.settings = settings;
        this.to = to;
    }

    @Override
    public void prepare() {
        admin();
    }

    private PgBouncerAdmin admin() {
        if (admin == null) {
            admin = PgBouncerAdmin.connect(settings);
        }
        return admin;
    }

    @Override
    public void fence() {
        admin().pause(settings.database());
    }

    @Override
    public void flip() {
        PgBouncerAdmin admin = admin();
        try {
            String ini = Files.readString(settings.configFile(), StandardCharsets.UTF_8);
            String repointed = PgBouncerConfig.repoint(ini, settings.database(), to.host(), to.port(), to.database());
            if (!repointed.equals(ini)) {
                Files.writeString(settings.configFile(), repointed, StandardCharsets.UTF_8);
            }
            PgBouncerAdmin.Entry after = admin.reload(settings.database())
                    .orElseGet(() -> admin.requireEntry(settings.database()));
            if (!(after.host().equals(to.host()) && after.port() == to.port())) {
                throw new InflightException(ErrorCode.INVALID_CONFIGURATION, settings + " still routes '"
                        + settings.database() + "' to " + after.host() + ":" + after.port() + " after RELOAD, not to "
                        + to.host() + ":" + to.port() + "; check " + settings.configFile() + " (is it the file this"
                        + " PgBouncer was started with?), then rerun");
            }
            log.info("{} now routes '{}' to {}", settings, settings.database(), to.describe());
        } catch (IOException e) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "cannot rewrite " + settings.configFile()
                    + ": " + e.getMessage() + "; Inflight must run where it can write PgBouncer's configuration"
                    + " file", e);
        }
    }

    @Override
    public void resume() {
        admin().resume(settings.database());
    }

    @Override
    public void unfence() {
        resume();
    }

    @Override
    public String afterwards() {
        return "";
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
            admin = null;
        }
    }
}
