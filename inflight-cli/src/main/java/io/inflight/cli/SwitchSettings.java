package io.inflight.cli;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Secret;
import io.inflight.postgres.cutover.PgBouncerSettings;
import io.inflight.postgres.cutover.SwitchOptions;
import io.inflight.core.Endpoint;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Option;

/** How writes are fenced and moved; shared by {@code cutover} and {@code rollback}. */
final class SwitchSettings {

    static final String PGBOUNCER_PASSWORD = "INFLIGHT_PGBOUNCER_PASSWORD";

    @Option(names = "--pgbouncer", paramLabel = "HOST:PORT",
            description = "The PgBouncer the application writes through; without it the old side is fenced by"
                    + " making it read-only.")
    String pgbouncer;

    @Option(names = "--pgbouncer-database", paramLabel = "NAME",
            description = "Its [databases] entry the application connects through (default: the source's database).")
    String pgbouncerDatabase;

    @Option(names = "--pgbouncer-config", paramLabel = "FILE", defaultValue = "/etc/pgbouncer/pgbouncer.ini",
            description = "Its configuration file, where the entry is repointed (default: ${DEFAULT-VALUE}).")
    String pgbouncerConfig;

    @Option(names = "--pgbouncer-admin", paramLabel = "USER", defaultValue = "pgbouncer",
            description = "An admin_users user of its console; password from INFLIGHT_PGBOUNCER_PASSWORD"
                    + " (default: ${DEFAULT-VALUE}).")
    String pgbouncerAdmin;

    @Option(names = "--max-lag", paramLabel = "SIZE", defaultValue = "16MB",
            description = "Refuse while the stream is further behind than this (default: ${DEFAULT-VALUE}).")
    String maxLag;

    @Option(names = "--force", description = "Go ahead without a running stream or with more lag: catch up here.")
    boolean force;

    @Option(names = "--skip-final-check", description = "Do not compare row counts while writes are fenced.")
    boolean skipFinalCheck;

    @Option(names = "--skip-verify-check", description = "Cut over without a recent clean inflight verify.")
    boolean skipVerifyCheck;

    @Option(names = "--verify-max-age", paramLabel = "AGE", defaultValue = "24h",
            description = "How recent the clean inflight verify a cutover needs must be: a number with s, m, h or d"
                    + " (default: ${DEFAULT-VALUE}).")
    String verifyMaxAge;

    @Option(names = "--abort", description = "Undo a run a crash left half done (before its flip) instead of"
            + " continuing it.")
    boolean abort;

    SwitchOptions options(Environment env, Endpoint source, Endpoint target) {
        SwitchOptions o = new SwitchOptions(source, target, java.util.Optional.empty(), StreamSettings.bytes(maxLag),
                force, !skipFinalCheck, SwitchOptions.defaults(source, target).drainTimeout(),
                SwitchOptions.defaults(source, target).apply(), abort).withVerifyCheck(!skipVerifyCheck,
                age(verifyMaxAge));
        if (pgbouncer != null) {
            int colon = pgbouncer.lastIndexOf(':');
            if (colon <= 0) {
                throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "--pgbouncer '" + pgbouncer + "' is not"
                        + " HOST:PORT, e.g. 127.0.0.1:6432");
            }
            int port;
            try {
                port = Integer.parseInt(pgbouncer.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "--pgbouncer '" + pgbouncer + "' has no"
                        + " port number; write HOST:PORT, e.g. 127.0.0.1:6432");
            }
            String pw = env.get(PGBOUNCER_PASSWORD);
            o = o.withPgBouncer(new PgBouncerSettings(pgbouncer.substring(0, colon), port, pgbouncerAdmin,
                    pw == null ? Secret.none() : Secret.of(pw),
                    pgbouncerDatabase == null ? source.database() : pgbouncerDatabase, Paths.get(pgbouncerConfig)));
        }
        return o;
    }

    static Duration age(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.matches("\\d+[smhd]")) {
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "--verify-max-age '" + text + "' is not a"
                + " number with a unit s, m, h or d, e.g. 24h");
    }
}
