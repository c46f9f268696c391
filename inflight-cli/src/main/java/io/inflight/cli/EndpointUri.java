package io.inflight.cli;

import io.inflight.core.Endpoint;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Secret;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses {@code postgresql://user@host[:port]/database[?sslmode=...]} into an {@link Endpoint}.
 *
 * <p>A password in the URI is refused: command lines end up in shell history and {@code ps} output.
 * Passwords come from {@code INFLIGHT_SOURCE_PASSWORD} / {@code INFLIGHT_TARGET_PASSWORD} or
 * {@code ~/.pgpass}. Query parameters are limited to the connection settings listed in
 * {@link #PARAMETERS}, so that a typo is reported rather than silently ignored.
 */
public final class EndpointUri {

    public static final int DEFAULT_PORT = 5432;

    /** URI parameters we pass to the driver, with the driver's name for each. */
    static final Map<String, String> PARAMETERS = Map.of(
            "sslmode", "sslmode",
            "sslrootcert", "sslrootcert",
            "sslcert", "sslcert",
            "sslkey", "sslkey",
            "connect_timeout", "connectTimeout",
            "application_name", "ApplicationName");

    private static final Set<String> SSL_MODES =
            Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    private EndpointUri() {
    }

    /**
     * @param side     "source" or "target", for messages
     * @param uri      the text the user gave
     * @param password the password found elsewhere (environment), or {@link Secret#none()}
     */
    public static Endpoint parse(String side, String uri, Secret password) {
        String text = uri == null ? "" : uri.strip();
        int schemeEnd = text.indexOf("://");
        String scheme = schemeEnd < 0 ? "" : text.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        if (!scheme.equals("postgresql") && !scheme.equals("postgres")) {
            throw invalid(side, text, "must start with postgresql://");
        }
        String rest = text.substring(schemeEnd + 3);
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String database = slash < 0 ? "" : decode(side, text, rest.substring(slash + 1));

        int at = authority.lastIndexOf('@');
        String userInfo = at < 0 ? "" : authority.substring(0, at);
        String hostPort = authority.substring(at + 1);
        if (userInfo.indexOf(':') >= 0) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "the --" + side + " URI "
                    + mask(text) + " holds a password; passwords are never taken from the command line. Remove it and "
                    + "set INFLIGHT_" + side.toUpperCase(Locale.ROOT) + "_PASSWORD or add the password to ~/.pgpass");
        }
        String user = decode(side, text, userInfo);
        if (user.isEmpty()) {
            throw invalid(side, text, "names no user: write postgresql://USER@host:port/database");
        }

        String host;
        String portText = "";
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw invalid(side, text, "has an IPv6 address without its closing ]");
            }
            host = hostPort.substring(1, close);
            String after = hostPort.substring(close + 1);
            if (!after.isEmpty() && !after.startsWith(":")) {
                throw invalid(side, text, "has text after the IPv6 address: " + after);
            }
            portText = after.isEmpty() ? "" : after.substring(1);
        } else {
            int colon = hostPort.lastIndexOf(':');
            host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            portText = colon < 0 ? "" : hostPort.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw invalid(side, text, "names no host: write postgresql://user@HOST:port/database");
        }
        int port = portText.isEmpty() ? DEFAULT_PORT : port(side, text, portText);
        if (database.isEmpty()) {
            throw invalid(side, text, "names no database: write postgresql://user@host:port/DATABASE");
        }
        return new Endpoint(host, port, database, user, password, parameters(side, text, query));
    }

    /** The URI with any password replaced, for messages. */
    static String mask(String uri) {
        return uri.replaceAll("(://[^:/@?]*):[^@/?]*@", "$1:******@")
                .replaceAll("(?i)((?:ssl)?password=)[^&]*", "$1******");
    }

    private static int port(String side, String uri, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below with the same message as an out-of-range number
        }
        throw invalid(side, uri, "has port '" + text + "'; a port is a number 1-65535");
    }

    private static Map<String, String> parameters(String side, String uri, String query) {
        Map<String, String> options = new LinkedHashMap<>();
        if (query.isEmpty()) {
            return options;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(side, uri, eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "" : decode(side, uri, pair.substring(eq + 1));
            if (key.contains("password")) {
                throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "the --" + side + " URI " + mask(uri)
                        + " holds a " + key + " parameter; secrets are never taken from the command line. Remove it and"
                        + " set INFLIGHT_" + side.toUpperCase(Locale.ROOT) + "_PASSWORD or use ~/.pgpass");
            }
            String driverName = PARAMETERS.get(key);
            if (driverName == null) {
                throw invalid(side, uri, "has parameter '" + key + "', which inflight does not know; known are "
                        + String.join(", ", PARAMETERS.keySet().stream().sorted().toList()));
            }
            if (key.equals("sslmode") && !SSL_MODES.contains(value)) {
                throw invalid(side, uri, "has sslmode=" + value + "; use one of "
                        + String.join(", ", SSL_MODES.stream().sorted().toList()));
            }
            options.put(driverName, value);
        }
        return options;
    }

    private static String decode(String side, String uri, String part) {
        try {
            // '+' is a literal plus in a URI path; only %XX escapes are decoded.
            return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid(side, uri, "has a malformed %-escape in '" + part + "'");
        }
    }

    private static InflightException invalid(String side, String uri, String problem) {
        return new InflightException(ErrorCode.INVALID_CONFIGURATION,
                "the --" + side + " URI '" + mask(uri) + "' " + problem);
    }
}
