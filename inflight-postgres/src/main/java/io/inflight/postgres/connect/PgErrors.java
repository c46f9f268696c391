package io.inflight.postgres.connect;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import java.sql.SQLException;
import java.util.Locale;

/**
 * The one place that turns a server or driver error into what the user reads: an {@link ErrorCode}
 * chosen by SQLSTATE class, a message naming side, endpoint and action, and the next step to take.
 * Retriable (connection lost) versus permanent (authentication, privileges) is decided here only.
 */
public final class PgErrors {

    private PgErrors() {
    }

    public static InflightException translate(SQLException e, PgConnector on, String doing) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String server = unknownHost(e)
                ? "host '" + on.endpoint().host() + "' could not be resolved (no DNS entry for it)"
                : firstLine(e.getMessage());
        String where = on.side().word() + " " + on.endpoint().describe();
        ErrorCode code = classify(state, server);
        String advice = isTls(state, server) ? tlsAdvice(on, server) : advice(code, on, server);
        String text = where + ": " + doing + " failed: " + server
                + (state.isEmpty() ? "" : " [SQLSTATE " + state + "]")
                + (advice.isEmpty() ? "" : ". " + advice);
        return new InflightException(code, text, state.isEmpty() ? null : state, e);
    }

    /** The SQLSTATE class decides; the message text only refines 55000, which PostgreSQL reuses. */
    static ErrorCode classify(String state, String message) {
        String msg = message == null ? "" : message.toLowerCase(Locale.ROOT);
        // pgjdbc reports a missing password as 08004 (connection rejected); it is an authentication matter.
        if (state.startsWith("28") || msg.contains("no password was provided")) {
            return ErrorCode.AUTHENTICATION_FAILED;
        }
        if (state.equals("08001") || state.equals("08004") || isTls(state, msg)) {
            return ErrorCode.CONNECTION_FAILED;
        }
        if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
            return ErrorCode.CONNECTION_LOST;
        }
        if (state.equals("42501")) {
            return ErrorCode.INSUFFICIENT_PRIVILEGE;
        }
        if (state.equals("55000") && msg.contains("wal_level")) {
            return ErrorCode.LOGICAL_REPLICATION_DISABLED;
        }
        if (state.equals("53400") || (state.equals("53300") && msg.contains("wal_sender"))
                || msg.contains("replication slots are in use")) {
            return ErrorCode.REPLICATION_SLOTS_EXHAUSTED;
        }
        if (state.equals("53100") || state.equals("53200")) {
            return ErrorCode.RESOURCE_EXHAUSTED;
        }
        if (state.equals("3D000") || state.equals("3F000")) {
            return ErrorCode.INVALID_CONFIGURATION;
        }
        if (state.equals("42710") || state.equals("42P07") || state.equals("42704")) {
            return ErrorCode.OBJECT_CONFLICT;
        }
        return ErrorCode.INTERNAL;
    }

    private static String advice(ErrorCode code, PgConnector on, String server) {
        String side = on.side().word();
        String user = on.endpoint().user();
        return switch (code) {
            case AUTHENTICATION_FAILED -> "Check the " + side + " user '" + user + "' and its password (INFLIGHT_"
                    + side.toUpperCase(Locale.ROOT) + "_PASSWORD or ~/.pgpass), and that pg_hba.conf admits this host";
            case CONNECTION_FAILED -> "Check the " + side + " host and port, that the server is running and that it "
                    + "listens on this address (listen_addresses)";
            case CONNECTION_LOST -> "The connection to the " + side + " broke; rerun the same command to resume";
            case LOGICAL_REPLICATION_DISABLED -> "Set wal_level = logical on the " + side
                    + " (ALTER SYSTEM SET wal_level = logical) and restart it";
            // Replication origins (which mark the applied changes on the target) take their state slots from
            // max_replication_slots too, and outlive the databases of earlier migrations unless dropped.
            case REPLICATION_SLOTS_EXHAUSTED -> server.contains("replication origin")
                    ? "Drop the replication origins of finished migrations on the " + side + " (SELECT roname FROM"
                    + " pg_replication_origin; then SELECT pg_replication_origin_drop('<name>'), or inflight cleanup"
                    + " for each) or raise max_replication_slots on the " + side + " and restart it"
                    : "Free a slot (SELECT pg_drop_replication_slot(...) on an unused one) "
                    + "or raise max_replication_slots / max_wal_senders on the " + side + " and restart it";
            case INSUFFICIENT_PRIVILEGE -> server.toLowerCase(Locale.ROOT).contains("replication")
                    ? "Grant it: ALTER ROLE " + quote(user) + " WITH REPLICATION"
                    : "Grant the missing privilege to role '" + user + "' on the " + side;
            case RESOURCE_EXHAUSTED -> "Free space or memory on the " + side + ", then rerun the same command to resume";
            case INVALID_CONFIGURATION -> "Check the " + side + " database name";
            default -> "";
        };
    }

    /** A TLS handshake or certificate failure while connecting: a setup problem, never a lost connection. */
    static boolean isTls(String state, String message) {
        String msg = message == null ? "" : message.toLowerCase(Locale.ROOT);
        return state.startsWith("08") && (msg.contains("ssl") || msg.contains("certificate")
                || msg.contains("hostnameverifier") || msg.contains("pkix"));
    }

    private static String tlsAdvice(PgConnector on, String server) {
        String side = on.side().word();
        String host = on.endpoint().host() + ":" + on.endpoint().port();
        String mode = on.endpoint().options().getOrDefault("sslmode", "prefer");
        String root = on.endpoint().options().get("sslrootcert");
        if (server.toLowerCase(Locale.ROOT).contains("does not support ssl")) {
            return "TLS to the " + side + " " + host + " failed with sslmode=" + mode + ": the server does not offer"
                    + " TLS. Turn it on there (ssl = on with ssl_cert_file and ssl_key_file) or use a lower sslmode";
        }
        return "TLS to the " + side + " " + host + " failed with sslmode=" + mode + ": the server's certificate was"
                + " not accepted. Check that sslrootcert" + (root == null ? " (unset: ~/.postgresql/root.crt)"
                : " (" + root + ")") + " holds the CA that signed it and, for verify-full, that the certificate names"
                + " host " + on.endpoint().host() + " (subjectAltName)";
    }

    /** pgjdbc says only "The connection attempt failed." when the host name does not resolve. */
    private static boolean unknownHost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    private static String quote(String ident) {
        return '"' + ident.replace("\"", "\"\"") + '"';
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
